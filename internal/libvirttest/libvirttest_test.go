package libvirttest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDaemonWithCerttoolPKI checks the harness itself: a certtool-made PKI
// (with encryption_key, which libvirt 9.0 needs) gives a working TLS
// connection, and a DN not on the allow list is refused.
func TestDaemonWithCerttoolPKI(t *testing.T) {
	Require(t, "libvirtd", "virsh", "certtool")
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) {
		out, err := exec.Command("certtool", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("certtool %v: %v\n%s", args, err, out)
		}
	}
	p := func(n string) string { return filepath.Join(dir, n) }
	write("ca.info", "cn = Harness CA\nca\ncert_signing_key\n")
	write("server.info", "cn = localhost\ndns_name = localhost\nip_address = 127.0.0.1\ntls_www_server\nsigning_key\nencryption_key\n")
	write("client.info", "country = GB\norganization = Harness\ncn = client1\ntls_www_client\nsigning_key\nencryption_key\n")
	run("--generate-privkey", "--key-type", "ecdsa", "--outfile", p("cakey.pem"))
	run("--generate-self-signed", "--load-privkey", p("cakey.pem"), "--template", p("ca.info"), "--outfile", p("cacert.pem"))
	for _, r := range []string{"server", "client"} {
		run("--generate-privkey", "--outfile", p(r+"key.pem"))
		run("--generate-certificate", "--load-privkey", p(r+"key.pem"), "--load-ca-certificate", p("cacert.pem"),
			"--load-ca-privkey", p("cakey.pem"), "--template", p(r+".info"), "--outfile", p(r+"cert.pem"))
	}
	pki := filepath.Join(dir, "pki")
	os.Mkdir(pki, 0o700)
	for _, n := range []string{"cacert.pem", "clientcert.pem", "clientkey.pem"} {
		b, _ := os.ReadFile(p(n))
		os.WriteFile(filepath.Join(pki, n), b, 0o600)
	}

	good := Start(t, Config{CAFile: p("cacert.pem"), CertFile: p("servercert.pem"), KeyFile: p("serverkey.pem"),
		AllowedDN: []string{"C=GB,O=Harness,CN=client1"}})
	if r := Virsh(good.URI("localhost", pki)); !r.OK() || !strings.Contains(r.Stdout, "test") {
		t.Fatalf("virsh against a good daemon failed: %v\n%s%s\n%s", r.Err, r.Stdout, r.Stderr, good.Log())
	}
	deny := Start(t, Config{CAFile: p("cacert.pem"), CertFile: p("servercert.pem"), KeyFile: p("serverkey.pem"),
		AllowedDN: []string{"CN=client1,O=Harness,C=GB"}})
	r := Virsh(deny.URI("localhost", pki))
	if r.OK() || !strings.Contains(r.Stderr, "Unable to read TLS confirmation") {
		t.Fatalf("virsh with a reversed DN entry: want refusal, got %v\n%s", r.Err, r.Stderr)
	}
}
