package golden

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/virt-pki/virt-pki/internal/libvirttest"
	"github.com/virt-pki/virt-pki/internal/pkitest"
	"github.com/virt-pki/virt-pki/x509oid"
)

// TestValidateMatrix rebuilds libvirt's TLS context test matrix
// (tests/virnettlscontexttest.c: CA, server and client certificates varying
// basic constraints, key usage and key purpose with and without
// criticality, expired and not yet active) plus key-mismatch, wrong-CA,
// ECDSA-without-keyEncipherment, RSA, CN-only and wrong-name sets, and
// checks that `virt-pki validate --path DIR server|client` passes exactly
// when the real peer works: a real libvirtd started with a server set
// accepts virsh with a known-good client, or virsh with a client set
// connects to a known-good libvirtd.
func TestValidateMatrix(t *testing.T) {
	libvirttest.Require(t, "libvirtd", "virsh")
	sets := matrixSets()
	root := t.TempDir()

	// One known-good daemon serves every client set.
	goodCA := pkitest.New(t, caSpec(nil), nil)
	goodServer := pkitest.New(t, serverSpec(nil), goodCA)
	daemonDir := mkdir(t, root, "daemon")
	pkitest.WriteFile(t, daemonDir, "cacert.pem", goodCA.CertPEM(), 0o600)
	sc, sk := goodServer.WritePair(t, daemonDir, "servercert.pem", "serverkey.pem")
	daemon := libvirttest.Start(t, libvirttest.Config{CAFile: filepath.Join(daemonDir, "cacert.pem"), CertFile: sc, KeyFile: sk})

	type result struct {
		name            string
		peerOK, ourPass bool
		peerWhy, ours   string
	}
	results := make([]result, len(sets))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 3)
	for i, set := range sets {
		dir := mkdir(t, root, fmt.Sprintf("set%02d", i))
		set.write(t, dir, goodCA)
		wg.Add(1)
		go func(i int, set matrixSet, dir string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := result{name: set.name}
			if set.server {
				r.peerOK, r.peerWhy = serverPeerAccepts(t, dir, root, i, set)
			} else {
				v := libvirttest.Virsh(daemon.URI("localhost", dir))
				r.peerOK, r.peerWhy = v.OK(), firstLines(v.Stderr, 3)
			}
			r.ourPass, r.ours = runMatrixValidate(t, dir, set)
			results[i] = r
		}(i, set, dir)
	}
	wg.Wait()

	agree := 0
	for _, r := range results {
		t.Logf("%-58s libvirt %-8s validate %-8s %s", r.name, verdict(r.peerOK), verdict(r.ourPass), failIDs(r.ours))
		if r.peerOK == r.ourPass {
			agree++
			continue
		}
		t.Errorf("set %q: libvirt %s, validate %s\nlibvirt: %s\nvalidate:\n%s", r.name, verdict(r.peerOK), verdict(r.ourPass), r.peerWhy, r.ours)
	}
	t.Logf("validate agrees with libvirt 9.0 on %d/%d sets", agree, len(results))
}

// failIDs lists the ids of the FAIL lines of runMatrixValidate's summary.
func failIDs(ours string) string {
	var ids []string
	for _, l := range strings.Split(ours, "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "FAIL" {
			ids = append(ids, strings.TrimSuffix(f[1], ":"))
		}
	}
	return strings.Join(ids, " ")
}

func verdict(ok bool) string {
	if ok {
		return "accepts"
	}
	return "refuses"
}

func mkdir(t *testing.T, parent, name string) string {
	t.Helper()
	d := filepath.Join(parent, name)
	if err := os.Mkdir(d, 0o700); err != nil {
		t.Fatal(err)
	}
	return d
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " | ")
}

// serverPeerAccepts starts libvirtd with the set's files and connects with
// virsh and a good client certificate from the set's CA.
func serverPeerAccepts(t *testing.T, dir, root string, i int, set matrixSet) (bool, string) {
	d, err := libvirttest.Launch(libvirttest.Config{
		CAFile: filepath.Join(dir, "cacert.pem"), CertFile: filepath.Join(dir, "servercert.pem"), KeyFile: filepath.Join(dir, "serverkey.pem"),
	}, mkdirNoFatal(root, fmt.Sprintf("daemon%02d", i)))
	var se *libvirttest.StartupError
	if errors.As(err, &se) {
		return false, "libvirtd refused to start: " + lastLine(se.Log)
	}
	if err != nil {
		t.Errorf("set %q: %v", set.name, err)
		return false, err.Error()
	}
	defer d.Stop()
	v := libvirttest.Virsh(d.URI("localhost", filepath.Join(dir, "client")))
	if !v.OK() {
		return false, firstLines(v.Stderr, 3) + " / daemon: " + lastLine(d.Log())
	}
	return true, ""
}

func mkdirNoFatal(parent, name string) string {
	d := filepath.Join(parent, name)
	os.Mkdir(d, 0o700)
	return d
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// runMatrixValidate runs the built binary on the set and reports whether it
// passed (exit 0) and what it printed.
func runMatrixValidate(t *testing.T, dir string, set matrixSet) (bool, string) {
	scope := "client"
	if set.server {
		scope = "server"
	}
	cmd := exec.Command(Bin(), "validate", "--path", dir, "--hostname", "localhost", "--format", "json", scope)
	out, err := cmd.Output()
	var report struct {
		Checks []struct{ ID, Status, Message string }
	}
	if jerr := json.Unmarshal(out, &report); jerr != nil {
		t.Errorf("set %q: validate printed no JSON (%v): %s", set.name, jerr, out)
	}
	var bad []string
	for _, c := range report.Checks {
		if c.Status == "FAIL" || c.Status == "WARN" {
			bad = append(bad, fmt.Sprintf("  %s %s: %s", c.Status, c.ID, c.Message))
		}
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return true, strings.Join(bad, "\n")
	case errors.As(err, &ee) && ee.ExitCode() == 1:
		return false, strings.Join(bad, "\n")
	}
	t.Errorf("set %q: validate: %v", set.name, err)
	return false, string(out)
}

// matrixSet is one CA + leaf combination.
type matrixSet struct {
	name   string
	server bool
	ca     pkitest.Spec
	leaf   pkitest.Spec
	// emptyKU gives the leaf a key usage extension with no bit set
	// (critical), which pkitest.Spec cannot express.
	emptyKU bool
	// otherCA signs the leaf with a CA that is not in cacert.pem.
	otherCA bool
	// otherKey writes a key that does not belong to the leaf.
	otherKey bool
	// sharedCA uses the known-good daemon's CA (client sets).
	sharedCA bool
}

// write creates the set's pkipath directory: cacert.pem, the leaf and its
// key (servercert.pem/serverkey.pem or clientcert.pem/clientkey.pem), all
// 0600, and for server sets a client/ pkipath with a good client
// certificate from the same CA.
func (s matrixSet) write(t *testing.T, dir string, shared *pkitest.Cert) {
	ca := shared
	if !s.sharedCA {
		ca = pkitest.New(t, s.ca, nil)
	}
	signer := ca
	if s.otherCA {
		signer = pkitest.New(t, caSpec(func(sp *pkitest.Spec) { sp.Subject.CommonName = "Other CA" }), nil)
	}
	leaf := pkitest.New(t, s.leaf, signer)
	if s.emptyKU {
		leaf = withEmptyKeyUsage(t, leaf, signer)
	}
	name := "client"
	if s.server {
		name = "server"
	}
	pkitest.WriteFile(t, dir, "cacert.pem", ca.CertPEM(), 0o600)
	pkitest.WriteFile(t, dir, name+"cert.pem", leaf.CertPEM(), 0o600)
	key := leaf
	if s.otherKey {
		key = pkitest.New(t, s.leaf, signer)
	}
	pkitest.WriteFile(t, dir, name+"key.pem", key.KeyPEM(t), 0o600)
	if s.server {
		cdir := mkdir(t, dir, "client")
		good := pkitest.Client(t, ca, pkix.Name{Country: []string{"UK"}, CommonName: "libvirt"})
		pkitest.WriteFile(t, cdir, "cacert.pem", ca.CertPEM(), 0o600)
		pkitest.WriteFile(t, cdir, "clientcert.pem", good.CertPEM(), 0o600)
		pkitest.WriteFile(t, cdir, "clientkey.pem", good.KeyPEM(t), 0o600)
	}
}

// withEmptyKeyUsage re-signs leaf with a critical key usage extension that
// has no bit set (libvirt's "usage: none:critical" sets).
func withEmptyKeyUsage(t *testing.T, leaf, issuer *pkitest.Cert) *pkitest.Cert {
	t.Helper()
	tmpl := *leaf.Cert
	var ext []pkix.Extension
	for _, e := range leaf.Cert.Extensions {
		if !e.Id.Equal(x509oid.KeyUsage) {
			ext = append(ext, e)
		}
	}
	v, err := asn1.Marshal(asn1.BitString{})
	if err != nil {
		t.Fatal(err)
	}
	tmpl.ExtraExtensions = append(ext, pkix.Extension{Id: x509oid.KeyUsage, Critical: true, Value: v})
	tmpl.Extensions = nil
	tmpl.KeyUsage = 0
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, issuer.Cert, leaf.Key.Public(), issuer.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &pkitest.Cert{Cert: c, Key: leaf.Key, DER: der}
}

// The base requests of libvirt's test: a perfect CA, server and client.
func caSpec(mod func(*pkitest.Spec)) pkitest.Spec {
	s := pkitest.Spec{Subject: pkix.Name{Country: []string{"UK"}, CommonName: "libvirt CA"},
		IsCA: pkitest.Bool(true), BCCrit: true, KeyUsage: x509.KeyUsageCertSign, KUCrit: true}
	if mod != nil {
		mod(&s)
	}
	return s
}

func serverSpec(mod func(*pkitest.Spec)) pkitest.Spec {
	s := pkitest.Spec{Subject: pkix.Name{Country: []string{"UK"}, CommonName: "libvirt.org"},
		DNS: []string{"localhost"}, IPs: []net.IP{net.ParseIP("127.0.0.1")},
		IsCA: pkitest.Bool(false), BCCrit: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, KUCrit: true,
		EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, EKUCrit: true}
	if mod != nil {
		mod(&s)
	}
	return s
}

func clientSpec(mod func(*pkitest.Spec)) pkitest.Spec {
	s := pkitest.Spec{Subject: pkix.Name{Country: []string{"UK"}, CommonName: "libvirt"},
		IsCA: pkitest.Bool(false), BCCrit: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, KUCrit: true,
		EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, EKUCrit: true}
	if mod != nil {
		mod(&s)
	}
	return s
}

func matrixSets() []matrixSet {
	now := time.Now()
	expired := func(s *pkitest.Spec) { s.NotBefore, s.NotAfter = now.Add(-2*time.Hour), now.Add(-time.Hour) }
	notYet := func(s *pkitest.Spec) { s.NotBefore, s.NotAfter = now.Add(time.Hour), now.Add(2*time.Hour) }
	noUsage := func(s *pkitest.Spec) { s.KeyUsage, s.KUCrit, s.EKU, s.EKUCrit = 0, false, nil, false }
	ku := func(u x509.KeyUsage, crit bool) func(*pkitest.Spec) {
		return func(s *pkitest.Spec) { s.KeyUsage, s.KUCrit = u, crit }
	}
	eku := func(crit bool, e ...x509.ExtKeyUsage) func(*pkitest.Spec) {
		return func(s *pkitest.Spec) { s.EKU, s.EKUCrit = e, crit }
	}
	both := func(fs ...func(*pkitest.Spec)) func(*pkitest.Spec) {
		return func(s *pkitest.Spec) {
			for _, f := range fs {
				f(s)
			}
		}
	}
	srv, cli := x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth
	allKU := x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign
	server := func(name string, ca, leaf func(*pkitest.Spec)) matrixSet {
		return matrixSet{name: "server: " + name, server: true, ca: caSpec(ca), leaf: serverSpec(leaf)}
	}
	client := func(name string, leaf func(*pkitest.Spec)) matrixSet {
		return matrixSet{name: "client: " + name, sharedCA: true, leaf: clientSpec(leaf)}
	}
	sets := []matrixSet{
		// libvirt's DO_CTX_TEST list.
		server("perfect CA and server", nil, nil),
		client("perfect CA and client", nil),
		server("CA basic:critical, no key usage", noUsage, nil),
		server("CA basic:not-critical", func(s *pkitest.Spec) { noUsage(s); s.BCCrit = false }, nil),
		server("CA key usage cert-sign:critical", nil, nil),
		server("CA key usage dig-sig:not-critical", ku(x509.KeyUsageDigitalSignature, false), nil),
		server("CA without basic constraints", func(s *pkitest.Spec) { noUsage(s); s.IsCA = nil }, nil),
		server("CA key usage dig-sig:critical", ku(x509.KeyUsageDigitalSignature, true), nil),
		server("no usage or purpose", nil, noUsage),
		server("usage cert-sign+dig-sig+encipher:critical", nil, both(noUsage, ku(allKU, true))),
		server("usage cert-sign:not-critical", nil, both(noUsage, ku(x509.KeyUsageCertSign, false))),
		server("purpose server:critical", nil, both(noUsage, eku(true, srv))),
		server("purpose server:not-critical", nil, both(noUsage, eku(false, srv))),
		server("purpose client+server:critical", nil, both(noUsage, eku(true, cli, srv))),
		server("purpose client+server:not-critical", nil, both(noUsage, eku(false, cli, srv))),
		server("usage cert-sign:critical", nil, both(noUsage, ku(x509.KeyUsageCertSign, true))),
		server("purpose client:critical", nil, both(noUsage, eku(true, cli))),
		{name: "server: usage none:critical", server: true, ca: caSpec(nil), leaf: serverSpec(noUsage), emptyKU: true},
		client("no usage or purpose", noUsage),
		client("usage cert-sign+dig-sig+encipher:critical", both(noUsage, ku(allKU, true))),
		client("usage cert-sign:not-critical", both(noUsage, ku(x509.KeyUsageCertSign, false))),
		client("purpose client:critical", both(noUsage, eku(true, cli))),
		client("purpose client:not-critical", both(noUsage, eku(false, cli))),
		client("purpose client+server:critical", both(noUsage, eku(true, cli, srv))),
		client("purpose client+server:not-critical", both(noUsage, eku(false, cli, srv))),
		client("usage cert-sign:critical", both(noUsage, ku(x509.KeyUsageCertSign, true))),
		client("purpose server:critical", both(noUsage, eku(true, srv))),
		{name: "client: usage none:critical", sharedCA: true, leaf: clientSpec(noUsage), emptyKU: true},
		server("expired CA", expired, nil),
		server("expired server certificate", nil, expired),
		client("expired client certificate", expired),
		server("CA not yet active", notYet, nil),
		server("server certificate not yet active", nil, notYet),
		client("client certificate not yet active", notYet),

		// What libvirt's matrix does not cover.
		{name: "server: key does not match", server: true, ca: caSpec(nil), leaf: serverSpec(nil), otherKey: true},
		{name: "client: key does not match", sharedCA: true, leaf: clientSpec(nil), otherKey: true},
		{name: "server: signed by another CA", server: true, ca: caSpec(nil), leaf: serverSpec(nil), otherCA: true},
		{name: "client: signed by another CA", sharedCA: true, leaf: clientSpec(nil), otherCA: true},
		server("ECDSA, usage dig-sig:critical (no keyEncipherment)", nil, ku(x509.KeyUsageDigitalSignature, true)),
		client("ECDSA, usage dig-sig:critical (no keyEncipherment)", ku(x509.KeyUsageDigitalSignature, true)),
		server("ECDSA, usage dig-sig:not-critical", nil, ku(x509.KeyUsageDigitalSignature, false)),
		server("RSA key", nil, func(s *pkitest.Spec) { s.Key = pkitest.RSA }),
		server("CN-only certificate, CN=localhost", nil, func(s *pkitest.Spec) { s.Subject.CommonName = "localhost"; s.DNS, s.IPs = nil, nil }),
		server("SAN without localhost", nil, func(s *pkitest.Spec) { s.DNS, s.IPs = []string{"other.example"}, nil }),
		client("leaf with CA:TRUE", func(s *pkitest.Spec) { s.IsCA = pkitest.Bool(true) }),
	}
	return sets
}

// validateFixtures are the fixed certificates the validate-*.txtar scripts
// embed (valid 2024-2124, fixed serials, so that the pinned output is
// stable). To regenerate them, delete testdata/validate/*.pem and run
// `go test ./golden -run TestValidateFixtures -update` (a plain -update
// keeps the existing ones, since new keys change every pinned output); the
// scripts must then be refreshed with the new PEM text (the test below says
// which).
func validateFixtures(t *testing.T) map[string][]byte {
	t.Helper()
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	until := time.Date(2124, 1, 1, 0, 0, 0, 0, time.UTC)
	serial := func(n int64) *big.Int { return big.NewInt(n) }
	ca := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{Country: []string{"GB"}, Organization: []string{"Test Org"}, CommonName: "Test CA"},
		IsCA: pkitest.Bool(true), BCCrit: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, KUCrit: true,
		NotBefore: from, NotAfter: until, Serial: serial(0x1000)}, nil)
	server := pkitest.New(t, serverSpec(func(s *pkitest.Spec) {
		s.Subject = pkix.Name{Organization: []string{"Test Org"}, CommonName: "host.example"}
		s.DNS = []string{"host.example", "localhost"}
		s.EKUCrit = false
		s.NotBefore, s.NotAfter, s.Serial = from, until, serial(0x1001)
	}), ca)
	client := pkitest.New(t, clientSpec(func(s *pkitest.Spec) {
		s.Subject = pkix.Name{Country: []string{"GB"}, Organization: []string{"Test Org"}, CommonName: "client1"}
		s.EKUCrit = false
		s.NotBefore, s.NotAfter, s.Serial = from, until, serial(0x1002)
	}), ca)
	expired := pkitest.New(t, serverSpec(func(s *pkitest.Spec) {
		s.Subject = pkix.Name{CommonName: "host.example"}
		s.DNS = []string{"host.example"}
		s.NotBefore, s.NotAfter, s.Serial = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), serial(0x1003)
	}), ca)
	ecNoKE := pkitest.New(t, serverSpec(func(s *pkitest.Spec) {
		s.Subject = pkix.Name{CommonName: "host.example"}
		s.DNS = []string{"host.example"}
		s.KeyUsage = x509.KeyUsageDigitalSignature
		s.NotBefore, s.NotAfter, s.Serial = from, until, serial(0x1004)
	}), ca)
	cnOnly := pkitest.New(t, serverSpec(func(s *pkitest.Spec) {
		s.Subject = pkix.Name{CommonName: "localhost"}
		s.DNS, s.IPs = nil, nil
		s.NotBefore, s.NotAfter, s.Serial = from, until, serial(0x1005)
	}), ca)
	other := pkitest.New(t, serverSpec(nil), ca)
	crlDER, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: from, NextUpdate: until,
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: serial(0x1002), RevocationTime: from}},
	}, ca.Cert, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"cacert.pem":     ca.CertPEM(),
		"servercert.pem": server.CertPEM(), "serverkey.pem": server.KeyPEM(t),
		"clientcert.pem": client.CertPEM(), "clientkey.pem": client.KeyPEM(t),
		"expiredcert.pem": expired.CertPEM(), "expiredkey.pem": expired.KeyPEM(t),
		"ecnokecert.pem": ecNoKE.CertPEM(), "ecnokekey.pem": ecNoKE.KeyPEM(t),
		"cnonlycert.pem": cnOnly.CertPEM(), "cnonlykey.pem": cnOnly.KeyPEM(t),
		"otherkey.pem": other.KeyPEM(t),
		"cacrl.pem":    pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crlDER}),
	}
}

// TestValidateFixtures keeps the certificates embedded in the validate
// scripts identical to testdata/validate/ (see validateFixtures).
func TestValidateFixtures(t *testing.T) {
	dir := filepath.Join("testdata", "validate")
	if existing, _ := filepath.Glob(filepath.Join(dir, "*.pem")); *update && len(existing) == 0 {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range validateFixtures(t) {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	fixtures := map[string]string{}
	names, _ := filepath.Glob(filepath.Join(dir, "*.pem"))
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		fixtures[string(data)] = n
	}
	if len(fixtures) == 0 {
		t.Fatal("no fixtures in " + dir)
	}
	scripts, _ := filepath.Glob(filepath.Join("scripts", "validate-*.txtar"))
	if len(scripts) == 0 {
		t.Fatal("no validate scripts")
	}
	for _, s := range scripts {
		ar, err := txtar.ParseFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if !strings.HasSuffix(f.Name, ".pem") {
				continue
			}
			if _, ok := fixtures[string(f.Data)]; !ok {
				t.Errorf("%s: %s is none of the fixtures in %s; paste the current fixture into the script", s, f.Name, dir)
			}
		}
	}
}

// TestValidateExitCodes pins the exit status contract: 0 when nothing
// FAILs (WARNs included), 1 on a FAIL or, with --strict, a WARN, 2 on a
// usage error; the same through the virt-pki-validate link.
func TestValidateExitCodes(t *testing.T) {
	dir := mkdir(t, t.TempDir(), "pki")
	for _, n := range []string{"cacert.pem", "servercert.pem", "serverkey.pem", "clientcert.pem", "clientkey.pem"} {
		data, err := os.ReadFile(filepath.Join("testdata", "validate", n))
		if err != nil {
			t.Fatal(err)
		}
		pkitest.WriteFile(t, dir, n, data, 0o600)
	}
	run := func(bin string, args ...string) int {
		t.Helper()
		err := exec.Command(bin, args...).Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &ee):
			return ee.ExitCode()
		}
		t.Fatal(err)
		return -1
	}
	link := filepath.Join(linkDir, "virt-pki-validate")
	common := []string{"-p", dir, "--libvirt-version", "9.0.0"}
	cases := []struct {
		name string
		bin  string
		args []string
		code int
	}{
		{"all pass", Bin(), append([]string{"validate", "--hostname", "localhost"}, common...), 0},
		{"warn only", Bin(), append([]string{"validate", "--hostname", "localhost", "--warn-days", "40000"}, common...), 0},
		{"warn with --strict", Bin(), append([]string{"validate", "--hostname", "localhost", "--warn-days", "40000", "--strict"}, common...), 1},
		{"fail", Bin(), append([]string{"validate", "--hostname", "elsewhere.example"}, common...), 1},
		{"usage", Bin(), []string{"validate", "--format", "yaml"}, 2},
		{"empty host name", Bin(), append([]string{"validate", "--hostname", ""}, common...), 2},
		{"blank host name", Bin(), append([]string{"validate", "--hostname", "localhost", "--hostname", " "}, common...), 2},
		{"link, all pass", link, append([]string{"SERVER", "--hostname", "localhost"}, common...), 0},
		{"link, usage", link, []string{"-s", "-u"}, 2},
	}
	for _, c := range cases {
		if got := run(c.bin, c.args...); got != c.code {
			t.Errorf("%s: exit %d, want %d", c.name, got, c.code)
		}
	}
}

// TestValidateIDsAreUnique runs `virt-pki validate --format json` on a
// system image whose qemu.conf selects several QEMU directories (two of
// them sharing a base name with a --qemu one, one missing and named by two
// settings) and checks that no id appears twice: pipelines key on ids.
func TestValidateIDsAreUnique(t *testing.T) {
	img := t.TempDir()
	fixture := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("testdata", "validate", name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	pkitest.WriteFile(t, img, "etc/pki/CA/cacert.pem", fixture("cacert.pem"), 0o644)
	pkitest.WriteFile(t, img, "etc/pki/libvirt/servercert.pem", fixture("servercert.pem"), 0o644)
	pkitest.WriteFile(t, img, "etc/pki/libvirt/private/serverkey.pem", fixture("serverkey.pem"), 0o600)
	pkitest.WriteFile(t, img, "etc/libvirt/libvirtd.conf", []byte(`tls_allowed_dn_list = ["CN=client1,O=Test Org,C=GB", "CN=client1, O=Test Org, C=GB"]`+"\n"), 0o644)
	pkitest.WriteFile(t, img, "etc/libvirt/qemu.conf", []byte(`vnc_tls_x509_cert_dir = "/srv/vnc/qemu"
spice_tls_x509_cert_dir = "/etc/pki/missing"
chardev_tls_x509_cert_dir = "/etc/pki/missing"
`), 0o644)
	for _, d := range []string{"etc/pki/qemu", "srv/vnc/qemu", "opt/qemu"} {
		pkitest.WriteFile(t, img, d+"/ca-cert.pem", fixture("cacert.pem"), 0o644)
		pkitest.WriteFile(t, img, d+"/server-cert.pem", fixture("servercert.pem"), 0o644)
	}
	out, err := exec.Command(Bin(), "validate", "--root", img, "--qemu", "--qemu="+filepath.Join(img, "opt/qemu"), "--qemu-group", "root",
		"--hostname", "host.example", "--libvirt-version", "9.0.0", "--format", "json").Output()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	var report struct {
		Checks []struct{ ID string } `json:"checks"`
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	seen := map[string]bool{}
	qemu := 0
	for _, c := range report.Checks {
		if seen[c.ID] {
			t.Errorf("id %q appears twice", c.ID)
		}
		seen[c.ID] = true
		if strings.HasSuffix(c.ID, ".dir.access") && strings.HasPrefix(c.ID, "qemu[") {
			qemu++
		}
	}
	if qemu < 3 {
		t.Errorf("%d QEMU directories audited, want 3:\n%s", qemu, out)
	}
}
