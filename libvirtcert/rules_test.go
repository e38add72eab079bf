package libvirtcert

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// problems summarises CheckCertificate's result as "id" or "id!" (fatal).
func problems(ps []Problem) string {
	var out []string
	for _, p := range ps {
		s := p.ID
		if p.Fatal {
			s += "!"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

var leafSubject = pkix.Name{Organization: []string{"Test"}, CommonName: "host.example"}

func TestCheckCertificateGoodCertificates(t *testing.T) {
	now := time.Now()
	ca := pkitest.CA(t, "CA")
	for role, c := range map[Role]*pkitest.Cert{
		RoleCA:     ca,
		RoleServer: pkitest.Server(t, ca, "host.example", "host.example"),
		RoleClient: pkitest.Client(t, ca, leafSubject),
	} {
		if ps := CheckCertificate(c.Cert, role, now, Options{}); len(ps) != 0 {
			t.Errorf("good %s certificate: %s", role, problems(ps))
		}
	}
}

func TestCheckCertificateRules(t *testing.T) {
	now := time.Now()
	ca := pkitest.CA(t, "CA")
	yes, no := pkitest.Bool(true), pkitest.Bool(false)
	leafKU := x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	server := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	client := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	cases := []struct {
		name string
		spec pkitest.Spec
		role Role
		opts Options
		want string
	}{
		{"expired", pkitest.Spec{Subject: leafSubject, NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-time.Hour)}, RoleServer, Options{}, "expired!"},
		{"not-yet-valid", pkitest.Spec{Subject: leafSubject, NotBefore: now.Add(time.Hour), NotAfter: now.Add(48 * time.Hour)}, RoleClient, Options{}, "not-yet-valid!"},
		{"ca-expired", pkitest.Spec{Subject: leafSubject, IsCA: yes, NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-time.Hour)}, RoleCA, Options{}, "expired!"},
		{"leaf-is-ca", pkitest.Spec{Subject: leafSubject, IsCA: yes}, RoleServer, Options{}, "leaf-is-ca!"},
		{"leaf-is-ca-noncritical-bc", pkitest.Spec{Subject: leafSubject, IsCA: yes, BCCrit: false}, RoleClient, Options{}, "leaf-is-ca!"},
		{"leaf-without-bc", pkitest.Spec{Subject: leafSubject}, RoleServer, Options{}, ""},
		{"ca-not-ca", pkitest.Spec{Subject: leafSubject, IsCA: no, BCCrit: true}, RoleCA, Options{}, "ca-not-ca!"},
		{"ca-missing-bc", pkitest.Spec{Subject: leafSubject}, RoleCA, Options{}, "ca-missing-basic-constraints!"},
		{"ca-ku-no-certsign-critical", pkitest.Spec{Subject: leafSubject, IsCA: yes, KeyUsage: x509.KeyUsageCRLSign, KUCrit: true}, RoleCA, Options{}, "ku-no-cert-sign!"},
		{"ca-ku-no-certsign-noncritical", pkitest.Spec{Subject: leafSubject, IsCA: yes, KeyUsage: x509.KeyUsageCRLSign}, RoleCA, Options{}, "ku-no-cert-sign"},
		{"ca-without-ku", pkitest.Spec{Subject: leafSubject, IsCA: yes}, RoleCA, Options{}, ""},
		{"ca-with-eku-is-fine", pkitest.Spec{Subject: leafSubject, IsCA: yes, EKU: client, EKUCrit: true}, RoleCA, Options{}, ""},
		{"leaf-no-ds-critical", pkitest.Spec{Subject: leafSubject, KeyUsage: x509.KeyUsageKeyEncipherment, KUCrit: true}, RoleServer, Options{}, "ku-no-digital-signature! gnutls-will-not-use!"},
		{"leaf-no-ds-noncritical", pkitest.Spec{Subject: leafSubject, KeyUsage: x509.KeyUsageKeyEncipherment}, RoleServer, Options{}, "ku-no-digital-signature gnutls-will-not-use!"},
		{"leaf-no-ke-critical", pkitest.Spec{Subject: leafSubject, KeyUsage: x509.KeyUsageDigitalSignature, KUCrit: true}, RoleClient, Options{}, "ku-no-key-encipherment!"},
		{"leaf-no-ke-noncritical", pkitest.Spec{Subject: leafSubject, KeyUsage: x509.KeyUsageDigitalSignature}, RoleClient, Options{}, "ku-no-key-encipherment"},
		{"leaf-no-ke-ec-exempt", pkitest.Spec{Subject: leafSubject, KeyUsage: x509.KeyUsageDigitalSignature, KUCrit: true}, RoleClient, Options{ECExemptFromKeyEncipherment: true}, ""},
		{"leaf-no-ke-rsa-not-exempt", pkitest.Spec{Subject: leafSubject, Key: pkitest.RSA, KeyUsage: x509.KeyUsageDigitalSignature, KUCrit: true}, RoleClient, Options{ECExemptFromKeyEncipherment: true}, "ku-no-key-encipherment!"},
		{"leaf-no-ke-ed25519-not-exempt", pkitest.Spec{Subject: leafSubject, Key: pkitest.Ed25519, KeyUsage: x509.KeyUsageDigitalSignature, KUCrit: true}, RoleClient, Options{ECExemptFromKeyEncipherment: true}, "ku-no-key-encipherment!"},
		{"leaf-without-ku", pkitest.Spec{Subject: leafSubject}, RoleClient, Options{}, ""},
		{"server-eku-client-noncritical", pkitest.Spec{Subject: leafSubject, KeyUsage: leafKU, EKU: client}, RoleServer, Options{}, "eku-no-server"},
		{"server-eku-client-critical", pkitest.Spec{Subject: leafSubject, KeyUsage: leafKU, EKU: client, EKUCrit: true}, RoleServer, Options{}, "eku-no-server!"},
		{"client-eku-server-critical", pkitest.Spec{Subject: leafSubject, KeyUsage: leafKU, EKU: server, EKUCrit: true}, RoleClient, Options{}, "eku-no-client!"},
		{"client-eku-server-noncritical", pkitest.Spec{Subject: leafSubject, KeyUsage: leafKU, EKU: server}, RoleClient, Options{}, "eku-no-client"},
		{"both-purposes", pkitest.Spec{Subject: leafSubject, KeyUsage: leafKU, EKU: append(server, client...), EKUCrit: true}, RoleClient, Options{}, ""},
		{"any-eku-alone-allows-nothing", pkitest.Spec{Subject: leafSubject, KeyUsage: leafKU, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, EKUCrit: true}, RoleServer, Options{}, "eku-no-server!"},
		{"empty-subject", pkitest.Spec{RawSubject: testName()}, RoleClient, Options{}, "empty-subject!"},
		{"unprintable-subject", pkitest.Spec{RawSubject: cnName(pkitest.TLV(0x0c, nil))}, RoleServer, Options{}, "subject-unprintable!"},
		{"ca-empty-subject-is-libvirts-business-elsewhere", pkitest.Spec{RawSubject: testName(), IsCA: yes}, RoleCA, Options{}, ""},
		{"several", pkitest.Spec{Subject: leafSubject, IsCA: yes, KeyUsage: x509.KeyUsageCertSign, EKU: client, NotAfter: now.Add(-time.Minute), NotBefore: now.Add(-time.Hour)}, RoleServer, Options{},
			"expired! leaf-is-ca! ku-no-digital-signature ku-no-key-encipherment eku-no-server gnutls-will-not-use!"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cert := pkitest.New(t, c.spec, ca)
			if got := problems(CheckCertificate(cert.Cert, c.role, now, c.opts)); got != c.want {
				t.Errorf("problems = %q, want %q", got, c.want)
			}
		})
	}
}

func TestCheckCertificateKeyPurposeOtherOIDs(t *testing.T) {
	now := time.Now()
	codeSigning := asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}
	anyEKU := asn1.ObjectIdentifier{2, 5, 29, 37, 0}
	serverAuth := asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	// libvirt counts any purpose other than anyExtendedKeyUsage as
	// allowing both roles.
	c := ekuCert(t, true, codeSigning)
	for _, role := range []Role{RoleServer, RoleClient} {
		if ps := CheckCertificate(c, role, now, Options{}); len(ps) != 0 {
			t.Errorf("codeSigning for %s: %s", role, problems(ps))
		}
	}
	c = ekuCert(t, false, anyEKU, serverAuth)
	if got := problems(CheckCertificate(c, RoleClient, now, Options{})); got != "eku-no-client" {
		t.Errorf("any+serverAuth for client: %q", got)
	}
	if got := problems(CheckCertificate(c, RoleServer, now, Options{})); got != "" {
		t.Errorf("any+serverAuth for server: %q", got)
	}
	oids, crit, present := KeyPurposes(c)
	if !present || crit || strings.Join(oids, " ") != "2.5.29.37.0 1.3.6.1.5.5.7.3.1" {
		t.Errorf("KeyPurposes = %v %v %v", oids, crit, present)
	}
}

func TestCheckCertificateValidityBoundaries(t *testing.T) {
	ca := pkitest.CA(t, "CA")
	notAfter := time.Now().Add(time.Hour).Truncate(time.Second)
	c := pkitest.New(t, pkitest.Spec{Subject: leafSubject, NotAfter: notAfter}, ca)
	// libvirt: expired when NotAfter < now, in whole seconds.
	if ps := CheckCertificate(c.Cert, RoleClient, notAfter.Add(999*time.Millisecond), Options{}); len(ps) != 0 {
		t.Errorf("within the last second: %s", problems(ps))
	}
	if got := problems(CheckCertificate(c.Cert, RoleClient, notAfter.Add(time.Second), Options{})); got != "expired!" {
		t.Errorf("a second later: %q", got)
	}
}

func TestProblemMessages(t *testing.T) {
	ca := pkitest.CA(t, "CA")
	c := pkitest.New(t, pkitest.Spec{Subject: leafSubject, KeyUsage: x509.KeyUsageDigitalSignature, KUCrit: true, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, EKUCrit: true}, ca)
	ps := CheckCertificate(c.Cert, RoleServer, time.Now(), Options{})
	want := []string{
		"Certificate /etc/pki/libvirt/servercert.pem usage does not permit key encipherment",
		"Certificate /etc/pki/libvirt/servercert.pem purpose does not allow use for with a TLS server",
	}
	if len(ps) != len(want) {
		t.Fatalf("problems: %s", problems(ps))
	}
	for i, p := range ps {
		if got := p.Text("/etc/pki/libvirt/servercert.pem"); got != want[i] {
			t.Errorf("Text = %q, want %q", got, want[i])
		}
	}
	first, ok := Fatal(ps)
	if !ok || first.ID != IDKUNoKeyEncipherment {
		t.Errorf("Fatal = %v, %v", first, ok)
	}
	expired := CheckCertificate(ca.Cert, RoleCA, time.Now().Add(20*365*24*time.Hour), Options{})
	if len(expired) == 0 || expired[0].Text("/etc/pki/CA/cacert.pem") != "The CA certificate /etc/pki/CA/cacert.pem has expired" {
		t.Errorf("CA expiry message: %+v", expired)
	}
}
