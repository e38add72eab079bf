package tlsprobe

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/internal/pkitest"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// TestLibvirtSessionCases replays libvirt's own session tests
// (tests/virnettlssessiontest.c, DO_SESS_TEST and DO_SESS_TEST_EXT): the
// same certificates, host names and tls_allowed_dn_list wildcards must give
// libvirt's verdicts on both sides: expectServerFail is libvirtd refusing
// the client, expectClientFail the client refusing the server.
func TestLibvirtSessionCases(t *testing.T) {
	uk := func(cn string) pkix.Name { return pkix.Name{Country: []string{"UK"}, CommonName: cn} }
	root := func(cn string, ku x509.KeyUsage, kuCrit bool) *pkitest.Cert {
		return pkitest.New(t, pkitest.Spec{Subject: uk(cn), IsCA: pkitest.Bool(true), BCCrit: true, KeyUsage: ku, KUCrit: kuCrit}, nil)
	}
	inter := func(cn string, issuer *pkitest.Cert) *pkitest.Cert {
		return pkitest.New(t, pkitest.Spec{Subject: uk(cn), IsCA: pkitest.Bool(true), BCCrit: true, KeyUsage: x509.KeyUsageCertSign, KUCrit: true}, issuer)
	}
	leaf := func(cn string, issuer *pkitest.Cert, eku x509.ExtKeyUsage, names ...string) *pkitest.Cert {
		spec := pkitest.Spec{Subject: uk(cn), IsCA: pkitest.Bool(false), BCCrit: true,
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, KUCrit: true,
			EKU: []x509.ExtKeyUsage{eku}, EKUCrit: true}
		for _, n := range names {
			if ip := net.ParseIP(n); ip != nil {
				spec.IPs = append(spec.IPs, ip)
			} else {
				spec.DNS = append(spec.DNS, n)
			}
		}
		return pkitest.New(t, spec, issuer)
	}
	server := x509.ExtKeyUsageServerAuth
	client := x509.ExtKeyUsageClientAuth

	ca := root("libvirt CA", x509.KeyUsageCertSign, true)
	altCA := root("libvirt CA 1", 0, false)
	serverCert := leaf("libvirt.org", ca, server)
	clientCert := leaf("libvirt", ca, client)
	clientAlt := leaf("libvirt", altCA, client)
	alt1 := leaf("libvirt.org", ca, server, "www.libvirt.org", "libvirt.org", "192.168.122.1", "fec0::dead:beaf")
	alt2 := leaf("libvirt.org", ca, server, "www.libvirt.org", "wiki.libvirt.org", "192.168.122.1", "fec0::dead:beaf")

	chainRoot := root("libvirt root", x509.KeyUsageCertSign, true)
	level1a := inter("libvirt level 1a", chainRoot)
	level1b := inter("libvirt level 1b", chainRoot)
	level2a := inter("libvirt level 2a", level1a)
	serverLevel3a := leaf("libvirt.org", level2a, server)
	clientLevel2b := leaf("libvirt client level 2b", level1b, client)
	chainFile := []*pkitest.Cert{chainRoot, level1a, level1b, level2a}

	cases := []struct {
		name                 string
		serverCA, clientCA   []*pkitest.Cert
		serverCrt, clientCrt *pkitest.Cert
		expectServerFail     bool
		expectClientFail     bool
		hostname             string
		wildcards            []string
		wildcardsSet         bool
	}{
		{"perfect", []*pkitest.Cert{ca}, []*pkitest.Cert{ca}, serverCert, clientCert, false, false, "libvirt.org", nil, false},
		{"different CAs", []*pkitest.Cert{ca}, []*pkitest.Cert{altCA}, serverCert, clientAlt, true, true, "libvirt.org", nil, false},
		{"alt1 libvirt.org", []*pkitest.Cert{ca}, []*pkitest.Cert{ca}, alt1, clientCert, false, false, "libvirt.org", nil, false},
		{"alt1 www.libvirt.org", []*pkitest.Cert{ca}, []*pkitest.Cert{ca}, alt1, clientCert, false, false, "www.libvirt.org", nil, false},
		{"alt1 wiki.libvirt.org", []*pkitest.Cert{ca}, []*pkitest.Cert{ca}, alt1, clientCert, false, true, "wiki.libvirt.org", nil, false},
		{"alt2 libvirt.org (CN ignored)", []*pkitest.Cert{ca}, []*pkitest.Cert{ca}, alt2, clientCert, false, true, "libvirt.org", nil, false},
		{"alt2 www.libvirt.org", []*pkitest.Cert{ca}, []*pkitest.Cert{ca}, alt2, clientCert, false, false, "www.libvirt.org", nil, false},
		{"alt2 wiki.libvirt.org", []*pkitest.Cert{ca}, []*pkitest.Cert{ca}, alt2, clientCert, false, false, "wiki.libvirt.org", nil, false},
		{"wildcards1", []*pkitest.Cert{ca}, []*pkitest.Cert{ca}, serverCert, clientCert, true, false, "libvirt.org", []string{"C=UK,CN=dogfood"}, true},
		{"wildcards2", []*pkitest.Cert{ca}, []*pkitest.Cert{ca}, serverCert, clientCert, false, false, "libvirt.org", []string{"C=UK,CN=libvirt"}, true},
		{"wildcards3", []*pkitest.Cert{ca}, []*pkitest.Cert{ca}, serverCert, clientCert, false, false, "libvirt.org", []string{"C=UK,CN=dogfood", "C=UK,CN=libvirt"}, true},
		{"wildcards4", []*pkitest.Cert{ca}, []*pkitest.Cert{ca}, serverCert, clientCert, true, false, "libvirt.org", []string{"C=UK,CN=libvirtstuff"}, true},
		{"wildcards5", []*pkitest.Cert{ca}, []*pkitest.Cert{ca}, serverCert, clientCert, false, false, "libvirt.org", []string{"C=UK,CN=libvirt*"}, true},
		{"wildcards6", []*pkitest.Cert{ca}, []*pkitest.Cert{ca}, serverCert, clientCert, false, false, "libvirt.org", []string{"C=UK,CN=*virt*"}, true},
		{"CA chain", chainFile, chainFile, serverLevel3a, clientLevel2b, false, false, "libvirt.org", nil, false},
	}
	now := time.Now()
	certs := func(cs []*pkitest.Cert) []*x509.Certificate {
		var out []*x509.Certificate
		for _, c := range cs {
			out = append(out, c.Cert)
		}
		return out
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cv := JudgeClient(c.clientCrt.Cert, certs(c.serverCA), c.wildcards, c.wildcardsSet, now, libvirtcert.Options{})
			if cv.Accepted == c.expectServerFail {
				t.Errorf("libvirtd's verdict on the client: accepted=%v (%s), libvirt expects fail=%v", cv.Accepted, cv.LibvirtError, c.expectServerFail)
			}
			sv := JudgeServer([]*x509.Certificate{c.serverCrt.Cert}, certs(c.clientCA), c.hostname, now, libvirtcert.Options{})
			if sv.Accepted() == c.expectClientFail {
				t.Errorf("client's verdict on the server for %q: accepted=%v (%s), libvirt expects fail=%v", c.hostname, sv.Accepted(), sv.LibvirtError, c.expectClientFail)
			}
		})
	}
}
