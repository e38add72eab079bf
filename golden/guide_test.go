package golden

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/internal/libvirttest"
)

// The libvirt guide's templates (docs/kbase/tlscerts.rst), verbatim.
const (
	guideCAInfo = "cn = Libvirt Project\nca\ncert_signing_key\n"
	// guideServerInfo is the guide's SAN version plus localhost and
	// 127.0.0.1, so that virsh can reach the test daemon on loopback.
	guideServerInfo = "organization = Libvirt Project\ncn = compute1.libvirt.org\n" +
		"dns_name = compute1\ndns_name = compute1.libvirt.org\n" +
		"ip_address = 10.0.0.74\nip_address = 192.168.1.24\nip_address = 2001:cafe::74\nip_address = fe20::24\n" +
		"tls_www_server\nsigning_key\n" +
		"dns_name = localhost\nip_address = 127.0.0.1\n"
	guideClientInfo = "country = GB\nstate = London\nlocality = London\norganization = Libvirt Project\n" +
		"cn = client1\ntls_www_client\nsigning_key\n"
	guideClientDN = "C=GB,ST=London,L=London,O=Libvirt Project,CN=client1"
)

// guideCommands are the guide's certtool commands, verbatim (with its line
// continuations), including the two certtool -i checks.
const guideCommands = `set -e
certtool --generate-privkey > cakey.pem
certtool --generate-self-signed --load-privkey cakey.pem \
  --template ca.info --outfile cacert.pem
certtool -i --infile cacert.pem
certtool --generate-privkey > serverkey.pem
certtool --generate-certificate --load-privkey serverkey.pem \
  --load-ca-certificate cacert.pem --load-ca-privkey cakey.pem \
  --template server.info --outfile servercert.pem
certtool -i --infile servercert.pem
certtool --generate-privkey > clientkey.pem
certtool --generate-certificate --load-privkey clientkey.pem \
  --load-ca-certificate cacert.pem --load-ca-privkey cakey.pem \
  --template client.info --outfile clientcert.pem
`

// certtoolLinkDir returns a directory holding only a link named certtool
// to the built virt-pki, to put first on PATH.
func certtoolLinkDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	if err := os.Symlink(Bin(), filepath.Join(d, "certtool")); err != nil {
		t.Fatal(err)
	}
	return d
}

// runGuide writes the templates into dir and runs the guide's commands
// there with pathPrefix first on PATH (empty: the real certtool).
func runGuide(t *testing.T, dir, pathPrefix, serverInfo, clientInfo string) {
	t.Helper()
	for name, text := range map[string]string{"ca.info": guideCAInfo, "server.info": serverInfo, "client.info": clientInfo} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("sh", "-c", guideCommands)
	cmd.Dir = dir
	path := os.Getenv("PATH")
	if pathPrefix != "" {
		path = pathPrefix + string(os.PathListSeparator) + path
	}
	cmd.Env = append(os.Environ(), "PATH="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("guide commands failed (PATH prefix %q): %v\n%s", pathPrefix, err, out)
	}
}

// pkipath makes a client pkipath directory from a CA file and a client pair.
func pkipath(t *testing.T, caFile, certFile, keyFile string) string {
	t.Helper()
	d := t.TempDir()
	for src, name := range map[string]string{caFile: "cacert.pem", certFile: "clientcert.pem", keyFile: "clientkey.pem"} {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func virtPKI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(Bin(), args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("virt-pki %v: %v\n%s", args, err, ee.Stderr)
		}
		t.Fatalf("virt-pki %v: %v", args, err)
	}
	return string(out)
}

// TestGuideWithEncryptionKeyWorks runs the guide's commands verbatim through
// the certtool link, with the templates plus encryption_key (which libvirt
// 9.0 needs), and connects virsh to a real libvirtd that admits exactly the
// DN virt-pki dn prints.
func TestGuideWithEncryptionKeyWorks(t *testing.T) {
	libvirttest.Require(t, "libvirtd", "virsh")
	dir := t.TempDir()
	runGuide(t, dir, certtoolLinkDir(t), guideServerInfo+"encryption_key\n", guideClientInfo+"encryption_key\n")
	p := func(n string) string { return filepath.Join(dir, n) }
	dn := strings.TrimSpace(virtPKI(t, "dn", p("clientcert.pem")))
	if dn != guideClientDN {
		t.Fatalf("virt-pki dn printed %q, want %q", dn, guideClientDN)
	}
	d := libvirttest.Start(t, libvirttest.Config{CAFile: p("cacert.pem"), CertFile: p("servercert.pem"), KeyFile: p("serverkey.pem"), AllowedDN: []string{dn}})
	r := libvirttest.Virsh(d.URI("localhost", pkipath(t, p("cacert.pem"), p("clientcert.pem"), p("clientkey.pem"))))
	if !r.OK() || !strings.Contains(r.Stdout, "test") {
		t.Fatalf("virsh list failed: %v\n%s%s\ndaemon log:\n%s", r.Err, r.Stdout, r.Stderr, d.Log())
	}
}

// outcome is what libvirt made of a server and client pair: the daemon's
// start-up failure or virsh's result, with directory names removed.
func outcome(t *testing.T, dir, caFile, serverCert, serverKey, clientCert, clientKey, allowedDN string) string {
	t.Helper()
	d, err := libvirttest.Launch(libvirttest.Config{CAFile: caFile, CertFile: serverCert, KeyFile: serverKey, AllowedDN: []string{allowedDN}}, t.TempDir())
	if err != nil {
		var se *libvirttest.StartupError
		if !errors.As(err, &se) {
			t.Fatal(err)
		}
		return "daemon refused to start: " + normalize(firstMatch(se.Log, `Certificate [^\n]*`), dir)
	}
	defer d.Stop()
	r := libvirttest.Virsh(d.URI("localhost", pkipath(t, caFile, clientCert, clientKey)))
	if r.OK() {
		return "virsh listed domains"
	}
	var errs []string
	for _, l := range regexp.MustCompile(`error: [^\n]*`).FindAllString(r.Stderr, -1) {
		if l != "error: failed to connect to the hypervisor" {
			errs = append(errs, l)
		}
	}
	if len(errs) == 0 {
		errs = append(errs, r.Stderr)
	}
	return "virsh failed: " + normalize(strings.Join(errs, "; "), dir)
}

func firstMatch(s, re string) string {
	if m := regexp.MustCompile(re).FindString(s); m != "" {
		return m
	}
	return s
}

var pathRE = regexp.MustCompile(`/[^ ]*/([a-z]+(cert|key)\.pem)`)

func normalize(s, dir string) string { return pathRE.ReplaceAllString(s, "$1") }

// TestGuideVerbatimFailsLikeCerttool shows that the guide's templates,
// verbatim (no encryption_key), give certificates libvirt 9.0 refuses, with
// our certtool exactly as with GnuTLS's: the server certificate stops the
// daemon, and the client certificate stops virsh.
func TestGuideVerbatimFailsLikeCerttool(t *testing.T) {
	libvirttest.Require(t, "libvirtd", "virsh", "certtool")
	ours, real := t.TempDir(), t.TempDir()
	runGuide(t, ours, certtoolLinkDir(t), guideServerInfo, guideClientInfo)
	runGuide(t, real, "", guideServerInfo, guideClientInfo)

	results := map[string][2]string{}
	for name, dir := range map[string]string{"virt-pki": ours, "certtool": real} {
		p := func(n string) string { return filepath.Join(dir, n) }
		// The guide's own server pair.
		server := outcome(t, dir, p("cacert.pem"), p("servercert.pem"), p("serverkey.pem"), p("clientcert.pem"), p("clientkey.pem"), guideClientDN)
		// The guide's client against a server issued natively by the same CA.
		srv := filepath.Join(dir, "native")
		virtPKI(t, "issue", "server", "--ca-dir", dir, "--cn", "localhost", "--ip", "127.0.0.1", "--out", srv)
		client := outcome(t, dir, p("cacert.pem"), filepath.Join(srv, "servercert.pem"), filepath.Join(srv, "serverkey.pem"), p("clientcert.pem"), p("clientkey.pem"), guideClientDN)
		results[name] = [2]string{server, client}
	}
	t.Logf("guide server pair: %s", results["certtool"][0])
	t.Logf("guide client pair: %s", results["certtool"][1])
	if results["virt-pki"] != results["certtool"] {
		t.Fatalf("libvirt treats our certtool's output differently:\n  ours:     %q\n  certtool: %q", results["virt-pki"], results["certtool"])
	}
	if libvirtVersion(t) == "9.0.0" {
		for i, what := range []string{"server", "client"} {
			if !strings.Contains(results["certtool"][i], "usage does not permit key encipherment") {
				t.Errorf("libvirt 9.0 should refuse the guide's %s certificate for key encipherment, got %q", what, results["certtool"][i])
			}
		}
	}
}

// TestNativeIssueWorksWithLibvirt issues the whole PKI with virt-pki's own
// commands (default keys), admits the DN that `virt-pki issue client`
// printed, and lists domains over TLS: the native path does not fall into
// the encryption_key trap.
func TestNativeIssueWorksWithLibvirt(t *testing.T) {
	libvirttest.Require(t, "libvirtd", "virsh")
	dir := t.TempDir()
	caDir, srv, cli := filepath.Join(dir, "ca"), filepath.Join(dir, "server"), filepath.Join(dir, "client")
	virtPKI(t, "ca", "init", "--cn", "Libvirt Project", "--out", caDir)
	virtPKI(t, "issue", "server", "--ca-dir", caDir, "--cn", "localhost", "--ip", "127.0.0.1", "--out", srv)
	out := virtPKI(t, "issue", "client", "--ca-dir", caDir, "--dn", guideClientDN, "--out", cli)
	m := regexp.MustCompile(`(?m)^client DN \(as libvirtd matches it\): (.*)$`).FindStringSubmatch(out)
	if m == nil || m[1] != guideClientDN {
		t.Fatalf("issue client did not print the DN %q:\n%s", guideClientDN, out)
	}
	if !strings.Contains(out, `tls_allowed_dn_list = ["`+guideClientDN+`"]`) {
		t.Errorf("issue client did not print the tls_allowed_dn_list line:\n%s", out)
	}
	ca := filepath.Join(caDir, "cacert.pem")
	d := libvirttest.Start(t, libvirttest.Config{CAFile: ca, CertFile: filepath.Join(srv, "servercert.pem"), KeyFile: filepath.Join(srv, "serverkey.pem"), AllowedDN: []string{m[1]}})
	for _, host := range []string{"localhost", "127.0.0.1"} {
		r := libvirttest.Virsh(d.URI(host, pkipath(t, ca, filepath.Join(cli, "clientcert.pem"), filepath.Join(cli, "clientkey.pem"))))
		if !r.OK() || !strings.Contains(r.Stdout, "test") {
			t.Fatalf("virsh via %s failed: %v\n%s%s\ndaemon log:\n%s", host, r.Err, r.Stdout, r.Stderr, d.Log())
		}
	}
}

// TestQuickstartWorksWithLibvirt uses quickstart's server/ and client/
// directories as they are: the server files for the daemon, client/ as
// the pkipath, and the DN quickstart printed.
func TestQuickstartWorksWithLibvirt(t *testing.T) {
	libvirttest.Require(t, "libvirtd", "virsh")
	out := filepath.Join(t.TempDir(), "pki")
	text := virtPKI(t, "quickstart", "--out", out)
	m := regexp.MustCompile(`tls_allowed_dn_list = \["([^"]*)"\]`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("quickstart printed no tls_allowed_dn_list line:\n%s", text)
	}
	s := filepath.Join(out, "server")
	d := libvirttest.Start(t, libvirttest.Config{CAFile: filepath.Join(s, "cacert.pem"), CertFile: filepath.Join(s, "servercert.pem"), KeyFile: filepath.Join(s, "serverkey.pem"), AllowedDN: []string{m[1]}})
	// The test daemon listens on 127.0.0.1 only, so ::1 is not tried.
	for _, host := range []string{"localhost", "127.0.0.1"} {
		r := libvirttest.Virsh(d.URI(host, filepath.Join(out, "client")))
		if !r.OK() || !strings.Contains(r.Stdout, "test") {
			t.Fatalf("virsh via %s with quickstart's client/ failed: %v\n%s%s\ndaemon log:\n%s", host, r.Err, r.Stdout, r.Stderr, d.Log())
		}
	}
}

// TestECDSALeafWarningIsTrue checks the warning `issue` prints for ECDSA
// leaf keys against the installed libvirt: 9.0 refuses such a client.
func TestECDSALeafWarningIsTrue(t *testing.T) {
	libvirttest.Require(t, "libvirtd", "virsh")
	if v := libvirtVersion(t); v != "9.0.0" {
		t.Skipf("libvirt %s: the ECDSA refusal is specific to releases without the RFC 8813 exemption such as 9.0", v)
	}
	dir := t.TempDir()
	caDir, srv, cli := filepath.Join(dir, "ca"), filepath.Join(dir, "server"), filepath.Join(dir, "client")
	virtPKI(t, "ca", "init", "--cn", "CA", "--out", caDir)
	virtPKI(t, "issue", "server", "--ca-dir", caDir, "--cn", "localhost", "--out", srv)
	cmd := exec.Command(Bin(), "issue", "client", "--ca-dir", caDir, "--cn", "ec-client", "--key-type", "ecdsa", "--out", cli)
	combined, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("issue client --key-type ecdsa: %v\n%s", err, combined)
	}
	if !strings.Contains(string(combined), "WARN: an ECDSA client certificate") {
		t.Errorf("no ECDSA warning:\n%s", combined)
	}
	ca := filepath.Join(caDir, "cacert.pem")
	got := outcome(t, dir, ca, filepath.Join(srv, "servercert.pem"), filepath.Join(srv, "serverkey.pem"),
		filepath.Join(cli, "clientcert.pem"), filepath.Join(cli, "clientkey.pem"), "CN=ec-client")
	if !strings.Contains(got, "usage does not permit key encipherment") {
		t.Errorf("libvirt 9.0 accepted an ECDSA client certificate (%s); the warning would be wrong", got)
	}
}

func libvirtVersion(t *testing.T) string {
	out, err := exec.Command("virsh", "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}
