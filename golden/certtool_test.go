package golden

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// certtoolRun runs certtool (real=true: GnuTLS's; else our personality) in
// dir and fails the test on a non-zero exit.
func certtoolRun(t *testing.T, real bool, dir string, args ...string) string {
	t.Helper()
	var cmd *exec.Cmd
	if real {
		cmd = exec.Command("certtool", args...)
	} else {
		cmd = exec.Command(Bin(), append([]string{"certtool"}, args...)...)
	}
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if out, err := cmd.Output(); err != nil {
		t.Fatalf("%v certtool %v: %v\n%s%s", map[bool]string{true: "GnuTLS", false: "virt-pki"}[real], args, err, out, stderr.Bytes())
	}
	return stderr.String()
}

// varyingLines are the lines of certtool's generation dump that differ
// between any two runs (serial, times).
var varyingLines = regexp.MustCompile(`(?m)^(\tSerial Number \(hex\): |\t\tNot (Before|After): |Expiration time: |CA expiration time: ).*$`)

// ourWarnings are the template warnings only virt-pki prints
// ("server.info:3: warning: ...").
var ourWarnings = regexp.MustCompile(`(?m)^[^\s:]+:\d+: warning: .*\n`)

// outlivesCA is the warning both tools print when the leaf would expire
// after its CA. With default validities it depends on whether the leaf is
// made in a later second than the CA, so it is timing, not behaviour.
var outlivesCA = regexp.MustCompile(`(?m)\n?^Expiration time: .*\nCA expiration time: .*\nWarning: The time set exceeds the CA's expiration time\n`)

func normalizeDump(s string) string {
	s = outlivesCA.ReplaceAllString(s, "")
	return varyingLines.ReplaceAllString(ourWarnings.ReplaceAllString(s, ""), "$1…")
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("%s: no PEM", path)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// compareCerts lists every difference between certtool's certificate and
// ours that is not random (serial value, signature) or time of day.
func compareCerts(ref, got *x509.Certificate) []string {
	var d []string
	if ref.Version != got.Version {
		d = append(d, fmt.Sprintf("version %d vs %d", ref.Version, got.Version))
	}
	if !bytes.Equal(ref.RawSubject, got.RawSubject) {
		d = append(d, fmt.Sprintf("subject bytes %x vs %x", ref.RawSubject, got.RawSubject))
	}
	if !bytes.Equal(ref.RawIssuer, got.RawIssuer) {
		d = append(d, fmt.Sprintf("issuer bytes %x vs %x", ref.RawIssuer, got.RawIssuer))
	}
	if ref.SignatureAlgorithm != got.SignatureAlgorithm {
		d = append(d, fmt.Sprintf("signature algorithm %v vs %v", ref.SignatureAlgorithm, got.SignatureAlgorithm))
	}
	if lr, lg := ref.NotAfter.Sub(ref.NotBefore), got.NotAfter.Sub(got.NotBefore); lr != lg {
		d = append(d, fmt.Sprintf("validity %v vs %v", lr, lg))
	}
	if len(ref.SerialNumber.Bytes()) < 19 || len(got.SerialNumber.Bytes()) < 19 {
		d = append(d, fmt.Sprintf("serial sizes %d vs %d bytes", len(ref.SerialNumber.Bytes()), len(got.SerialNumber.Bytes())))
	}
	if len(ref.Extensions) != len(got.Extensions) {
		d = append(d, fmt.Sprintf("%d extensions vs %d", len(ref.Extensions), len(got.Extensions)))
	}
	for i := 0; i < len(ref.Extensions) && i < len(got.Extensions); i++ {
		r, g := ref.Extensions[i], got.Extensions[i]
		if !r.Id.Equal(g.Id) || r.Critical != g.Critical || !bytes.Equal(r.Value, g.Value) {
			d = append(d, fmt.Sprintf("extension %d: %v crit=%v %x vs %v crit=%v %x", i, r.Id, r.Critical, r.Value, g.Id, g.Critical, g.Value))
		}
	}
	return d
}

// TestCerttoolEquivalence gives GnuTLS certtool and our certtool the same
// keys, CA and templates (the libvirt guide's, with and without
// encryption_key, plus one using most template features) for RSA and ECDSA
// subject and CA keys, and compares the certificates and the information
// both print on stderr while generating them.
func TestCerttoolEquivalence(t *testing.T) {
	if _, err := exec.LookPath("certtool"); err != nil {
		t.Skip("certtool is not installed (apt-get install gnutls-bin)")
	}
	leafTemplates := map[string]string{
		"server.info":    guideServerInfo,
		"client.info":    guideClientInfo,
		"server-ek.info": guideServerInfo + "encryption_key\n",
		"client-ek.info": guideClientInfo + "encryption_key\n",
		"rich.info": "dn = \"UID=u1,OU=Ops\"\ncountry = DE\norganization = Ünïcödé GmbH\nunit = \"a, b\"\ncn = rich.example\n" +
			"dc = example\ndc = org\ndns_name = rich.example\nuri = https://rich.example/\nip_address = ::1\nemail = a@rich.example\n" +
			"tls_www_client\nkey_purpose_oid = 1.3.6.1.5.5.7.3.4\nsigning_key\ndata_encipherment\nexpiration_days = 30\n" +
			"crl_dist_points = http://crl.example/ca.crl\nocsp_uri = http://ocsp.example/\n",
		"purposes.info": "cn = p\ndns_name = d.example\nemail = a@b.example\ntls_www_server\ntls_www_client\ncode_signing_key\n" +
			"ocsp_signing_key\nkey_purpose_oid = 1.2.3.4\nencryption_key\nadd_extension = \"1.2.3.5 0x0403414243\"\ntls_feature = 5\n",
	}
	for _, keyType := range []string{"rsa", "ecdsa"} {
		t.Run(keyType, func(t *testing.T) {
			dir := t.TempDir()
			w := func(name, text string) {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			w("ca.info", guideCAInfo)
			for n, text := range leafTemplates {
				w(n, text)
			}
			// Keys from GnuTLS, shared by both tools.
			certtoolRun(t, true, dir, "--generate-privkey", "--key-type", keyType, "--outfile", "cakey.pem")
			certtoolRun(t, true, dir, "--generate-privkey", "--key-type", keyType, "--outfile", "leafkey.pem")
			refDump := certtoolRun(t, true, dir, "--generate-self-signed", "--load-privkey", "cakey.pem", "--template", "ca.info", "--outfile", "ref-ca.pem")
			ourDump := certtoolRun(t, false, dir, "--generate-self-signed", "--load-privkey", "cakey.pem", "--template", "ca.info", "--outfile", "our-ca.pem")
			if normalizeDump(refDump) != normalizeDump(ourDump) {
				t.Errorf("ca.info: the stderr dump differs:\n--- certtool\n%s\n--- ours\n%s", refDump, ourDump)
			}
			if d := compareCerts(readCert(t, filepath.Join(dir, "ref-ca.pem")), readCert(t, filepath.Join(dir, "our-ca.pem"))); len(d) > 0 {
				t.Errorf("ca.info: %s", strings.Join(d, "; "))
			}
			for name := range leafTemplates {
				args := []string{"--generate-certificate", "--load-privkey", "leafkey.pem", "--load-ca-certificate", "ref-ca.pem",
					"--load-ca-privkey", "cakey.pem", "--template", name, "--outfile"}
				refDump := certtoolRun(t, true, dir, append(args, "ref-"+name+".pem")...)
				ourDump := certtoolRun(t, false, dir, append(args, "our-"+name+".pem")...)
				if normalizeDump(refDump) != normalizeDump(ourDump) {
					t.Errorf("%s: the stderr dump differs:\n--- certtool\n%s\n--- ours\n%s", name, refDump, ourDump)
				}
				ref, got := readCert(t, filepath.Join(dir, "ref-"+name+".pem")), readCert(t, filepath.Join(dir, "our-"+name+".pem"))
				if d := compareCerts(ref, got); len(d) > 0 {
					t.Errorf("%s: %s", name, strings.Join(d, "; "))
				}
				// Requests from the same key and template.
				certtoolRun(t, true, dir, "--generate-request", "--load-privkey", "leafkey.pem", "--template", name, "--outfile", "ref-"+name+".csr")
				certtoolRun(t, false, dir, "--generate-request", "--load-privkey", "leafkey.pem", "--template", name, "--outfile", "our-"+name+".csr")
				if d := compareRequests(readRequest(t, filepath.Join(dir, "ref-"+name+".csr")), readRequest(t, filepath.Join(dir, "our-"+name+".csr"))); len(d) > 0 {
					t.Errorf("%s request: %s", name, strings.Join(d, "; "))
				}
				// Both verify against the CA with GnuTLS.
				for _, f := range []string{"ref-", "our-"} {
					cmd := exec.Command("certtool", "--verify", "--load-ca-certificate", "ref-ca.pem", "--infile", f+name+".pem")
					cmd.Dir = dir
					if out, err := cmd.CombinedOutput(); err != nil {
						t.Errorf("%s%s does not verify with GnuTLS: %v\n%s", f, name, err, out)
					}
				}
			}
		})
	}
}

func readRequest(t *testing.T, path string) *x509.CertificateRequest {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			t.Fatalf("%s: no request PEM", path)
		}
		if b.Type == "NEW CERTIFICATE REQUEST" {
			csr, err := x509.ParseCertificateRequest(b.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			return csr
		}
	}
}

// compareRequests lists the differences in subject, signature algorithm
// and requested extensions (OID, criticality, value, order).
func compareRequests(ref, got *x509.CertificateRequest) []string {
	var d []string
	if !bytes.Equal(ref.RawSubject, got.RawSubject) {
		d = append(d, fmt.Sprintf("subject bytes %x vs %x", ref.RawSubject, got.RawSubject))
	}
	if ref.SignatureAlgorithm != got.SignatureAlgorithm {
		d = append(d, fmt.Sprintf("signature algorithm %v vs %v", ref.SignatureAlgorithm, got.SignatureAlgorithm))
	}
	if len(ref.Extensions) != len(got.Extensions) {
		d = append(d, fmt.Sprintf("%d extensions vs %d", len(ref.Extensions), len(got.Extensions)))
	}
	for i := 0; i < len(ref.Extensions) && i < len(got.Extensions); i++ {
		r, g := ref.Extensions[i], got.Extensions[i]
		if !r.Id.Equal(g.Id) || r.Critical != g.Critical || !bytes.Equal(r.Value, g.Value) {
			d = append(d, fmt.Sprintf("extension %d: %v crit=%v %x vs %v crit=%v %x", i, r.Id, r.Critical, r.Value, g.Id, g.Critical, g.Value))
		}
	}
	return d
}
