package layout

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseLibvirtdConf(t *testing.T) {
	src := `# libvirtd.conf
listen_tls = 1
listen_tcp = 0
tls_port = "16614"
auth_tls = "none"
ca_file = "/srv/pki/ca.pem"
cert_file = "/srv/pki/server.pem"
key_file = "/srv/pki/server.key"
crl_file = "/srv/pki/crl.pem"
tls_no_sanity_certificate = 1
tls_no_verify_certificate = 0
tls_priority = "NORMAL:-VERS-TLS1.0"
tls_allowed_dn_list = ["C=GB,O=Example,CN=*",
                       "CN=admin"]
log_level = 3
`
	c, err := ParseLibvirtdConf("l.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != "l.conf" || c.CAFile != "/srv/pki/ca.pem" || c.CertFile != "/srv/pki/server.pem" ||
		c.KeyFile != "/srv/pki/server.key" || c.CRLFile != "/srv/pki/crl.pem" || c.TLSPort != "16614" ||
		c.AuthTLS != "none" || c.TLSPriority != "NORMAL:-VERS-TLS1.0" {
		t.Errorf("strings: %+v", c)
	}
	if c.ListenTLS == nil || !*c.ListenTLS || c.ListenTCP == nil || *c.ListenTCP {
		t.Errorf("listen flags: %v %v", c.ListenTLS, c.ListenTCP)
	}
	if !c.TLSNoSanityCertificate || c.TLSNoVerifyCertificate {
		t.Errorf("sanity/verify flags")
	}
	if !c.TLSAllowedDNListSet || !reflect.DeepEqual(c.TLSAllowedDNList, []string{"C=GB,O=Example,CN=*", "CN=admin"}) {
		t.Errorf("dn list %v", c.TLSAllowedDNList)
	}
	if n, _, _ := c.Raw.GetInt("log_level"); n != 3 {
		t.Errorf("unknown key log_level not kept: %v", n)
	}

	empty, err := ParseLibvirtdConf("e.conf", nil)
	if err != nil || empty.ListenTLS != nil || empty.TLSAllowedDNListSet {
		t.Errorf("empty conf: %+v %v", empty, err)
	}
	for src, want := range map[string]string{
		"ca_file = 1\n":                         "x.conf:1: expected a string for 'ca_file' parameter",
		"\nlisten_tls = 2\n":                    "x.conf:2: value for 'listen_tls' parameter must be 0 or 1",
		"tls_allowed_dn_list = \"CN=a\"\n":      "x.conf:1: expected a string list for 'tls_allowed_dn_list' parameter",
		"tls_no_verify_certificate = \"yes\"\n": "x.conf:1: expected a bool for 'tls_no_verify_certificate' parameter",
	} {
		if _, err := ParseLibvirtdConf("x.conf", []byte(src)); err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %q", src, err, want)
		}
	}
}

func TestReadLibvirtdConf(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.conf")
	if c, err := ReadLibvirtdConf(missing, true); err != nil || c.Set("ca_file") {
		t.Errorf("missing allowed: %v %v", c, err)
	}
	if _, err := ReadLibvirtdConf(missing, false); !errors.Is(err, fs.ErrNotExist) || err.Error() != missing+": no such file or directory" {
		t.Errorf("missing not allowed: %v", err)
	}
	p := filepath.Join(dir, "l.conf")
	writeTestFile(t, p, "ca_file = \"/a\"\n")
	if c, err := ReadLibvirtdConf(p, false); err != nil || c.CAFile != "/a" || c.Path != p {
		t.Errorf("read: %+v %v", c, err)
	}
}

func TestEffectiveServerFilesAllOrNone(t *testing.T) {
	cases := []struct {
		conf    string
		problem string
		files   ServerFiles
	}{
		{"", "", ServerFiles{CACert: "/r/etc/pki/CA/cacert.pem", CRL: "/r/etc/pki/CA/cacrl.pem",
			ServerCert: "/r/etc/pki/libvirt/servercert.pem", ServerKey: "/r/etc/pki/libvirt/private/serverkey.pem", CRLDefault: true}},
		{"crl_file = \"/c\"\n", "", ServerFiles{CACert: "/r/etc/pki/CA/cacert.pem", CRL: "/r/etc/pki/CA/cacrl.pem",
			ServerCert: "/r/etc/pki/libvirt/servercert.pem", ServerKey: "/r/etc/pki/libvirt/private/serverkey.pem", CRLDefault: true}},
		{"ca_file = \"/a\"\ncert_file = \"/b\"\nkey_file = \"/k\"\n", "",
			ServerFiles{CACert: "/r/a", ServerCert: "/r/b", ServerKey: "/r/k", Custom: true}},
		{"ca_file = \"/a\"\ncert_file = \"/b\"\nkey_file = \"/k\"\ncrl_file = \"/c\"\n", "",
			ServerFiles{CACert: "/r/a", ServerCert: "/r/b", ServerKey: "/r/k", CRL: "/r/c", Custom: true}},
		{"key_file = \"/k\"\n", MsgNoCAFile, ServerFiles{ServerKey: "/r/k", Custom: true}},
		{"cert_file = \"/b\"\n", MsgNoCAFile, ServerFiles{ServerCert: "/r/b", Custom: true}},
		{"ca_file = \"/a\"\n", MsgNoCertFile, ServerFiles{CACert: "/r/a", Custom: true}},
		{"ca_file = \"/a\"\nkey_file = \"/k\"\n", MsgNoCertFile, ServerFiles{CACert: "/r/a", ServerKey: "/r/k", Custom: true}},
		{"ca_file = \"/a\"\ncert_file = \"/b\"\n", MsgNoKeyFile, ServerFiles{CACert: "/r/a", ServerCert: "/r/b", Custom: true}},
		// An empty string counts as set: libvirtd then fails on the path ''.
		{"ca_file = \"\"\n", MsgNoCertFile, ServerFiles{CACert: "/r", Custom: true}},
	}
	for _, tc := range cases {
		c, err := ParseLibvirtdConf("/etc/libvirt/libvirtd.conf", []byte(tc.conf))
		if err != nil {
			t.Fatal(err)
		}
		sf, p := EffectiveServerFiles("/r", c)
		got := ""
		if p != nil {
			got = p.Message
			if p.Fix == "" || p.ID == "" {
				t.Errorf("%q: problem without ID or fix: %+v", tc.conf, p)
			}
		}
		if got != tc.problem {
			t.Errorf("%q: problem %q, want %q", tc.conf, got, tc.problem)
		}
		sf.Why = nil
		if !reflect.DeepEqual(sf, tc.files) {
			t.Errorf("%q: files %+v, want %+v", tc.conf, sf, tc.files)
		}
	}
	if sf, p := EffectiveServerFiles("", nil); p != nil || sf.CACert != SystemCACert || sf.Custom {
		t.Errorf("nil conf: %+v %v", sf, p)
	}
}

func TestRelativeFileSettings(t *testing.T) {
	c, err := ParseLibvirtdConf("l.conf", []byte("ca_file = \"pki/ca.pem\"\ncert_file = \"/etc/s.pem\"\nkey_file = \"./k.pem\"\ncrl_file = \"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.RelativeFileSettings()
	want := []RelativeSetting{{Key: "ca_file", Value: "pki/ca.pem", Absolute: "/pki/ca.pem"}, {Key: "key_file", Value: "./k.pem", Absolute: "/k.pem"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RelativeFileSettings = %+v, want %+v", got, want)
	}
	sf, problem := EffectiveServerFiles("", c)
	if problem != nil || sf.CACert != "/pki/ca.pem" || sf.ServerKey != "/k.pem" {
		t.Errorf("relative paths are not resolved against libvirtd's working directory: %+v %v", sf, problem)
	}
	var none *LibvirtdConf
	if none.RelativeFileSettings() != nil {
		t.Error("nil configuration has relative settings")
	}
}

func TestLookupGroupRootAndNumbers(t *testing.T) {
	root := t.TempDir() // no etc/group at all
	if gid, err := LookupGroup(root, "root"); err != nil || gid != 0 {
		t.Errorf("root: %d %v", gid, err)
	}
	if gid, err := LookupGroup(root, "107"); err != nil || gid != 107 {
		t.Errorf("107: %d %v", gid, err)
	}
	_, err := LookupGroup(root, "nogroup")
	if want := filepath.Join(root, "etc/group") + " does not exist"; err == nil || err.Error() != want {
		t.Errorf("missing group file: %v, want %q", err, want)
	}
	writeTestFile(t, filepath.Join(root, "etc/group"), "kvm:x:36:\n")
	_, err = LookupGroup(root, "nogroup")
	if want := "group nogroup not found in " + filepath.Join(root, "etc/group"); err == nil || err.Error() != want {
		t.Errorf("unknown group: %v, want %q", err, want)
	}
}
