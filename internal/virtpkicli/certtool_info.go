package virtpkicli

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/certtext"
	"github.com/virt-pki/virt-pki/internal/atomicfile"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// certtoolWrite sends output to --outfile (atomically, mode as given) or
// stdout. Keys are never written over an existing file; certificates and
// text are replaced, as certtool replaces them.
func certtoolWrite(a *certtoolArgs, stdout io.Writer, data []byte, mode os.FileMode, key bool) error {
	path, ok := a.values["outfile"]
	if !ok {
		_, err := stdout.Write(data)
		return err
	}
	opts := atomicfile.Options{Force: !key, UID: -1, GID: -1}
	if err := atomicfile.Write(path, data, mode, opts); err != nil {
		if key && errors.Is(err, atomicfile.ErrExists) {
			return ctFail("%s exists; refusing to overwrite a private key file (remove it first)", path)
		}
		return ctFail("Cannot open %s for writing", path)
	}
	return nil
}

// certtoolReadCertificates reads the certificates of --infile (or
// --load-certificate, or stdin) with certtool's error for a file that
// holds none.
func certtoolReadCertificates(a *certtoolArgs) ([]*x509.Certificate, error) {
	data, path, err := certtoolReadInput(a, os.Stdin, "load-certificate")
	if err != nil {
		return nil, err
	}
	certs, err := libvirtcert.ParseCertificates(path, data)
	if err != nil {
		return nil, ctFail("import error: No certificate was found.")
	}
	return certs, nil
}

func certtoolCertificateInfo(a *certtoolArgs, stdout io.Writer) error {
	certs, err := certtoolReadCertificates(a)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, c := range certs {
		if a.flags["no-text"] {
			b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
			continue
		}
		b.WriteString(certtext.CertificateWithPEM(c))
	}
	return certtoolWrite(a, stdout, []byte(b.String()), 0o644, false)
}

func certtoolVerify(a *certtoolArgs, stdout, info io.Writer) error {
	caPath, ok := a.values["load-ca-certificate"]
	if !ok {
		return ctFail("missing --load-ca-certificate")
	}
	caData, err := os.ReadFile(caPath)
	if err != nil {
		return ctFail("error reading file at --load-ca-certificate: %s", caPath)
	}
	cas, err := libvirtcert.ParseCertificates(caPath, caData)
	if err != nil {
		return ctFail("error parsing CRTs in '%s': No certificate was found.", caPath)
	}
	fmt.Fprintf(info, "Loaded CAs (%d available)\n", len(cas))
	chain, err := certtoolReadChain(a)
	if err != nil {
		return err
	}
	return certtoolWriteVerification(a, stdout, chain, cas)
}

// certtoolVerifyChain is certtool -e: the last certificate of --infile is
// the trust anchor for the ones before it.
func certtoolVerifyChain(a *certtoolArgs, stdout io.Writer) error {
	chain, err := certtoolReadChain(a)
	if err != nil {
		return err
	}
	return certtoolWriteVerification(a, stdout, chain, chain[len(chain)-1:])
}

// certtoolReadChain reads the certificates of --infile (or stdin) with
// certtool's error for input without one.
func certtoolReadChain(a *certtoolArgs) ([]*x509.Certificate, error) {
	data, path, err := certtoolReadInput(a, os.Stdin, "")
	if err != nil {
		return nil, err
	}
	chain, err := libvirtcert.ParseCertificates(path, data)
	if err != nil {
		return nil, ctFail("error parsing CRTs in '%s': No certificate was found.", path)
	}
	return chain, nil
}

// certtoolWriteVerification writes certtool's verification report of chain
// against cas; an untrusted chain exits 1 after the report.
func certtoolWriteVerification(a *certtoolArgs, stdout io.Writer, chain, cas []*x509.Certificate) error {
	report, trusted := certtext.Verify(chain, cas, time.Now())
	if err := certtoolWrite(a, stdout, []byte(report), 0o644, false); err != nil {
		return err
	}
	if !trusted {
		return exitWith(exitFail)
	}
	return nil
}

func certtoolKeyID(a *certtoolArgs, stdout io.Writer) error {
	certs, err := certtoolReadCertificates(a)
	if err != nil {
		return err
	}
	var sum [20]byte
	if a.command == "key-id" {
		sum = sha1.Sum(certs[0].RawSubjectPublicKeyInfo)
	} else {
		sum = sha1.Sum(certs[0].Raw)
	}
	return certtoolWrite(a, stdout, []byte(hex.EncodeToString(sum[:])+"\n"), 0o644, false)
}
