package libvirtcert

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/internal/libvirttest"
	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// TestRulesMatchLibvirtd starts a real libvirtd (9.0 in CI) with server
// credentials that break one rule each and checks that CheckCertificate
// and VerifyChain predict its verdict: the start-up error libvirtd prints
// for the first fatal problem, or the warnings it logs and starts anyway.
func TestRulesMatchLibvirtd(t *testing.T) {
	libvirttest.Require(t, "libvirtd")
	now := time.Now()
	yes, no := pkitest.Bool(true), pkitest.Bool(false)
	goodCASpec := pkitest.Spec{Subject: pkix.Name{CommonName: "Rules CA"}, IsCA: yes, BCCrit: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, KUCrit: true}
	leafKU := x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	serverEKU := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	serverSpec := func(mod func(*pkitest.Spec)) pkitest.Spec {
		s := pkitest.Spec{Subject: pkix.Name{CommonName: "localhost"}, DNS: []string{"localhost"}, IsCA: no, BCCrit: true,
			KeyUsage: leafKU, KUCrit: true, EKU: serverEKU}
		if mod != nil {
			mod(&s)
		}
		return s
	}
	cases := []struct {
		name   string
		ca     pkitest.Spec
		server pkitest.Spec
		// foreignIssuer signs the server certificate with another CA.
		foreignIssuer bool
		// padCAs puts this many unrelated CA certificates before the CA.
		padCAs int
	}{
		{name: "good", ca: goodCASpec, server: serverSpec(nil)},
		{name: "expired", ca: goodCASpec, server: serverSpec(func(s *pkitest.Spec) { s.NotBefore, s.NotAfter = now.Add(-48*time.Hour), now.Add(-time.Hour) })},
		{name: "not-yet-valid", ca: goodCASpec, server: serverSpec(func(s *pkitest.Spec) { s.NotBefore, s.NotAfter = now.Add(time.Hour), now.Add(48*time.Hour) })},
		{name: "leaf-is-ca", ca: goodCASpec, server: serverSpec(func(s *pkitest.Spec) { s.IsCA = yes })},
		{name: "rsa-ku-no-ke-critical", ca: goodCASpec, server: serverSpec(func(s *pkitest.Spec) { s.Key = pkitest.RSA; s.KeyUsage = x509.KeyUsageDigitalSignature })},
		{name: "ec-ku-no-ke-critical", ca: goodCASpec, server: serverSpec(func(s *pkitest.Spec) { s.KeyUsage = x509.KeyUsageDigitalSignature })},
		{name: "ku-no-ke-noncritical", ca: goodCASpec, server: serverSpec(func(s *pkitest.Spec) { s.KeyUsage, s.KUCrit = x509.KeyUsageDigitalSignature, false })},
		{name: "ku-no-ds-critical", ca: goodCASpec, server: serverSpec(func(s *pkitest.Spec) { s.KeyUsage = x509.KeyUsageKeyEncipherment })},
		{name: "ku-no-ds-noncritical", ca: goodCASpec, server: serverSpec(func(s *pkitest.Spec) { s.KeyUsage, s.KUCrit = x509.KeyUsageKeyEncipherment, false })},
		{name: "eku-any-noncritical", ca: goodCASpec, server: serverSpec(func(s *pkitest.Spec) { s.EKU = []x509.ExtKeyUsage{x509.ExtKeyUsageAny} })},
		{name: "eku-client-critical", ca: goodCASpec, server: serverSpec(func(s *pkitest.Spec) {
			s.EKU, s.EKUCrit = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, true
		})},
		{name: "eku-client-noncritical", ca: goodCASpec, server: serverSpec(func(s *pkitest.Spec) { s.EKU = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth} })},
		{name: "eku-any-critical", ca: goodCASpec, server: serverSpec(func(s *pkitest.Spec) {
			s.EKU, s.EKUCrit = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, true
		})},
		{name: "ca-without-bc", ca: pkitest.Spec{Subject: pkix.Name{CommonName: "Rules CA"}}, server: serverSpec(nil)},
		{name: "ca-not-ca", ca: pkitest.Spec{Subject: pkix.Name{CommonName: "Rules CA"}, IsCA: no, BCCrit: true}, server: serverSpec(nil)},
		{name: "ca-ku-no-certsign-critical", ca: pkitest.Spec{Subject: pkix.Name{CommonName: "Rules CA"}, IsCA: yes, KeyUsage: x509.KeyUsageCRLSign, KUCrit: true}, server: serverSpec(nil)},
		{name: "ca-expired", ca: pkitest.Spec{Subject: pkix.Name{CommonName: "Rules CA"}, IsCA: yes, NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-time.Hour)}, server: serverSpec(nil)},
		{name: "unknown-issuer", ca: goodCASpec, server: serverSpec(nil), foreignIssuer: true},
		{name: "issuer-is-17th", ca: goodCASpec, server: serverSpec(nil), padCAs: MaxCACerts},
		{name: "issuer-is-16th", ca: goodCASpec, server: serverSpec(nil), padCAs: MaxCACerts - 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			ca := pkitest.New(t, c.ca, nil)
			issuer := ca
			if c.foreignIssuer {
				issuer = pkitest.New(t, goodCASpec, nil)
			}
			server := pkitest.New(t, c.server, issuer)
			var caPEM []byte
			var cas []*x509.Certificate
			if c.padCAs > 0 {
				pad := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "Padding CA"}, IsCA: yes, BCCrit: true}, nil)
				for i := 0; i < c.padCAs; i++ {
					caPEM = append(caPEM, pad.CertPEM()...)
					cas = append(cas, pad.Cert)
				}
			}
			caPEM = append(caPEM, ca.CertPEM()...)
			cas = append(cas, ca.Cert)
			caFile := pkitest.WriteFile(t, dir, "cacert.pem", caPEM, 0o644)
			certFile, keyFile := server.WritePair(t, dir, "servercert.pem", "serverkey.pem")

			// What libvirtd's start-up sanity check should say.
			var wantErr string
			var wantWarn []string
			check := func(ps []Problem, file string) {
				for _, p := range ps {
					if p.ID == IDEmptySubject || p.ID == IDSubjectUnprintable || p.ID == IDGnuTLSWillNotUse {
						continue // session-time checks, not start-up ones
					}
					if wantErr != "" {
						return
					}
					if p.Fatal {
						wantErr = p.Text(file)
						return
					}
					wantWarn = append(wantWarn, p.Text(file))
				}
			}
			check(CheckCertificate(server.Cert, RoleServer, now, Options{}), certFile)
			for _, cc := range cas[:min(len(cas), MaxCACerts)] {
				check(CheckCertificate(cc, RoleCA, now, Options{}), caFile)
			}
			if wantErr == "" {
				var ce *ChainError
				if err := VerifyChain(server.Cert, cas, now); errors.As(err, &ce) {
					wantErr = "Our own certificate " + certFile + " failed validation against " + caFile + ": " + ce.Message
				}
			}

			d, err := libvirttest.Launch(libvirttest.Config{CAFile: caFile, CertFile: certFile, KeyFile: keyFile}, filepath.Join(dir, "daemon"))
			var se *libvirttest.StartupError
			switch {
			case errors.As(err, &se):
				if wantErr == "" {
					t.Fatalf("libvirtd refused to start, CheckCertificate/VerifyChain predicted it would start:\n%s", se.Log)
				}
				if !strings.Contains(se.Log, wantErr) {
					t.Fatalf("libvirtd's error is not %q:\n%s", wantErr, se.Log)
				}
			case err != nil:
				t.Fatal(err)
			default:
				defer d.Stop()
				if wantErr != "" {
					t.Fatalf("libvirtd started, but we predicted %q", wantErr)
				}
				for _, w := range wantWarn {
					if !strings.Contains(d.Log(), w) {
						t.Errorf("libvirtd did not warn %q:\n%s", w, d.Log())
					}
				}
				if len(wantWarn) == 0 && strings.Contains(d.Log(), "Certificate ") {
					t.Errorf("libvirtd warned, we predicted nothing:\n%s", d.Log())
				}
				// gnutls-will-not-use: the handshake must fail exactly when
				// the key usage lacks digitalSignature.
				willNotUse := false
				for _, p := range CheckCertificate(server.Cert, RoleServer, now, Options{}) {
					willNotUse = willNotUse || p.ID == IDGnuTLSWillNotUse
				}
				conn, herr := tls.Dial("tcp", d.Addr(), &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12})
				if herr == nil {
					conn.Close()
				}
				if willNotUse != (herr != nil) {
					t.Errorf("gnutls-will-not-use predicted %v, TLS handshake error: %v", willNotUse, herr)
				}
			}
		})
	}
}

// TestClientRulesMatchVirsh checks the client role the same way: virsh
// runs libvirt's sanity check on the client certificate of its pkipath
// before connecting, and prints the error (or the warnings) on stderr.
func TestClientRulesMatchVirsh(t *testing.T) {
	libvirttest.Require(t, "libvirtd", "virsh")
	now := time.Now()
	no := pkitest.Bool(false)
	ca := pkitest.CA(t, "Client Rules CA")
	dir := t.TempDir()
	server := pkitest.Server(t, ca, "localhost", "localhost")
	caFile := pkitest.WriteFile(t, dir, "cacert.pem", ca.CertPEM(), 0o644)
	certFile, keyFile := server.WritePair(t, dir, "servercert.pem", "serverkey.pem")
	d := libvirttest.Start(t, libvirttest.Config{CAFile: caFile, CertFile: certFile, KeyFile: keyFile})

	clientSpec := func(mod func(*pkitest.Spec)) pkitest.Spec {
		s := pkitest.Spec{Subject: pkix.Name{CommonName: "client"}, IsCA: no, BCCrit: true,
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, KUCrit: true,
			EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
		if mod != nil {
			mod(&s)
		}
		return s
	}
	cases := []struct {
		name    string
		spec    pkitest.Spec
		foreign bool
	}{
		{name: "good", spec: clientSpec(nil)},
		{name: "expired", spec: clientSpec(func(s *pkitest.Spec) { s.NotBefore, s.NotAfter = now.Add(-48*time.Hour), now.Add(-time.Hour) })},
		{name: "leaf-is-ca", spec: clientSpec(func(s *pkitest.Spec) { s.IsCA = pkitest.Bool(true) })},
		{name: "eku-server-critical", spec: clientSpec(func(s *pkitest.Spec) {
			s.EKU, s.EKUCrit = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, true
		})},
		{name: "eku-server-noncritical", spec: clientSpec(func(s *pkitest.Spec) { s.EKU = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth} })},
		{name: "ku-no-ke-critical", spec: clientSpec(func(s *pkitest.Spec) { s.KeyUsage = x509.KeyUsageDigitalSignature })},
		{name: "unknown-issuer", spec: clientSpec(nil), foreign: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pki := t.TempDir()
			issuer := ca
			if c.foreign {
				issuer = pkitest.CA(t, "Foreign CA")
			}
			client := pkitest.New(t, c.spec, issuer)
			caPath := pkitest.WriteFile(t, pki, "cacert.pem", ca.CertPEM(), 0o644)
			certPath, _ := client.WritePair(t, pki, "clientcert.pem", "clientkey.pem")
			var wantErr string
			var wantWarn []string
			for _, p := range CheckCertificate(client.Cert, RoleClient, now, Options{}) {
				if p.ID == IDEmptySubject || p.ID == IDSubjectUnprintable || p.ID == IDGnuTLSWillNotUse {
					continue
				}
				if p.Fatal {
					wantErr = p.Text(certPath)
					break
				}
				wantWarn = append(wantWarn, p.Text(certPath))
			}
			if wantErr == "" {
				var ce *ChainError
				if err := VerifyChain(client.Cert, []*x509.Certificate{ca.Cert}, now); errors.As(err, &ce) {
					wantErr = "Our own certificate " + certPath + " failed validation against " + caPath + ": " + ce.Message
				}
			}
			res := libvirttest.Virsh(d.URI("localhost", pki))
			switch {
			case wantErr != "":
				if res.OK() || !strings.Contains(res.Stderr, wantErr) {
					t.Fatalf("virsh did not fail with %q:\n%s", wantErr, res.Stderr)
				}
			case !res.OK():
				t.Fatalf("virsh failed, we predicted success:\n%s", res.Stderr)
			default:
				for _, w := range wantWarn {
					if !strings.Contains(res.Stderr, w) {
						t.Errorf("virsh did not warn %q:\n%s", w, res.Stderr)
					}
				}
			}
		})
	}
}

// TestMatchHostnameMatchesVirsh connects virsh by name and by address to
// daemons whose server certificates carry different names, and checks
// that MatchHostname predicts which connections libvirt accepts.
func TestMatchHostnameMatchesVirsh(t *testing.T) {
	libvirttest.Require(t, "libvirtd", "virsh")
	ca := pkitest.CA(t, "Hostname CA")
	client := pkitest.Client(t, ca, pkix.Name{CommonName: "client"})
	pki := t.TempDir()
	pkitest.WriteFile(t, pki, "cacert.pem", ca.CertPEM(), 0o644)
	client.WritePair(t, pki, "clientcert.pem", "clientkey.pem")
	no := pkitest.Bool(false)
	spec := func(cn string, dns []string, ips ...string) pkitest.Spec {
		s := pkitest.Spec{Subject: pkix.Name{CommonName: cn}, DNS: dns, IsCA: no, BCCrit: true,
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, KUCrit: true,
			EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		for _, ip := range ips {
			s.IPs = append(s.IPs, net.ParseIP(ip))
		}
		return s
	}
	cases := map[string]pkitest.Spec{
		"dns-san":           spec("other", []string{"localhost"}),
		"ip-san":            spec("localhost", nil, "127.0.0.1"),
		"cn-only":           spec("localhost", nil),
		"cn-ip-only":        spec("127.0.0.1", nil),
		"san-elsewhere":     spec("localhost", []string{"other.example"}),
		"wildcard-too-wide": spec("x", []string{"*.localhost"}),
		"uppercase-san":     spec("x", []string{"LOCALHOST"}, "127.0.0.1"),
	}
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			server := pkitest.New(t, s, ca)
			caFile := pkitest.WriteFile(t, dir, "cacert.pem", ca.CertPEM(), 0o644)
			certFile, keyFile := server.WritePair(t, dir, "servercert.pem", "serverkey.pem")
			d := libvirttest.Start(t, libvirttest.Config{CAFile: caFile, CertFile: certFile, KeyFile: keyFile})
			for _, host := range []string{"localhost", "127.0.0.1"} {
				want := MatchHostname(server.Cert, host)
				res := libvirttest.Virsh(d.URI(host, pki))
				if res.OK() != want {
					t.Errorf("host %s: MatchHostname = %v, virsh succeeded = %v\n%s", host, want, res.OK(), res.Stderr)
				}
			}
		})
	}
}

// TestDNACLMatchesLibvirtd checks SubjectDN and MatchDNPattern against
// libvirtd's tls_allowed_dn_list decision for a client whose subject needs
// escaping.
func TestDNACLMatchesLibvirtd(t *testing.T) {
	libvirttest.Require(t, "libvirtd", "virsh")
	ca := pkitest.CA(t, "ACL CA")
	client := pkitest.Client(t, ca, pkix.Name{Country: []string{"GB"}, Organization: []string{"A+B"}, CommonName: "Smith, John"})
	dn, err := SubjectDN(client.Cert)
	if err != nil {
		t.Fatal(err)
	}
	pki := t.TempDir()
	pkitest.WriteFile(t, pki, "cacert.pem", ca.CertPEM(), 0o644)
	client.WritePair(t, pki, "clientcert.pem", "clientkey.pem")
	server := pkitest.Server(t, ca, "localhost", "localhost")
	dir := t.TempDir()
	caFile := pkitest.WriteFile(t, dir, "cacert.pem", ca.CertPEM(), 0o644)
	certFile, keyFile := server.WritePair(t, dir, "servercert.pem", "serverkey.pem")
	patterns := []string{
		dn,                            // the exact string
		`C=GB,O=A\+B,CN=Smith\, John`, // the same, written by hand
		`C=GB,O=A+B,CN=Smith, John`,   // without GnuTLS's escapes
		`CN=Smith\, John,O=A\+B,C=GB`, // RFC 4514 order
		`C=GB,*`,                      // glob
		`C=GB,O=A\+B,CN=Smith\, Joh?`, // one-character wildcard
		`C=GB,O=A\+B,CN=Smith\, Jo`,   // prefix only
	}
	for _, p := range patterns {
		// libvirt's config parser takes a quoted string verbatim (no
		// backslash escapes), so the pattern is written as it is.
		d := libvirttest.Start(t, libvirttest.Config{CAFile: caFile, CertFile: certFile, KeyFile: keyFile,
			Extra: `tls_allowed_dn_list = ["` + p + `"]`})
		want := MatchDNPattern(p, dn)
		res := libvirttest.Virsh(d.URI("localhost", pki))
		if res.OK() != want {
			t.Errorf("pattern %q: MatchDNPattern = %v, libvirtd accepted = %v\n%s", p, want, res.OK(), res.Stderr)
		}
		d.Stop()
	}
}
