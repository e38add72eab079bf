package virtpkicli

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
	"github.com/virt-pki/virt-pki/internal/fileread"
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
		// certtool's two lines, with the real cause ("No such file or
		// directory", "Permission denied", ...).
		return nil, ctFail("configFileLoad: %s\nError loading template: %s", capitalize(fileread.Cause(err).Error()), path)
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
	key, err := keys.ReadPrivateKeyFile(path)
	if err != nil {
		return nil, certtoolKeyError(opt, path, err)
	}
	return key, nil
}

// certtoolKeyError words an error of keys.ReadPrivateKeyFile as certtool
// does, adding the actual cause on the same line.
func certtoolKeyError(opt, path string, err error) error {
	var re *keys.ReadError
	switch {
	case errors.As(err, &re):
		return ctFail("error reading file at --%s: %s: %v", opt, path, re.Err)
	case errors.Is(err, keys.ErrNotPrivateKey):
		return ctFail("error loading file at --%s: %s: The requested data were not available. (%s)", opt, path, strings.TrimPrefix(err.Error(), path+": "))
	}
	return ctFail("error loading file at --%s: %v", opt, err)
}

// certtoolLoadCA loads and checks the CA with ca.LoadAt and words its
// problems as certtool does. Beyond certtool, a CA key that does not belong
// to the CA certificate, and a CA certificate that is not a CA, is not
// valid now or may not sign certificates, are refused: certtool would
// write a certificate that never verifies.
func certtoolLoadCA(a *certtoolArgs) (*ca.CA, error) {
	if !a.has("load-ca-privkey") {
		return nil, ctFail("missing --load-ca-privkey")
	}
	if !a.has("load-ca-certificate") {
		return nil, ctFail("missing --load-ca-certificate")
	}
	certPath, keyPath := a.values["load-ca-certificate"], a.values["load-ca-privkey"]
	authority, err := ca.LoadAt(certPath, keyPath, time.Now())
	var ce *ca.Error
	if err == nil || !errors.As(err, &ce) {
		return authority, err
	}
	switch ce.ID {
	case ca.IDUnreadable:
		var fe *libvirtcert.FileError
		if errors.As(err, &fe) && fe.Cause != nil {
			return nil, ctFail("error reading file at --load-ca-certificate: %s: %v", certPath, fe.Cause)
		}
		return nil, ctFail("error reading file at --load-ca-certificate: %s: %s", certPath, ce.Msg)
	case ca.IDNoCertificate:
		return nil, ctFail("error importing CA certificate: %s: Base64 unexpected header error. (%s)", certPath, ce.Msg)
	case ca.IDBadKey:
		return nil, certtoolKeyError("load-ca-privkey", keyPath, ce.Err)
	case ca.IDKeyMismatch:
		return nil, ctFail("%s: the CA private key does not belong to the CA certificate %s; certtool would sign anyway and write a certificate that never verifies", keyPath, certPath)
	}
	return nil, ctFail("%v", err)
}

// certtoolHash applies --hash to the signature algorithm with certtool's
// error texts.
func certtoolHash(a *certtoolArgs, alg x509.SignatureAlgorithm) (x509.SignatureAlgorithm, error) {
	h, ok := a.values["hash"]
	if !ok {
		return alg, nil
	}
	v, err := keys.SignatureAlgorithmWithHash(alg, h)
	switch {
	case errors.Is(err, keys.ErrBrokenHash):
		return alg, ctFail("--hash %s: virt-pki does not sign with broken hashes; use sha256 or stronger", h)
	case err != nil:
		return alg, ctFail("invalid hash: %s", h)
	}
	return v, nil
}

// capitalize upper-cases the first letter of an operating system error,
// as strerror(3) words it ("No such file or directory").
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
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

// certtoolReadRequest reads --load-request with certtool's error texts.
func certtoolReadRequest(path string) (*x509.CertificateRequest, error) {
	csr, err := issue.ReadRequest(path)
	switch {
	case err == nil:
		return csr, nil
	case errors.Is(err, issue.ErrRequestUnreadable):
		return nil, ctFail("error reading file at --load-request: %v", err)
	case errors.Is(err, issue.ErrNoRequest):
		return nil, ctFail("error loading file at --load-request: %s: The requested data were not available.", path)
	}
	return nil, ctFail("crq_import: %v", err)
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
