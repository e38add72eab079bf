package expiry

import (
	"encoding/pem"
	"strings"
	"testing"
)

// FuzzParseFile: any content gives records (never a panic), each judged,
// with a one-line reason; lenient parsing only ever drops key-only files.
func FuzzParseFile(f *testing.F) {
	fx := newFixtures(f)
	f.Add(fx.ca.CertPEM())
	f.Add(fx.soon.DER)
	f.Add(append(fx.ca.CertPEM(), fx.expired.CertPEM()...))
	f.Add(fx.ca.KeyPEM(f))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x01}}))
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: fx.ca.DER[:20]}))
	f.Add([]byte{})
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, lenient := range []bool{false, true} {
			recs := ParseFile("f.pem", data, policy(), lenient)
			if len(recs) == 0 && !lenient {
				t.Fatal("no record for a file named explicitly")
			}
			for i, r := range recs {
				switch r.Status {
				case OK, Warn, Fail, Error:
				default:
					t.Fatalf("record %d has status %q", i, r.Status)
				}
				if r.Path != "f.pem" || strings.ContainsAny(r.Reason, "\n\r") || (r.Status != OK && r.Reason == "") {
					t.Fatalf("record %d = %+v", i, r)
				}
				_ = r.Subject()
				_ = r.Issuer()
			}
		}
	})
}
