package tlsprobe

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/pkitest"
	"github.com/virt-pki/virt-pki/libvirtcert"
	"github.com/virt-pki/virt-pki/tlsprobe/internal/fakelibvirtd"
)

// pkiDir writes a pkipath directory: ca as cacert.pem, client's pair.
func pkiDir(t *testing.T, ca, client *pkitest.Cert) string {
	dir := t.TempDir()
	pkitest.WriteFile(t, dir, "cacert.pem", ca.CertPEM(), 0o600)
	if client != nil {
		client.WritePair(t, dir, "clientcert.pem", "clientkey.pem")
	}
	return dir
}

func probeURI(t *testing.T, opts Options, uri string) *Result {
	t.Helper()
	tg, err := ParseTarget(uri)
	if err != nil {
		t.Fatal(err)
	}
	return New(opts).Probe(context.Background(), tg)
}

func status(r *Result, id string) finding.Status {
	for _, f := range r.Findings {
		if f.ID == id {
			return f.Status
		}
	}
	return ""
}

func TestProbeAcceptedAndDNList(t *testing.T) {
	ca := pkitest.CA(t, "Probe CA")
	srv := pkitest.Server(t, ca, "localhost", "localhost", "127.0.0.1")
	s := startFake(t, srv, ca, func(c *x509.Certificate) bool { return c.Subject.CommonName == "client1" })
	dir := pkiDir(t, ca, pkitest.Client(t, ca, clientName()))
	uri := "test+tls://localhost:" + itoa(s.Port()) + "/default?pkipath=" + dir

	r := probeURI(t, Options{AllowedDN: []string{"C=GB,O=Probe Org,CN=client*"}, AllowedDNSet: true}, uri)
	if r.ClientAccepted == nil || !*r.ClientAccepted || !r.ClientCertSent || !r.ClientCertRequested {
		t.Fatalf("accepted=%v sent=%v requested=%v: %+v", r.ClientAccepted, r.ClientCertSent, r.ClientCertRequested, r.Findings)
	}
	if len(r.TLSVersions) != 2 || r.TLSVersions[0] != "TLS 1.3" {
		t.Errorf("tls_versions = %v", r.TLSVersions)
	}
	if len(r.AcceptableCAs) != 1 || r.AcceptableCAs[0] != "CN=Probe CA" {
		t.Errorf("acceptable_cas = %q", r.AcceptableCAs)
	}
	if got := status(r, "client-dn-allowed"); got != finding.Pass {
		t.Errorf("client-dn-allowed = %q; findings %+v", got, r.Findings)
	}
	if !r.OK() || !r.ServerIdentityOK || !r.ChainOK {
		t.Errorf("good endpoint not OK: %+v", r.Findings)
	}

	// The daemon's list says no: the same probe explains the refusal.
	deny := startFake(t, srv, ca, func(*x509.Certificate) bool { return false })
	uri = "test+tls://localhost:" + itoa(deny.Port()) + "/default?pkipath=" + dir
	r = probeURI(t, Options{AllowedDN: []string{"CN=client1,O=Probe Org,C=GB"}, AllowedDNSet: true, AllowedDNFrom: "--allowed-dn"}, uri)
	if r.ClientAccepted == nil || *r.ClientAccepted {
		t.Fatalf("client_accepted = %v, want false", r.ClientAccepted)
	}
	if status(r, "client-rejected") != finding.Fail || status(r, "client-dn-not-allowed") != finding.Fail {
		t.Errorf("rejection not explained by the DN list: %+v", r.Findings)
	}
}

func TestProbeWithheldAndForcedCertificate(t *testing.T) {
	ca := pkitest.CA(t, "Server CA")
	other := pkitest.CA(t, "Other CA")
	srv := pkitest.Server(t, ca, "localhost", "localhost")
	s := startFake(t, srv, ca, nil)
	dir := pkiDir(t, ca, pkitest.Client(t, other, clientName()))
	uri := "test+tls://localhost:" + itoa(s.Port()) + "/default?pkipath=" + dir

	r := probeURI(t, Options{}, uri)
	if r.ClientCertSent || status(r, "client-cert-withheld") != finding.Fail {
		t.Errorf("sent=%v, findings %+v; want the certificate withheld", r.ClientCertSent, r.Findings)
	}
	if r.ClientAccepted == nil || *r.ClientAccepted {
		t.Errorf("client_accepted = %v, want false", r.ClientAccepted)
	}
	r = probeURI(t, Options{ForceClientCert: true}, uri)
	if !r.ClientCertSent || status(r, "client-cert-forced") != finding.Warn || status(r, "client-cert-unknown-issuer") != finding.Fail {
		t.Errorf("forced: sent=%v, findings %+v", r.ClientCertSent, r.Findings)
	}
}

func TestProbeMissingClientCertificate(t *testing.T) {
	ca := pkitest.CA(t, "Probe CA")
	s := startFake(t, pkitest.Server(t, ca, "localhost", "localhost"), ca, nil)
	dir := pkiDir(t, ca, nil)
	r := probeURI(t, Options{}, "test+tls://localhost:"+itoa(s.Port())+"/default?pkipath="+dir)
	if status(r, "client-cert-missing") != finding.Fail || status(r, "client-rejected") != finding.Fail || r.ClientCertSent {
		t.Errorf("findings %+v", r.Findings)
	}
}

func TestProbeTLS12OnlyServer(t *testing.T) {
	ca := pkitest.CA(t, "Probe CA")
	srv := pkitest.Server(t, ca, "localhost", "localhost")
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	s, err := fakelibvirtd.Start(fakelibvirtd.Options{Certificate: tlsPair(srv), ClientCAs: pool, MaxVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := pkiDir(t, ca, pkitest.Client(t, ca, clientName()))
	r := probeURI(t, Options{}, "test+tls://localhost:"+itoa(s.Port())+"/default?pkipath="+dir)
	if len(r.TLSVersions) != 1 || r.TLSVersions[0] != "TLS 1.2" {
		t.Errorf("tls_versions = %v, want only TLS 1.2", r.TLSVersions)
	}
	if r.ClientAccepted == nil || !*r.ClientAccepted {
		t.Errorf("not accepted over TLS 1.2: %+v", r.Findings)
	}
}

func TestProbeConnectOverride(t *testing.T) {
	ca := pkitest.CA(t, "Probe CA")
	s := startFake(t, pkitest.Server(t, ca, "libvirt.example", "libvirt.example"), ca, nil)
	dir := pkiDir(t, ca, pkitest.Client(t, ca, clientName()))
	tg, err := ParseTarget("qemu+tls://libvirt.example/system?pkipath=" + dir)
	if err != nil {
		t.Fatal(err)
	}
	tg.Connect = s.Addr()
	r := New(Options{}).Probe(context.Background(), tg)
	if r.Address != s.Addr() || r.Host != "libvirt.example" {
		t.Errorf("address %s host %s", r.Address, r.Host)
	}
	if status(r, "server-hostname") != finding.Pass {
		t.Errorf("the URI host was not judged against the certificate: %+v", r.Findings)
	}
}

func TestCredentialsLookup(t *testing.T) {
	ca := pkitest.CA(t, "Probe CA")
	client := pkitest.Client(t, ca, clientName())
	root := t.TempDir()
	home := t.TempDir()
	// Non-root: the CA from ~/.pki/libvirt, but only half a client pair
	// there, so the pair falls back to the system files.
	userDir := filepath.Join(home, ".pki", "libvirt")
	pkitest.WriteFile(t, userDir, "cacert.pem", ca.CertPEM(), 0o600)
	pkitest.WriteFile(t, userDir, "clientcert.pem", client.CertPEM(), 0o600)
	client.WritePair(t, filepath.Join(root, "etc/pki/libvirt"), "clientcert.pem", "private/clientkey.pem")

	tg, _ := ParseTarget("qemu+tls://h/system")
	src := CredentialsSource{Root: root, Home: home, EUID: 1000}
	rep := src.locate(tg)
	if rep.CACert != filepath.Join(userDir, "cacert.pem") {
		t.Errorf("CA = %s", rep.CACert)
	}
	if rep.ClientCert != filepath.Join(root, "etc/pki/libvirt/clientcert.pem") || rep.ClientKey != filepath.Join(root, "etc/pki/libvirt/private/clientkey.pem") {
		t.Errorf("client pair = %s, %s; want the system pair", rep.ClientCert, rep.ClientKey)
	}
	if !strings.Contains(strings.Join(rep.Why, "\n"), "ignored too") {
		t.Errorf("why does not explain the pair fallback: %q", rep.Why)
	}
	c := loadCredentials(rep, false, time.Now(), libvirtcert.Options{})
	if c.cert == nil {
		t.Errorf("system pair not loaded: %+v", c.findings)
	}

	// Explicit files win.
	src.CACert, src.Cert, src.Key = "/x/ca.pem", "/x/c.pem", "/x/k.pem"
	rep = src.locate(tg)
	if rep.CACert != "/x/ca.pem" || rep.ClientCert != "/x/c.pem" || rep.ClientKey != "/x/k.pem" {
		t.Errorf("explicit files ignored: %+v", rep)
	}
}

func TestProbeRevokedServerCertificate(t *testing.T) {
	ca := pkitest.CA(t, "Probe CA")
	srv := pkitest.Server(t, ca, "localhost", "localhost")
	s := startFake(t, srv, ca, nil)
	dir := pkiDir(t, ca, pkitest.Client(t, ca, clientName()))
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1),
		ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: srv.Cert.SerialNumber, RevocationTime: time.Now().Add(-time.Minute)}}},
		ca.Cert, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	pkitest.WriteFile(t, dir, "cacrl.pem", pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o600)
	r := probeURI(t, Options{}, "test+tls://localhost:"+itoa(s.Port())+"/default?pkipath="+dir)
	if status(r, "server-cert-revoked") != finding.Fail || r.ChainOK {
		t.Errorf("revoked server certificate not reported: chain_ok=%v %+v", r.ChainOK, r.Findings)
	}
	if r.Credentials.CRL == "" {
		t.Error("the CRL in the pkipath is not listed among the credentials")
	}
}

// TestGoVerdictDiffers: a server certificate with only the TLS Web Client
// purpose (non-critical) passes libvirt with a warning, and the probe says
// that Go refuses it.
func TestGoVerdictDiffers(t *testing.T) {
	ca := pkitest.CA(t, "Probe CA")
	srv := pkitest.New(t, pkitest.Spec{Subject: clientName(), DNS: []string{"localhost"}, IsCA: pkitest.Bool(false), BCCrit: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, KUCrit: true,
		EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, ca)
	s := startFake(t, srv, ca, nil)
	dir := pkiDir(t, ca, pkitest.Client(t, ca, clientName()))
	r := probeURI(t, Options{}, "test+tls://localhost:"+itoa(s.Port())+"/default?pkipath="+dir)
	if status(r, "server-cert-eku-no-server") != finding.Warn || status(r, "go-rejects-server-cert") != finding.Warn {
		t.Errorf("findings %+v", r.Findings)
	}
	if !r.ServerIdentityOK || !r.OK() {
		t.Errorf("libvirt accepts this certificate; identity_ok=%v", r.ServerIdentityOK)
	}
}

// TestNoVerifyDowngradesIdentityFailures: with no_verify=1 libvirt connects
// despite a wrong host name, so the probe warns (and flags the setting)
// instead of failing, while server_identity_ok stays false.
func TestNoVerifyDowngradesIdentityFailures(t *testing.T) {
	ca := pkitest.CA(t, "Probe CA")
	s := startFake(t, pkitest.Server(t, ca, "other.example", "other.example"), ca, nil)
	dir := pkiDir(t, ca, pkitest.Client(t, ca, clientName()))
	base := "test+tls://localhost:" + itoa(s.Port()) + "/default?pkipath=" + dir
	r := probeURI(t, Options{}, base)
	if status(r, "server-hostname") != finding.Fail || r.OK() {
		t.Fatalf("without no_verify: %+v", r.Findings)
	}
	r = probeURI(t, Options{}, base+"&no_verify=1")
	if status(r, "server-hostname") != finding.Warn || status(r, "no-verify") != finding.Warn || !r.OK() || r.ServerIdentityOK {
		t.Errorf("with no_verify=1: ok=%v identity=%v %+v", r.OK(), r.ServerIdentityOK, r.Findings)
	}
}

// TestServerIdentityNeedsAVerifiedChain: server_identity_ok is the libvirt
// client's verdict on the server certificate, so a certificate for the
// right host name that does not verify (unknown CA, expired, no CA file)
// is not an identity the client accepts.
func TestServerIdentityNeedsAVerifiedChain(t *testing.T) {
	ca := pkitest.CA(t, "Probe CA")
	other := pkitest.CA(t, "Other CA")
	client := pkitest.Client(t, ca, clientName())
	expired := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "localhost"}, DNS: []string{"localhost"}, IsCA: pkitest.Bool(false), BCCrit: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, KUCrit: true,
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}, ca)
	for _, tc := range []struct {
		name string
		srv  *pkitest.Cert
		id   string
	}{
		{"unknown CA", pkitest.Server(t, other, "localhost", "localhost"), "server-chain"},
		{"expired", expired, "server-chain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startFake(t, tc.srv, ca, nil)
			r := probeURI(t, Options{}, "test+tls://localhost:"+itoa(s.Port())+"/default?pkipath="+pkiDir(t, ca, client))
			if status(r, tc.id) != finding.Fail || status(r, "server-hostname") != finding.Pass {
				t.Fatalf("findings %+v", r.Findings)
			}
			if r.ChainOK || r.ServerIdentityOK {
				t.Errorf("chain_ok=%v server_identity_ok=%v; libvirt refuses this certificate", r.ChainOK, r.ServerIdentityOK)
			}
		})
	}
}
