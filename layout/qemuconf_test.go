package layout

import "testing"

func TestQEMUCertDirs(t *testing.T) {
	conf := func(src string) *QEMUConf {
		c, err := ParseQEMUConf("/etc/libvirt/qemu.conf", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	byName := func(dirs []QEMUCertDir) map[string]QEMUCertDir {
		m := map[string]QEMUCertDir{}
		for _, d := range dirs {
			m[d.Service] = d
		}
		return m
	}

	// No qemu.conf, nothing exists: everything uses /etc/pki/qemu; the
	// verify defaults are per service.
	dirs, problems := (*QEMUConf)(nil).CertDirs("/r", existsIn())
	if len(problems) != 0 {
		t.Fatalf("problems %v", problems)
	}
	m := byName(dirs)
	for _, svc := range QEMUServices {
		if m[svc.Name].Dir != "/r/etc/pki/qemu" {
			t.Errorf("%s dir %s", svc.Name, m[svc.Name].Dir)
		}
	}
	if m["vnc"].Verify || !m["chardev"].Verify || !m["migrate"].Verify || !m["backup"].Verify {
		t.Errorf("verify defaults: %+v", m)
	}

	// A per-service default directory is used when it exists.
	m = byName(must(conf("").CertDirs("/r", existsIn("/r/etc/pki/libvirt-vnc"))))
	if m["vnc"].Dir != "/r/etc/pki/libvirt-vnc" || m["spice"].Dir != "/r/etc/pki/qemu" {
		t.Errorf("libvirt-vnc default: vnc=%s spice=%s", m["vnc"].Dir, m["spice"].Dir)
	}

	// default_tls_x509_cert_dir and default_tls_x509_verify override the
	// fallbacks; an explicit per-service setting wins over both.
	c := conf(`default_tls_x509_cert_dir = "/srv/qemu"
default_tls_x509_verify = 0
default_tls_x509_secret_uuid = "u-default"
vnc_tls = 1
vnc_tls_x509_verify = 1
migrate_tls_x509_cert_dir = "/srv/migrate"
chardev_tls_x509_secret_uuid = "u-chardev"
`)
	if c.Services["vnc"].Enabled == nil || !*c.Services["vnc"].Enabled {
		t.Errorf("vnc_tls not parsed")
	}
	dirs, problems = c.CertDirs("", existsIn("/srv/qemu", "/srv/migrate"))
	if len(problems) != 0 {
		t.Fatalf("problems %v", problems)
	}
	m = byName(dirs)
	if m["vnc"].Dir != "/srv/qemu" || m["migrate"].Dir != "/srv/migrate" || m["nbd"].Dir != "/srv/qemu" {
		t.Errorf("dirs %+v", m)
	}
	if !m["vnc"].Verify || m["chardev"].Verify || m["migrate"].Verify {
		t.Errorf("verify: vnc=%v chardev=%v migrate=%v", m["vnc"].Verify, m["chardev"].Verify, m["migrate"].Verify)
	}
	if m["vnc"].SecretUUID != "u-default" || m["chardev"].SecretUUID != "u-chardev" || m["migrate"].SecretUUID != "" {
		t.Errorf("secrets: vnc=%q chardev=%q migrate=%q", m["vnc"].SecretUUID, m["chardev"].SecretUUID, m["migrate"].SecretUUID)
	}

	// Set-but-missing directories stop the QEMU driver.
	_, problems = c.CertDirs("", existsIn())
	want := map[string]bool{
		"configuration file syntax error: default_tls_x509_cert_dir directory '/srv/qemu' does not exist":    true,
		"configuration file syntax error: migrate_tls_x509_cert_dir directory '/srv/migrate' does not exist": true,
	}
	if len(problems) != len(want) {
		t.Fatalf("problems %+v", problems)
	}
	for _, p := range problems {
		if !want[p.Message] || p.Fix == "" {
			t.Errorf("unexpected problem %+v", p)
		}
	}
	if _, err := ParseQEMUConf("q.conf", []byte("vnc_tls = \"1\"\n")); err == nil || err.Error() != "q.conf:1: expected a bool for 'vnc_tls' parameter" {
		t.Errorf("type error: %v", err)
	}
}

func must[T any, P any](v T, _ P) T { return v }
