package libvirtcert

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

func TestReadCertificates(t *testing.T) {
	dir := t.TempDir()
	a, b := pkitest.CA(t, "A"), pkitest.CA(t, "B")
	key := a.KeyPEM(t)
	data := bytes.Join([][]byte{[]byte("# bundle\n"), a.CertPEM(), key, b.CertPEM()}, nil)
	path := pkitest.WriteFile(t, dir, "bundle.pem", data, 0o644)
	pcs, err := ReadPEMCertificates(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(pcs) != 2 || pcs[0].Cert.Subject.CommonName != "A" || pcs[1].Cert.Subject.CommonName != "B" {
		t.Fatalf("got %d certificates", len(pcs))
	}
	if pcs[0].Line != 2 {
		t.Errorf("first certificate on line %d, want 2", pcs[0].Line)
	}
	wantLine := 2 + bytes.Count(a.CertPEM(), []byte("\n")) + bytes.Count(key, []byte("\n"))
	if pcs[1].Line != wantLine {
		t.Errorf("second certificate on line %d, want %d", pcs[1].Line, wantLine)
	}
	certs, err := ReadCertificates(path)
	if err != nil || len(certs) != 2 {
		t.Errorf("ReadCertificates = %d, %v", len(certs), err)
	}
}

func TestReadCertificatesErrors(t *testing.T) {
	dir := t.TempDir()
	ca := pkitest.CA(t, "A")
	big := bytes.Repeat(ca.CertPEM(), MaxFileSize/len(ca.CertPEM())+1)
	exact := append(append(bytes.Repeat([]byte("#"), MaxFileSize-len(ca.CertPEM())-1), '\n'), ca.CertPEM()...)
	cases := []struct {
		name string
		data []byte
		want error
		text string
	}{
		{"too-large", big, ErrTooLarge, "65536"},
		{"der", ca.DER, ErrDER, "certtool -i --inder"},
		{"empty", nil, ErrNoCertificate, "BEGIN CERTIFICATE"},
		{"key-only", ca.KeyPEM(t), ErrPrivateKey, "swapped"},
		{"crl-only", []byte("-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n"), ErrNoCertificate, "holds a X509 CRL PEM block"},
		{"broken-base64", []byte("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"), ErrNoCertificate, "malformed PEM"},
		{"after-nul", append([]byte("x\x00"), ca.CertPEM()...), ErrNoCertificate, ""},
	}
	for _, c := range cases {
		path := pkitest.WriteFile(t, dir, c.name+".pem", c.data, 0o644)
		_, err := ReadCertificates(path)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: error %v, want %v mentioning %q and the path", c.name, err, c.want, c.text)
		}
	}
	path := pkitest.WriteFile(t, dir, "exact.pem", exact, 0o644)
	if _, err := ReadCertificates(path); err != nil {
		t.Errorf("a file of exactly %d bytes: %v", MaxFileSize, err)
	}
	garbled := bytes.Replace(ca.CertPEM(), []byte("MII"), []byte("MIA"), 1)
	path = pkitest.WriteFile(t, dir, "garbled.pem", append([]byte("\n\n"), garbled...), 0o644)
	_, err := ReadCertificates(path)
	var fe *FileError
	if !errors.Is(err, ErrBadCertificate) || !errors.As(err, &fe) || fe.Line != 3 || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("garbled certificate: %v (want the file and line 3)", err)
	}
	if _, err := ReadCertificates(filepath.Join(dir, "missing.pem")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestFileReason(t *testing.T) {
	ca := pkitest.CA(t, "A")
	_, err := ParseCertificates("ca.pem", ca.KeyPEM(t))
	if err == nil || FileReason(err) != strings.TrimPrefix(err.Error(), "ca.pem: ") || strings.Contains(FileReason(err), "ca.pem") {
		t.Errorf("FileReason(%v) = %q, want the text without the file", err, FileReason(err))
	}
	other := errors.New("plain")
	if FileReason(other) != "plain" {
		t.Errorf("FileReason of a plain error = %q", FileReason(other))
	}
}

func TestRejectPrivateKey(t *testing.T) {
	ca := pkitest.CA(t, "A")
	both := append(append([]byte{}, ca.CertPEM()...), ca.KeyPEM(t)...)
	if pcs, err := ParsePEMCertificates("both.pem", both); err != nil || len(pcs) != 1 {
		t.Fatalf("a certificate next to its key: %d certificates, %v; libvirt ignores the key", len(pcs), err)
	}
	_, err := ParsePEMCertificatesWith("both.pem", both, PEMOptions{RejectPrivateKey: true})
	wantLine := 1 + bytes.Count(ca.CertPEM(), []byte("\n"))
	var fe *FileError
	if !errors.Is(err, ErrPrivateKey) || !errors.As(err, &fe) || fe.Line != wantLine || !strings.Contains(err.Error(), "world-readable") {
		t.Errorf("RejectPrivateKey: %v, want ErrPrivateKey at line %d", err, wantLine)
	}
	if _, err := ParsePEMCertificatesWith("ca.pem", ca.CertPEM(), PEMOptions{RejectPrivateKey: true}); err != nil {
		t.Errorf("RejectPrivateKey without a key: %v", err)
	}
}

func TestX509CertificateLabel(t *testing.T) {
	ca := pkitest.CA(t, "A")
	data := bytes.ReplaceAll(ca.CertPEM(), []byte(" CERTIFICATE-----"), []byte(" X509 CERTIFICATE-----"))
	certs, err := ParseCertificates("x509.pem", data)
	if err != nil || len(certs) != 1 || !bytes.Equal(certs[0].Raw, ca.DER) {
		t.Errorf("X509 CERTIFICATE block: %d certificates, %v", len(certs), err)
	}
}

func FuzzParsePEMCertificates(f *testing.F) {
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("garbage"))
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	f.Add([]byte("-----BEGIN X509 CERTIFICATE-----\n-----END X509 CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("text\n-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"))
	ca := pkitest.CA(f, "Fuzz CA")
	f.Add(ca.DER)
	f.Add(append(append([]byte("text before\n"), ca.CertPEM()...), ca.KeyPEM(f)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		pcs, err := ParsePEMCertificatesWith("fuzz.pem", data, PEMOptions{RejectPrivateKey: len(data)%2 == 0})
		if err == nil && len(pcs) == 0 {
			t.Fatal("no error and no certificate")
		}
		if err != nil && pcs != nil {
			t.Fatal("certificates returned with an error")
		}
		if err != nil && (!strings.HasPrefix(err.Error(), "fuzz.pem: ") || strings.Contains(err.Error(), "\n")) {
			t.Fatalf("error is not one line naming the file: %q", err)
		}
		_, _ = ImportPEMCertificate(data)
	})
}
