package golden

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/internal/libvirttest"
	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// The probe scenarios run `virt-pki probe` against a real libvirtd and run
// real virsh on the same URI: the probe's verdict must be libvirt's, and
// its JSON and text output are pinned in testdata/probe (ports, dates,
// serials, fingerprints and temporary paths normalised).

// probeJSON is the part of probe's JSON the scenarios assert on.
type probeJSON struct {
	Targets []struct {
		Target              string   `json:"target"`
		TCP                 string   `json:"tcp"`
		TLSVersions         []string `json:"tls_versions"`
		ServerIdentityOK    bool     `json:"server_identity_ok"`
		ChainOK             bool     `json:"chain_ok"`
		ClientCertRequested bool     `json:"client_cert_requested"`
		AcceptableCAs       []string `json:"acceptable_cas"`
		ClientCertSent      bool     `json:"client_cert_sent"`
		ClientAccepted      *bool    `json:"client_accepted"`
		Findings            []struct {
			ID      string `json:"id"`
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"findings"`
	} `json:"targets"`
}

// status returns the status of finding id ("" when absent) and its message.
func (p probeJSON) status(id string) (string, string) {
	for _, f := range p.Targets[0].Findings {
		if f.ID == id {
			return f.Status, f.Message
		}
	}
	return "", ""
}

type probeRun struct {
	json     probeJSON
	rawJSON  []byte
	text     []byte
	exitCode int
}

func runProbe(t *testing.T, args ...string) probeRun {
	t.Helper()
	var r probeRun
	for _, format := range []string{"json", "text"} {
		cmd := exec.Command(Bin(), append([]string{"probe", "--format", format, "--timeout", "5s"}, args...)...)
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "TZ=UTC")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if errb.Len() > 0 {
			t.Errorf("probe --format %s wrote to stderr: %s", format, errb.String())
		}
		if format == "json" {
			r.exitCode, r.rawJSON = code, out.Bytes()
			if err := json.Unmarshal(out.Bytes(), &r.json); err != nil || len(r.json.Targets) != 1 {
				t.Fatalf("probe JSON: %v\n%s", err, out.String())
			}
		} else {
			if code != r.exitCode {
				t.Errorf("exit code text %d != json %d", code, r.exitCode)
			}
			r.text = out.Bytes()
		}
	}
	return r
}

var (
	probeDateRE   = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)
	probeSerialRE = regexp.MustCompile(`"(serial|sha256)": "[0-9a-f]*"`)
	// The suite depends on the CPU (Go prefers ChaCha20 without AES
	// hardware); tls_versions pins the protocol.
	probeCipherRE = regexp.MustCompile(`TLS_(AES|CHACHA20|ECDHE)_[A-Z0-9_]+`)
)

// normaliseProbe removes what changes between runs.
func normaliseProbe(b []byte, ports []int, dirs []string) []byte {
	s := string(b)
	for _, d := range dirs {
		s = strings.ReplaceAll(s, d, "$DIR")
	}
	s = probeSerialRE.ReplaceAllString(s, `"$1": "X"`)
	s = probeDateRE.ReplaceAllString(s, "DATE")
	s = probeCipherRE.ReplaceAllString(s, "CIPHER")
	for _, p := range ports {
		s = strings.ReplaceAll(s, strconv.Itoa(p), "PORT")
	}
	return []byte(s)
}

// compareGolden compares got with testdata/probe/name, or rewrites it
// with -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "probe", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./golden -run TestProbe -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the golden file (rerun with -update if intended):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// probePKI writes a pkipath directory with ca as cacert.pem and, when
// client is not nil, its pair as clientcert.pem / clientkey.pem.
func probePKI(t *testing.T, ca, client *pkitest.Cert) string {
	dir := filepath.Join(t.TempDir(), "pki")
	pkitest.WriteFile(t, dir, "cacert.pem", ca.CertPEM(), 0o600)
	if client != nil {
		client.WritePair(t, dir, "clientcert.pem", "clientkey.pem")
	}
	return dir
}

// probeDaemon starts libvirtd serving srv (issued by ca).
func probeDaemon(t *testing.T, ca, srv *pkitest.Cert, allowed []string) *libvirttest.Daemon {
	dir := t.TempDir()
	caFile := pkitest.WriteFile(t, dir, "cacert.pem", ca.CertPEM(), 0o644)
	cert, key := srv.WritePair(t, dir, "servercert.pem", "serverkey.pem")
	return libvirttest.Start(t, libvirttest.Config{CAFile: caFile, CertFile: cert, KeyFile: key, AllowedDN: allowed})
}

type probeScenario struct {
	name    string
	uri     string
	args    []string
	ports   []int
	dirs    []string
	virshOK bool
	// virshSays is a fragment of virsh's stderr naming libvirt's reason.
	virshSays string
	check     func(t *testing.T, r probeRun)
	// quietDaemon, when set, must log no error while probed (the probe
	// says goodbye with connect-close and close_notify).
	quietDaemon *libvirttest.Daemon
}

func TestProbeAgainstLibvirtd(t *testing.T) {
	libvirttest.Require(t, "libvirtd", "virsh")
	ca := pkitest.CA(t, "Probe CA")
	clientDN := pkix.Name{Country: []string{"GB"}, Organization: []string{"Probe Org"}, CommonName: "client1"}
	client := pkitest.Client(t, ca, clientDN)
	good := pkitest.Server(t, ca, "localhost", "localhost", "127.0.0.1")
	otherNames := pkitest.Server(t, ca, "localhost", "other.example")
	cnOnly := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "localhost"}, IsCA: pkitest.Bool(false), BCCrit: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, KUCrit: true}, ca) // no SAN
	otherCA := pkitest.CA(t, "Other CA")
	foreignClient := pkitest.Client(t, otherCA, clientDN)
	expiredClient := pkitest.New(t, pkitest.Spec{Subject: clientDN, IsCA: pkitest.Bool(false), BCCrit: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, KUCrit: true, NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}, ca)

	goodPKI := probePKI(t, ca, client)
	foreignPKI := probePKI(t, ca, foreignClient)
	expiredPKI := probePKI(t, ca, expiredClient)
	allowed := []string{"C=GB,O=Probe Org,CN=client1"}
	reversed := []string{"CN=client1,O=Probe Org,C=GB"}

	goodD := probeDaemon(t, ca, good, allowed)
	denyD := probeDaemon(t, ca, good, reversed)
	otherD := probeDaemon(t, ca, otherNames, nil)
	cnD := probeDaemon(t, ca, cnOnly, nil)
	// A server whose certificate comes from a CA the client does not trust.
	unknownD := probeDaemon(t, otherCA, pkitest.Server(t, otherCA, "localhost", "localhost", "127.0.0.1"), nil)
	plainD := libvirttest.StartPlainTCP(t)
	closed := probeClosedPort(t)

	mustFinding := func(id, status string) func(*testing.T, probeRun) {
		return func(t *testing.T, r probeRun) {
			if got, msg := r.json.status(id); got != status {
				t.Errorf("finding %s = %q (%s), want %s", id, got, msg, status)
			}
		}
	}
	all := func(checks ...func(*testing.T, probeRun)) func(*testing.T, probeRun) {
		return func(t *testing.T, r probeRun) {
			for _, c := range checks {
				c(t, r)
			}
		}
	}
	accepted := func(want *bool) func(*testing.T, probeRun) {
		return func(t *testing.T, r probeRun) {
			got := r.json.Targets[0].ClientAccepted
			if (got == nil) != (want == nil) || (got != nil && *got != *want) {
				t.Errorf("client_accepted = %v, want %v", fmtBoolPtr(got), fmtBoolPtr(want))
			}
		}
	}
	identity := func(want bool) func(*testing.T, probeRun) {
		return func(t *testing.T, r probeRun) {
			if got := r.json.Targets[0].ServerIdentityOK; got != want {
				t.Errorf("server_identity_ok = %v, want %v", got, want)
			}
		}
	}
	yes, no := true, false

	scenarios := []probeScenario{
		{name: "good", uri: goodD.URI("localhost", goodPKI), ports: []int{goodD.Port}, dirs: []string{goodPKI},
			virshOK: true, quietDaemon: goodD,
			check: all(accepted(&yes), identity(true), mustFinding("client-accepted", "PASS"), mustFinding("server-chain", "PASS"),
				func(t *testing.T, r probeRun) {
					if v := r.json.Targets[0].TLSVersions; len(v) != 2 {
						t.Errorf("tls_versions = %v, want TLS 1.3 and 1.2", v)
					}
					if cas := r.json.Targets[0].AcceptableCAs; len(cas) != 1 || cas[0] != "CN=Probe CA" {
						t.Errorf("acceptable_cas = %q", cas)
					}
				})},
		{name: "dn-not-allowed", uri: denyD.URI("localhost", goodPKI), args: []string{"--allowed-dn", reversed[0]},
			ports: []int{denyD.Port}, dirs: []string{goodPKI},
			virshSays: "Unable to read TLS confirmation",
			check: all(accepted(&no), identity(true), mustFinding("client-dn-not-allowed", "FAIL"),
				func(t *testing.T, r probeRun) {
					if _, msg := r.json.status("client-dn-not-allowed"); !strings.Contains(msg, "RFC 4514 order") || !strings.Contains(msg, `"C=GB,O=Probe Org,CN=client1"`) {
						t.Errorf("DN diagnosis does not name the reversed order and our DN: %s", msg)
					}
				})},
		{name: "dn-not-allowed-unknown-list", uri: denyD.URI("localhost", goodPKI),
			ports: []int{denyD.Port}, dirs: []string{goodPKI},
			virshSays: "Unable to read TLS confirmation",
			check:     all(accepted(&no), mustFinding("client-rejected", "FAIL"), mustFinding("client-rejected-unexplained", "FAIL"))},
		{name: "san-mismatch", uri: otherD.URI("localhost", goodPKI), ports: []int{otherD.Port}, dirs: []string{goodPKI},
			virshSays: "owner does not match the hostname localhost",
			check: all(identity(false), accepted(&yes), mustFinding("server-hostname", "FAIL"),
				func(t *testing.T, r probeRun) {
					if _, msg := r.json.status("server-hostname"); !strings.Contains(msg, "DNS:other.example") || !strings.Contains(msg, "CN matches") {
						t.Errorf("hostname finding does not name the certificate's names: %s", msg)
					}
				})},
		{name: "foreign-ca-client", uri: goodD.URI("localhost", foreignPKI), ports: []int{goodD.Port}, dirs: []string{foreignPKI},
			virshSays: "hasn't got a known issuer",
			check: all(accepted(&no), mustFinding("client-cert-chain", "FAIL"), mustFinding("client-cert-withheld", "FAIL"),
				func(t *testing.T, r probeRun) {
					if r.json.Targets[0].ClientCertSent {
						t.Error("client_cert_sent = true for a certificate the server's CA list excludes")
					}
				})},
		{name: "foreign-ca-client-forced", uri: goodD.URI("localhost", foreignPKI), args: []string{"--force-client-cert"},
			ports: []int{goodD.Port}, dirs: []string{foreignPKI},
			virshSays: "hasn't got a known issuer",
			check: all(accepted(&no), mustFinding("client-cert-forced", "WARN"), mustFinding("client-cert-unknown-issuer", "FAIL"),
				func(t *testing.T, r probeRun) {
					if !r.json.Targets[0].ClientCertSent {
						t.Error("client_cert_sent = false with --force-client-cert")
					}
				})},
		{name: "expired-client", uri: goodD.URI("localhost", expiredPKI), ports: []int{goodD.Port}, dirs: []string{expiredPKI},
			virshSays: "has expired",
			check:     all(accepted(&no), mustFinding("client-cert-expired", "FAIL"), mustFinding("client-rejected-expired", "FAIL"))},
		{name: "cn-only-by-name", uri: cnD.URI("localhost", goodPKI), ports: []int{cnD.Port}, dirs: []string{goodPKI},
			virshOK: true,
			check:   all(identity(true), accepted(&yes), mustFinding("server-cn-only", "WARN"), mustFinding("server-hostname", "PASS"))},
		{name: "cn-only-by-ip", uri: cnD.URI("127.0.0.1", goodPKI), ports: []int{cnD.Port}, dirs: []string{goodPKI},
			virshSays: "owner does not match the hostname 127.0.0.1",
			check:     all(identity(false), mustFinding("server-hostname", "FAIL"))},
		{name: "server-unknown-ca", uri: unknownD.URI("localhost", goodPKI), ports: []int{unknownD.Port}, dirs: []string{goodPKI},
			virshSays: "Failed to verify peer's certificate",
			check:     all(identity(false), mustFinding("server-chain", "FAIL"), mustFinding("server-hostname", "PASS"))},
		{name: "plain-tcp-port", uri: plainD.URI("127.0.0.1", goodPKI), ports: []int{plainD.Port}, dirs: []string{goodPKI},
			virshSays: "TLS handshake failed",
			check:     all(accepted(nil), mustFinding("plain-tcp-port", "FAIL"))},
		{name: "plain-client-on-tls-port", uri: strings.Replace(goodD.URI("127.0.0.1", ""), "+tls", "+tcp", 1), ports: []int{goodD.Port},
			virshSays: "Cannot recv data",
			check:     all(accepted(nil), mustFinding("tls-port-plain-client", "FAIL"))},
		{name: "closed-port", uri: "test+tls://127.0.0.1:" + strconv.Itoa(closed) + "/default?pkipath=" + goodPKI, ports: []int{closed}, dirs: []string{goodPKI},
			virshSays: "Connection refused",
			check:     all(accepted(nil), mustFinding("tcp-refused", "FAIL"))},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			logBefore := 0
			if sc.quietDaemon != nil {
				logBefore = len(sc.quietDaemon.Log())
			}
			r := runProbe(t, append(append([]string{}, sc.args...), sc.uri)...)
			// virsh connects after the probe's connections are closed, so
			// by the time it returns the daemon has handled them.
			v := libvirttest.Virsh(sc.uri)
			if sc.quietDaemon != nil {
				if l := sc.quietDaemon.Log()[logBefore:]; strings.Contains(l, "error :") {
					t.Errorf("the daemon logged errors while probed:\n%s", l)
				}
			}
			if v.OK() != sc.virshOK {
				t.Fatalf("virsh ok=%v, scenario expects %v:\n%s%s", v.OK(), sc.virshOK, v.Stdout, v.Stderr)
			}
			t.Logf("virsh ok=%v %s; probe exit %d", v.OK(), strings.TrimSpace(probeLastLine(v.Stderr)), r.exitCode)
			if sc.virshSays != "" && !strings.Contains(v.Stderr, sc.virshSays) {
				t.Errorf("virsh did not say %q:\n%s", sc.virshSays, v.Stderr)
			}
			if ourOK := r.exitCode == 0; ourOK != v.OK() {
				t.Errorf("probe exit %d but virsh ok=%v:\n%s", r.exitCode, v.OK(), r.text)
			}
			if r.exitCode != 0 && r.exitCode != 1 {
				t.Errorf("probe exit code %d, want 0 or 1", r.exitCode)
			}
			sc.check(t, r)
			compareGolden(t, sc.name+".json", normaliseProbe(r.rawJSON, sc.ports, sc.dirs))
			compareGolden(t, sc.name+".txt", normaliseProbe(r.text, sc.ports, sc.dirs))
			if t.Failed() {
				t.Logf("probe output:\n%s", r.text)
			}
		})
	}
}

func fmtBoolPtr(b *bool) string {
	if b == nil {
		return "null"
	}
	return strconv.FormatBool(*b)
}

// probeClosedPort returns a loopback port nothing listens on.
func probeClosedPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// TestProbeUsageExitCode: usage errors exit 2, so pipelines can tell them
// from failed targets (exit 1).
func TestProbeUsageExitCode(t *testing.T) {
	for _, args := range [][]string{{}, {"qemu:///system"}, {"--format", "xml", "h"}, {"--cert", "c.pem", "h"}} {
		cmd := exec.Command(Bin(), append([]string{"probe"}, args...)...)
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("probe %q: %v, want exit status 2", args, err)
		}
	}
}

func probeLastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndex(s, "\n")+1:]
}

// TestProbeJSONShape checks every pinned probe report against the shape
// the probe issue specifies: {"targets":[{"target","address",
// "tls_versions":[],"cipher","server_chain":[],"server_identity_ok":bool,
// "chain_ok":bool,"client_cert_requested":bool,"acceptable_cas":[],
// "client_cert_sent":bool,"client_accepted":bool|null,
// "findings":[{"id","status","message","fix"}]}]} (findings also carry
// "path"), with client_accepted null only when no handshake completed.
func TestProbeJSONShape(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "probe", "*.json"))
	if len(files) == 0 {
		t.Fatal("no pinned probe JSON in testdata/probe")
	}
	kinds := map[string]string{
		"target": "string", "address": "string", "tls_versions": "array", "cipher": "string",
		"server_chain": "array", "server_identity_ok": "bool", "chain_ok": "bool",
		"client_cert_requested": "bool", "acceptable_cas": "array", "client_cert_sent": "bool",
		"client_accepted": "bool|null", "findings": "array",
	}
	kindOf := func(v any) string {
		switch v.(type) {
		case string:
			return "string"
		case bool:
			return "bool"
		case []any:
			return "array"
		case nil:
			return "null"
		}
		return "other"
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		targets, ok := doc["targets"].([]any)
		if !ok || len(doc) != 1 {
			t.Errorf("%s: want an object with only \"targets\", an array", f)
			continue
		}
		for _, x := range targets {
			tg := x.(map[string]any)
			for key, want := range kinds {
				v, present := tg[key]
				if got := kindOf(v); !present || !strings.Contains(want, got) {
					t.Errorf("%s: %q is %s (present %v), want %s", f, key, got, present, want)
				}
			}
			completed := len(tg["tls_versions"].([]any)) > 0
			if (tg["client_accepted"] == nil) == completed && tg["transport"] == "tls" {
				t.Errorf("%s: client_accepted %v with tls_versions %v", f, tg["client_accepted"], tg["tls_versions"])
			}
			for _, y := range tg["findings"].([]any) {
				fd := y.(map[string]any)
				for _, key := range []string{"id", "status", "message", "fix", "path"} {
					if _, ok := fd[key].(string); !ok {
						t.Errorf("%s: finding %v lacks string %q", f, fd["id"], key)
					}
				}
				if len(fd) != 5 {
					t.Errorf("%s: finding %v has keys beyond id, status, message, fix, path", f, fd["id"])
				}
			}
		}
	}
}

// TestExpiryEndpointSendsClientCertificate: `virt-pki expiry` presents the
// client certificate libvirt would use (from the URI's pkipath, or
// --cert/--key) to a server that asks for one, so that libvirtd has no
// reason to log a refusal; without one it still reports the chain.
func TestExpiryEndpointSendsClientCertificate(t *testing.T) {
	ca := pkitest.CA(t, "Expiry CA")
	srv := pkitest.Server(t, ca, "localhost", "localhost", "127.0.0.1")
	client := pkitest.Client(t, ca, pkix.Name{CommonName: "monitor"})
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{srv.DER}, PrivateKey: srv.Key}},
		ClientAuth:   tls.VerifyClientCertIfGiven, ClientCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	seen := make(chan string, 8) // the client CN each connection presented
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				tc := c.(*tls.Conn)
				if tc.Handshake() != nil {
					seen <- "(abandoned)"
					return
				}
				cn := "(none)"
				if pc := tc.ConnectionState().PeerCertificates; len(pc) > 0 {
					cn = pc[0].Subject.CommonName
				}
				tc.Write([]byte{1}) // libvirt's confirmation byte
				seen <- cn
			}()
		}
	}()
	dir := t.TempDir()
	pki := filepath.Join(dir, "pki")
	pkitest.WriteFile(t, pki, "cacert.pem", ca.CertPEM(), 0o600)
	cert, key := client.WritePair(t, pki, "clientcert.pem", "clientkey.pem")
	empty := filepath.Join(dir, "empty")
	pkitest.WriteFile(t, empty, "cacert.pem", ca.CertPEM(), 0o600)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"--cert/--key", []string{"--cert", cert, "--key", key, ln.Addr().String()}, "monitor"},
		{"pkipath", []string{"test+tls://127.0.0.1:" + port + "/default?pkipath=" + pki}, "monitor"},
		{"no credentials", []string{"test+tls://127.0.0.1:" + port + "/default?pkipath=" + empty}, "(abandoned)"},
	} {
		cmd := exec.Command(Bin(), append([]string{"expiry", "--format", "json"}, c.args...)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, out)
		}
		var rep struct {
			Certificates []struct {
				Subject string `json:"subject"`
				Status  string `json:"status"`
			} `json:"certificates"`
		}
		if err := json.Unmarshal(out, &rep); err != nil || len(rep.Certificates) != 1 || rep.Certificates[0].Subject != "O=Test,CN=localhost" {
			t.Errorf("%s: report %s (%v), want the server certificate", c.name, out, err)
		}
		if got := <-seen; got != c.want {
			t.Errorf("%s: the server saw client certificate %s, want %s", c.name, got, c.want)
		}
	}
}
