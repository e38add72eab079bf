package libvirtcert

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
	"github.com/virt-pki/virt-pki/x509oid"
)

func TestMatchHostname(t *testing.T) {
	ca := pkitest.CA(t, "CA")
	serverEKU := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	clientEKU := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	mk := func(cn string, dns []string, ips []string, eku []x509.ExtKeyUsage) *x509.Certificate {
		spec := pkitest.Spec{Subject: pkix.Name{CommonName: cn}, DNS: dns, EKU: eku}
		for _, ip := range ips {
			spec.IPs = append(spec.IPs, net.ParseIP(ip))
		}
		return pkitest.New(t, spec, ca).Cert
	}
	sans := mk("cn.example", []string{"host.example", "*.wild.example", "*x.part.example", "*.com"}, []string{"192.0.2.1", "2001:db8::1"}, serverEKU)
	cnOnly := mk("Compute1.Example", nil, nil, nil)
	cnOnlyClientEKU := mk("compute1.example", nil, nil, clientEKU)
	ipOnly := mk("compute1.example", nil, []string{"192.0.2.1"}, nil)
	cnIP := mk("192.0.2.7", nil, nil, nil)
	twoCN := pkitest.New(t, pkitest.Spec{RawSubject: testName(testRDN(testATV(x509oid.CommonName, pkitest.TLV(0x0c, []byte("a.example")))), testRDN(testATV(x509oid.CommonName, pkitest.TLV(0x0c, []byte("b.example")))))}, ca).Cert
	commaCN := pkitest.New(t, pkitest.Spec{RawSubject: cnName(pkitest.TLV(0x0c, []byte("a,b")))}, ca).Cert

	cases := []struct {
		name string
		cert *x509.Certificate
		host string
		want bool
	}{
		{"dns-san", sans, "host.example", true},
		{"dns-san-case", sans, "HOST.Example", true},
		{"cn-ignored-with-san", sans, "cn.example", false},
		{"wildcard", sans, "a.wild.example", true},
		{"wildcard-not-apex", sans, "wild.example", false},
		{"wildcard-one-label", sans, "a.b.wild.example", false},
		{"wildcard-partial", sans, "abcx.part.example", true},
		{"wildcard-partial-mismatch", sans, "abc.part.example", false},
		{"wildcard-too-short", sans, "a.com", false},
		{"ipv4-san", sans, "192.0.2.1", true},
		{"ipv6-san", sans, "2001:db8:0::1", true},
		{"ipv6-not-v4", sans, "::ffff:192.0.2.1", false},
		{"ip-not-in-san", sans, "192.0.2.2", false},
		{"cn-fallback", cnOnly, "compute1.example", true},
		{"cn-fallback-case", cnOnly, "COMPUTE1.EXAMPLE", true},
		{"cn-fallback-needs-server-purpose", cnOnlyClientEKU, "compute1.example", false},
		{"ip-san-blocks-cn", ipOnly, "compute1.example", false},
		{"ip-never-matches-cn", cnIP, "192.0.2.7", false},
		{"two-cns", twoCN, "a.example", false},
		{"escaped-cn", commaCN, "a,b", false},
		{"leading-zero-ipv4-is-a-name", cnOnly, "010.0.0.1", false},
	}
	for _, c := range cases {
		if got := MatchHostname(c.cert, c.host); got != c.want {
			t.Errorf("%s: MatchHostname(%q) = %v, want %v", c.name, c.host, got, c.want)
		}
	}
}
