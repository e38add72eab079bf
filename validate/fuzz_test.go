package validate

import (
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

func FuzzParseCRLsPEM(f *testing.F) {
	f.Add([]byte("-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n"))
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lists, err := ParseCRLsPEM(data)
		if err == nil && len(lists) == 0 {
			t.Fatal("no error and no CRL")
		}
	})
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"libvirtd (libvirt) 9.0.0", "11.8", "x", "99999999999.1.1", "1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			return
		}
		again, err := ParseVersion(v.String())
		if err != nil || again != v {
			t.Fatalf("%q: %v does not round-trip: %v %v", s, v, again, err)
		}
	})
}

func FuzzFixDNPattern(f *testing.F) {
	f.Add("CN=client1,O=Test Org,C=GB", "C=GB,O=Test Org,CN=client1")
	f.Add("C=GB , O=x", "")
	f.Add(`CN=a\,b,C=GB`, "C=GB,CN=a\\,b")
	f.Fuzz(func(t *testing.T, entry, dn string) {
		fixed, why := fixDNPattern(entry, dn)
		if why == "" && fixed != entry {
			t.Fatalf("%q changed to %q without a reason", entry, fixed)
		}
		if strings.Count(fixed, ",") > strings.Count(entry, ",")+strings.Count(dn, ",") {
			t.Fatalf("%q grew separators: %q", entry, fixed)
		}
	})
}

// FuzzAuditFiles feeds arbitrary bytes as the certificate, key and CA files
// of a pkipath: the audit must report findings, never panic, and give a fix
// for every WARN and FAIL.
func FuzzAuditFiles(f *testing.F) {
	p := newPKI(f)
	f.Add(p.server.CertPEM(), p.server.KeyPEM(f), p.ca.CertPEM())
	f.Add(p.server.DER, []byte("garbage"), append(p.ca.CertPEM(), p.ca.CertPEM()...))
	f.Add(p.server.KeyPEM(f), p.server.CertPEM(), []byte{})
	f.Fuzz(func(t *testing.T, cert, key, ca []byte) {
		dir := t.TempDir()
		for name, data := range map[string][]byte{"servercert.pem": cert, "serverkey.pem": key, "cacert.pem": ca} {
			pkitest.WriteFile(t, dir, name, data, 0o600)
		}
		o := Options{Mode: PathMode, Path: dir, Hostnames: []string{"localhost"}, LibvirtVersion: "9.0.0", Scopes: []Scope{Trust, Server}}
		for _, fi := range Run(o) {
			if (fi.Status == "WARN" || fi.Status == "FAIL") && fi.Fix == "" {
				t.Fatalf("%s %s without a fix: %s", fi.Status, fi.ID, fi.Message)
			}
		}
	})
}
