package main

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/ca"
	"github.com/virt-pki/virt-pki/certtext"
	"github.com/virt-pki/virt-pki/issue"
	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/libvirtcert"
	"github.com/virt-pki/virt-pki/templates"
)

// certtoolTemplate loads --template with certtool's messages. Unlike
// certtool, a missing template never leaves an empty --outfile behind
// (nothing is written before everything succeeded), and the interactive
// mode certtool falls back to without --template is not offered.
func certtoolTemplate(a *certtoolArgs, info io.Writer) (*templates.Template, error) {
	path, ok := a.values["template"]
	if !ok {
		return nil, ctUsage("certtool: interactive mode is not supported; give --template FILE (an empty file gives certtool's defaults)")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, ctFail("configFileLoad: No such file or directory\nError loading template: %s", path)
	}
	t, err := templates.ParseFile(path)
	if err != nil {
		return nil, ctFail("%v", err)
	}
	for _, w := range t.Warnings {
		fmt.Fprintln(info, w.String())
	}
	return t, nil
}

// certtoolReadKey reads a private key option with certtool's error texts.
func certtoolReadKey(a *certtoolArgs, opt string) (crypto.Signer, error) {
	path := a.values[opt]
	if _, err := os.Stat(path); err != nil {
		return nil, ctFail("error reading file at --%s: %s", opt, path)
	}
	key, err := keys.ReadPrivateKeyFile(path)
	if err != nil {
		if errors.Is(err, keys.ErrNotPrivateKey) {
			// certtool's line, then what is actually in the file.
			return nil, ctFail("error loading file at --%s: %s: The requested data were not available.\n(%v)", opt, path, err)
		}
		return nil, ctFail("error loading file at --%s: %v", opt, err)
	}
	return key, nil
}

// certtoolLoadCA loads and checks the CA. Beyond certtool, a CA key that
// does not belong to the CA certificate, and a CA certificate that is not a
// CA, is not valid now or may not sign certificates, are refused: certtool
// would write a certificate that never verifies.
func certtoolLoadCA(a *certtoolArgs) (*ca.CA, error) {
	if !a.has("load-ca-privkey") {
		return nil, ctFail("missing --load-ca-privkey")
	}
	if !a.has("load-ca-certificate") {
		return nil, ctFail("missing --load-ca-certificate")
	}
	certPath := a.values["load-ca-certificate"]
	data, err := os.ReadFile(certPath)
	if err != nil {
		return nil, ctFail("error reading file at --load-ca-certificate: %s", certPath)
	}
	certs, err := libvirtcert.ParseCertificates(certPath, data)
	if err != nil {
		return nil, ctFail("error importing CA certificate: %s: Base64 unexpected header error.", certPath)
	}
	key, err := certtoolReadKey(a, "load-ca-privkey")
	if err != nil {
		return nil, err
	}
	for _, c := range certs {
		if keys.MatchesCertificate(key, c) {
			if err := ca.Check(c, certPath, time.Now()); err != nil {
				return nil, ctFail("%v", err)
			}
			return &ca.CA{Cert: c, Key: key, CertPath: certPath, KeyPath: a.values["load-ca-privkey"]}, nil
		}
	}
	return nil, ctFail("%s: the CA private key does not belong to the CA certificate %s; certtool would sign anyway and write a certificate that never verifies", a.values["load-ca-privkey"], certPath)
}

// certtoolHash applies --hash to the certificate's signature algorithm.
func certtoolHash(a *certtoolArgs, alg x509.SignatureAlgorithm) (x509.SignatureAlgorithm, error) {
	h, ok := a.values["hash"]
	if !ok {
		return alg, nil
	}
	h = strings.ToUpper(strings.ReplaceAll(h, "-", ""))
	table := map[x509.SignatureAlgorithm]map[string]x509.SignatureAlgorithm{
		x509.SHA256WithRSA:   {"SHA256": x509.SHA256WithRSA, "SHA384": x509.SHA384WithRSA, "SHA512": x509.SHA512WithRSA},
		x509.SHA384WithRSA:   {"SHA256": x509.SHA256WithRSA, "SHA384": x509.SHA384WithRSA, "SHA512": x509.SHA512WithRSA},
		x509.SHA512WithRSA:   {"SHA256": x509.SHA256WithRSA, "SHA384": x509.SHA384WithRSA, "SHA512": x509.SHA512WithRSA},
		x509.ECDSAWithSHA256: {"SHA256": x509.ECDSAWithSHA256, "SHA384": x509.ECDSAWithSHA384, "SHA512": x509.ECDSAWithSHA512},
		x509.ECDSAWithSHA384: {"SHA256": x509.ECDSAWithSHA256, "SHA384": x509.ECDSAWithSHA384, "SHA512": x509.ECDSAWithSHA512},
		x509.ECDSAWithSHA512: {"SHA256": x509.ECDSAWithSHA256, "SHA384": x509.ECDSAWithSHA384, "SHA512": x509.ECDSAWithSHA512},
	}
	switch h {
	case "MD5", "SHA1", "RMD160":
		return alg, ctFail("--hash %s: virt-pki does not sign with broken hashes; use sha256 or stronger", a.values["hash"])
	}
	if m, ok := table[alg]; ok {
		if v, ok := m[h]; ok {
			return v, nil
		}
	}
	if alg == x509.PureEd25519 {
		return alg, nil // EdDSA has its own hash; certtool ignores --hash too
	}
	return alg, ctFail("invalid hash: %s", a.values["hash"])
}

func certtoolGenerateCertificate(a *certtoolArgs, stdout, info io.Writer) error {
	selfSigned := a.command == "generate-self-signed"
	t, err := certtoolTemplate(a, info)
	if err != nil {
		return err
	}
	if selfSigned {
		fmt.Fprintln(info, "Generating a self signed certificate...")
	} else {
		fmt.Fprintln(info, "Generating a signed certificate...")
	}
	var authority *ca.CA
	if !selfSigned {
		if authority, err = certtoolLoadCA(a); err != nil {
			return err
		}
	}
	var key crypto.Signer
	var subjectKey crypto.PublicKey
	var csr *x509.CertificateRequest
	switch {
	case a.has("load-privkey"):
		if key, err = certtoolReadKey(a, "load-privkey"); err != nil {
			return err
		}
		subjectKey = key.Public()
	case a.has("load-request") && !selfSigned:
		if csr, err = certtoolReadRequest(a.values["load-request"]); err != nil {
			return err
		}
		subjectKey = csr.PublicKey
	default:
		return ctFail("Could not determine the public key for the operation.\nYou must specify --load-privkey or --load-pubkey if missing.")
	}
	now := time.Now()
	opts := templates.BuildOptions{SubjectKey: subjectKey, Now: now, Rand: rand.Reader}
	if selfSigned {
		opts.SignerKey = subjectKey
	} else {
		opts.Issuer, opts.SignerKey = authority.Cert, authority.Key.Public()
	}
	tmpl, err := t.Certificate(opts)
	if err != nil {
		return ctFail("%v", err)
	}
	if csr != nil {
		tmpl.RawSubject = csr.RawSubject // certtool takes the subject from the request
	}
	if tmpl.SignatureAlgorithm, err = certtoolHash(a, tmpl.SignatureAlgorithm); err != nil {
		return err
	}
	var cert *x509.Certificate
	if selfSigned {
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, subjectKey, key)
		if err != nil {
			return ctFail("crt_sign: %v", err)
		}
		if cert, err = x509.ParseCertificate(der); err != nil {
			return ctFail("%v", err)
		}
	} else if cert, err = authority.SignPrepared(tmpl, subjectKey); err != nil {
		return ctFail("%v", err)
	}
	if !selfSigned && cert.NotAfter.After(authority.Cert.NotAfter) {
		fmt.Fprintf(info, "\nExpiration time: %s\nCA expiration time: %s\nWarning: The time set exceeds the CA's expiration time\n",
			cert.NotAfter.Local().Format("Mon Jan _2 15:04:05 2006"), authority.Cert.NotAfter.Local().Format("Mon Jan _2 15:04:05 2006"))
	}
	fmt.Fprint(info, certtext.Certificate(cert, certtext.Unsigned))
	fmt.Fprint(info, "\n\n\nSigning certificate...\n")
	return certtoolWrite(a, stdout, ca.EncodeCertificate(cert), 0o644, false)
}

func certtoolReadRequest(path string) (*x509.CertificateRequest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, ctFail("error reading file at --load-request: %s", path)
	}
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, ctFail("error loading file at --load-request: %s: The requested data were not available.", path)
		}
		if b.Type != "NEW CERTIFICATE REQUEST" && b.Type != "CERTIFICATE REQUEST" {
			continue
		}
		csr, err := x509.ParseCertificateRequest(b.Bytes)
		if err != nil {
			return nil, ctFail("crq_import: %s: %v", path, err)
		}
		if err := csr.CheckSignature(); err != nil {
			return nil, ctFail("%s: the request's self signature does not verify: %v", path, err)
		}
		return csr, nil
	}
}

func certtoolGenerateRequest(a *certtoolArgs, stdout, info io.Writer) error {
	t, err := certtoolTemplate(a, info)
	if err != nil {
		return err
	}
	fmt.Fprintln(info, "Generating a PKCS #10 certificate request...")
	if !a.has("load-privkey") {
		return ctUsage("certtool: -q without --load-privkey (generating a key on the fly) is not supported; run certtool -p first")
	}
	key, err := certtoolReadKey(a, "load-privkey")
	if err != nil {
		return err
	}
	alg, err := templates.SignatureAlgorithm(key.Public())
	if err != nil {
		return ctFail("%v", err)
	}
	if alg, err = certtoolHash(a, alg); err != nil {
		return err
	}
	der, err := issue.CertificateRequest(t, key, alg)
	if err != nil {
		return ctFail("%v", err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return ctFail("%v", err)
	}
	var out []byte
	if !a.flags["no-text"] {
		out = append(out, certtext.Request(csr)+"\n"...)
	}
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "NEW CERTIFICATE REQUEST", Bytes: der})...)
	return certtoolWrite(a, stdout, out, 0o600, false)
}
