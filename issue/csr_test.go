package issue

import (
	"crypto"
	"crypto/x509"
	"slices"
	"testing"

	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/templates"
	"github.com/virt-pki/virt-pki/x509oid"
)

func TestCertificateRequestRules(t *testing.T) {
	rsaKey, err := keys.Generate(keys.Params{Algorithm: keys.RSA, Bits: 2048})
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := keys.Generate(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &templates.Template{Name: "r.info", CN: "r", DNSNames: []string{"d"}, Emails: []string{"a@b"},
		TLSWWWServer: true, CodeSigningKey: true, EncryptionKey: true, DataEncipherment: true}
	cases := []struct {
		signer crypto.Signer
		wantKU x509.KeyUsage
	}{
		{rsaKey, x509.KeyUsageKeyEncipherment}, // RSA: encryption_key alone, no digitalSignature
		{ecKey, x509.KeyUsageDigitalSignature}, // EC: always digitalSignature
	}
	for _, c := range cases {
		signer := c.signer
		alg, _ := templates.SignatureAlgorithm(signer.Public())
		der, err := CertificateRequest(tmpl, signer, alg)
		if err != nil {
			t.Fatal(err)
		}
		csr, err := x509.ParseCertificateRequest(der)
		if err != nil || csr.CheckSignature() != nil {
			t.Fatalf("request does not parse or verify: %v", err)
		}
		var order []string
		for _, e := range csr.Extensions {
			order = append(order, e.Id.String())
			if e.Id.Equal(x509oid.ExtKeyUsage) && !e.Critical {
				t.Error("key purposes not critical in the request")
			}
		}
		// code_signing_key puts the key purposes before the key usage.
		if want := []string{"2.5.29.17", "2.5.29.19", "2.5.29.37", "2.5.29.15"}; !slices.Equal(order, want) {
			t.Errorf("extension order %v, want %v", order, want)
		}
		if !slices.Equal(csr.EmailAddresses, []string{"a@b"}) {
			t.Errorf("email SAN %v: requests keep it despite tls_www_server", csr.EmailAddresses)
		}
		// Go does not decode KeyUsage in requests: read the bit string.
		for _, e := range csr.Extensions {
			if e.Id.Equal(x509oid.KeyUsage) {
				want, _ := requestKeyUsage(tmpl, signer.Public())
				if string(e.Value) != string(want.Value) {
					t.Errorf("key usage %x", e.Value)
				}
				if got := kuFromBits(e.Value); got != c.wantKU {
					t.Errorf("key usage %b, want %b", got, c.wantKU)
				}
			}
		}
	}
}

func kuFromBits(der []byte) x509.KeyUsage {
	// der is 03 len unused bits...; bit n of the string is KeyUsage 1<<n.
	var ku x509.KeyUsage
	for i, b := range der[3:] {
		for j := 0; j < 8; j++ {
			if b&(0x80>>j) != 0 {
				ku |= 1 << (i*8 + j)
			}
		}
	}
	return ku
}
