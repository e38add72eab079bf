package virtpkicli

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/virt-pki/virt-pki/certtext"
	"github.com/virt-pki/virt-pki/keys"
)

// certtoolKeySpec maps certtool's key options to a keys.Spec, with
// certtool's error texts.
func certtoolKeySpec(a *certtoolArgs) (keys.Spec, error) {
	s := keys.Spec{Type: a.values["key-type"], Curve: a.values["curve"], SecParam: a.values["sec-param"]}
	switch {
	case a.flags["ecc"] || a.flags["ecdsa"]:
		s.Type = "ecdsa"
	case a.flags["rsa"]:
		s.Type = "rsa"
	}
	if v, ok := a.values["bits"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return s, ctFail("certtool: option '--bits' has an invalid number: %s", v)
		}
		s.Bits = n
	}
	if _, err := keys.ParseAlgorithm(s.Type); err != nil {
		return s, ctFail("unknown key type: %s", s.Type)
	}
	if s.SecParam != "" {
		if _, err := (keys.Spec{SecParam: s.SecParam}).Resolve(); err != nil {
			return s, ctFail("Unknown security parameter string: %s", s.SecParam)
		}
	}
	if s.Curve != "" {
		if _, err := keys.ParseCurve(s.Curve); err != nil {
			return s, ctFail("Unsupported curve: %s\nAvailable curves:\n\t- SECP256R1\n\t- SECP384R1\n\t- SECP521R1", s.Curve)
		}
		if alg, _ := keys.ParseAlgorithm(s.Type); alg != keys.ECDSA {
			// certtool spins forever here; refuse instead.
			return s, ctFail("--curve %s needs --key-type ecdsa", s.Curve)
		}
	}
	return s, nil
}

func certtoolGeneratePrivkey(a *certtoolArgs, stdout, info io.Writer) error {
	spec, err := certtoolKeySpec(a)
	if err != nil {
		return err
	}
	p, err := spec.Resolve()
	if err != nil {
		return ctFail("%v", err)
	}
	if err := keys.CheckCerttoolParams(p); err != nil {
		return ctFail("%v", err)
	}
	if path, ok := a.values["outfile"]; ok {
		if _, err := os.Lstat(path); err == nil {
			return ctFail("%s exists; refusing to overwrite a private key file (remove it first)", path)
		}
	}
	if spec.Bits != 0 && p.Algorithm == keys.RSA {
		fmt.Fprintf(info, "** Note: You may use '--sec-param %s' instead of '--bits %d'\n", certtext.SecParamName(p.Bits, false), p.Bits)
	}
	switch p.Algorithm {
	case keys.RSA:
		fmt.Fprintf(info, "Generating a %d bit RSA private key...\n", p.Bits)
	case keys.ECDSA:
		bits := map[string]int{"P-224": 224, "P-256": 256, "P-384": 384, "P-521": 521}[p.Curve]
		if spec.Curve != "" {
			fmt.Fprintf(info, "Generating a %d bit EC/ECDSA private key (SECP%dR1)...\n", bits, bits)
		} else {
			fmt.Fprintf(info, "Generating a %d bit EC/ECDSA private key ...\n", bits)
		}
		if bits < 256 {
			fmt.Fprintln(info, "Note that ECDSA keys with size less than 256 are not widely supported.")
		}
	case keys.Ed25519:
		fmt.Fprintln(info, "Generating a 256 bit EdDSA (Ed25519) private key ...")
	}
	if p.Algorithm == keys.RSA && p.Bits < keys.MinRSABits {
		fmt.Fprintf(info, "Warning: a %d-bit RSA key is too weak for virt-pki's issue commands, which refuse it.\n", p.Bits)
	}
	key, err := keys.Generate(p)
	if err != nil {
		return ctFail("privkey_generate: %v", err)
	}
	pemBytes, err := keys.EncodePEM(key)
	if err != nil {
		return ctFail("%v", err)
	}
	if !a.flags["no-text"] {
		// certtool writes the key's "Public Key Info" before its PEM.
		text, err := certtext.PrivateKey(key)
		if err != nil {
			return ctFail("%v", err)
		}
		pemBytes = append([]byte(text), pemBytes...)
	}
	return certtoolWrite(a, stdout, pemBytes, 0o600, true)
}
