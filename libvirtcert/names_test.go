package libvirtcert

import (
	"crypto/x509"
	"testing"
)

func TestKeyPurposeName(t *testing.T) {
	for oid, want := range map[string]string{
		KeyPurposeServer:         "TLS WWW Server",
		KeyPurposeAny:            "Any purpose",
		"1.3.6.1.5.5.7.3.17":     "Ipsec IKE",
		"1.3.6.1.4.1.311.20.2.2": "Smart Card Logon",
	} {
		if got, ok := KeyPurposeName(oid); !ok || got != want {
			t.Errorf("KeyPurposeName(%s) = %q, %v; want %q", oid, got, ok, want)
		}
	}
	if got, ok := KeyPurposeName("1.2.3.4"); ok {
		t.Errorf("KeyPurposeName(1.2.3.4) = %q, true; want no name", got)
	}
}

func TestSignatureAlgorithmName(t *testing.T) {
	for a, want := range map[x509.SignatureAlgorithm]string{
		x509.SHA256WithRSA:    "RSA-SHA256",
		x509.MD5WithRSA:       "RSA-MD5",
		x509.SHA384WithRSAPSS: "RSA-PSS-SHA384",
		x509.ECDSAWithSHA256:  "ECDSA-SHA256",
		x509.PureEd25519:      "EdDSA-Ed25519",
		x509.DSAWithSHA256:    x509.DSAWithSHA256.String(),
	} {
		if got := SignatureAlgorithmName(a); got != want {
			t.Errorf("SignatureAlgorithmName(%v) = %q, want %q", a, got, want)
		}
	}
}
