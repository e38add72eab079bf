package libvirtcert

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

func crlPEM(der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}) }

func TestParseCRLsReadsEveryCRLBlockAndSkipsOthers(t *testing.T) {
	ca1, ca2 := pkitest.CA(t, "CA one"), pkitest.CA(t, "CA two")
	data := append([]byte("comment before\n"), ca1.CertPEM()...)
	data = append(data, crlPEM(pkitest.CRL(t, ca1, big.NewInt(7)))...)
	data = append(data, crlPEM(pkitest.CRL(t, ca2))...)
	lists, err := ParseCRLs("crl.pem", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 2 {
		t.Fatalf("got %d CRLs, want 2", len(lists))
	}
	if string(lists[0].RawIssuer) != string(ca1.Cert.RawSubject) || string(lists[1].RawIssuer) != string(ca2.Cert.RawSubject) {
		t.Error("CRLs are not returned in file order")
	}
}

func TestParseCRLsRefusals(t *testing.T) {
	ca := pkitest.CA(t, "Test CA")
	der := pkitest.CRL(t, ca)
	good := crlPEM(der)
	secondLine := strings.Count(string(good), "\n") + 2 // after a blank line
	broken := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x00}})
	for _, tc := range []struct {
		name   string
		data   []byte
		reason error
		msg    string
		line   int
	}{
		{"DER", der, ErrDERCRL, "is a DER (binary) CRL; libvirt reads only PEM (convert it: certtool --crl-info --inder --infile crl.pem --outfile crl.pem.pem)", 0},
		{"certificate only", ca.CertPEM(), ErrNoCRL, "holds a CERTIFICATE PEM block, not a CRL", 0},
		{"private key", ca.KeyPEM(t), ErrNoCRL, "PRIVATE KEY PEM block, not a CRL (is it the wrong file?)", 0},
		{"broken PEM", []byte("-----BEGIN X509 CRL-----\n!!!\n"), ErrNoCRL, "holds malformed PEM (broken base64 or missing -----END line)", 0},
		{"empty", nil, ErrNoCRL, "is not a PEM CRL (no -----BEGIN X509 CRL----- block)", 0},
		{"text", []byte("hello\n"), ErrNoCRL, "is not a PEM CRL (no -----BEGIN X509 CRL----- block)", 0},
		{"second CRL malformed", append(append(append([]byte{}, good...), '\n'), broken...), ErrBadCRL, fmt.Sprintf("has a CRL that does not parse (CRL 2, line %d)", secondLine), secondLine},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lists, err := ParseCRLs("crl.pem", tc.data)
			if err == nil {
				t.Fatalf("accepted: %d CRLs", len(lists))
			}
			var fe *FileError
			if !errors.As(err, &fe) || !errors.Is(err, tc.reason) {
				t.Fatalf("error %v (%T) is not a *FileError wrapping %v", err, err, tc.reason)
			}
			if !strings.HasPrefix(err.Error(), "crl.pem: ") || !strings.Contains(fe.Msg, tc.msg) {
				t.Errorf("error %q, want crl.pem: ...%s...", err, tc.msg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if fe.Line != tc.line {
				t.Errorf("line %d, want %d", fe.Line, tc.line)
			}
		})
	}
}

func TestReadCRLsFileErrors(t *testing.T) {
	dir := t.TempDir()
	ca := pkitest.CA(t, "Test CA")
	good := pkitest.WriteFile(t, dir, "cacrl.pem", crlPEM(pkitest.CRL(t, ca, big.NewInt(3))), 0o644)
	if lists, err := ReadCRLs(good); err != nil || len(lists) != 1 || len(lists[0].RevokedCertificateEntries) != 1 {
		t.Fatalf("ReadCRLs(good) = %v, %v", lists, err)
	}

	_, err := ReadCRLs(filepath.Join(dir, "missing.pem"))
	if !errors.Is(err, ErrUnreadable) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v does not wrap ErrUnreadable and fs.ErrNotExist", err)
	}

	// libvirt has no 64 KiB cap for CRLs (GnuTLS reads them whole): a
	// large CRL is read; only one past MaxCRLFileSize is refused.
	large := append(crlPEM(pkitest.CRL(t, ca)), make([]byte, 2*MaxFileSize)...)
	if lists, err := ReadCRLs(pkitest.WriteFile(t, dir, "large.pem", large, 0o644)); err != nil || len(lists) != 1 {
		t.Errorf("CRL file over 64 KiB: %v, %v", lists, err)
	}
	oversized := append(crlPEM(pkitest.CRL(t, ca)), make([]byte, MaxCRLFileSize)...)
	_, err = ReadCRLs(pkitest.WriteFile(t, dir, "big.pem", oversized, 0o644))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), fmt.Sprintf("larger than %d bytes", MaxCRLFileSize)) {
		t.Errorf("oversized file: %v", err)
	}

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = ReadCRLs(fifo)
	if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("named pipe: %v", err)
	}
}

func TestRevoked(t *testing.T) {
	ca, other := pkitest.CA(t, "Test CA"), pkitest.CA(t, "Other CA")
	leaf := pkitest.Server(t, ca, "host.example")
	kept := pkitest.Server(t, ca, "kept.example")
	parse := func(der []byte) *x509.RevocationList {
		l, err := x509.ParseRevocationList(der)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	own := parse(pkitest.CRL(t, ca, leaf.Cert.SerialNumber))
	foreign := parse(pkitest.CRL(t, other, leaf.Cert.SerialNumber, kept.Cert.SerialNumber))

	if e, ok := Revoked([]*x509.RevocationList{foreign, own}, leaf.Cert); !ok || e.SerialNumber.Cmp(leaf.Cert.SerialNumber) != 0 {
		t.Errorf("leaf listed by its issuer's CRL: Revoked = %v, %v", e, ok)
	}
	if _, ok := Revoked([]*x509.RevocationList{foreign, own}, kept.Cert); ok {
		t.Error("a serial listed only by another issuer's CRL counts as revoked")
	}
	if _, ok := Revoked(nil, leaf.Cert); ok {
		t.Error("no CRLs, yet revoked")
	}
}

func FuzzParseCRLs(f *testing.F) {
	ca := pkitest.CA(f, "Fuzz CA")
	der := pkitest.CRL(f, ca, big.NewInt(1))
	f.Add(der)
	f.Add(crlPEM(der))
	f.Add(append(append(ca.CertPEM(), crlPEM(der)...), crlPEM(der)...))
	f.Add([]byte("-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n"))
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN X509 CRL-----\n!!!\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lists, err := ParseCRLs("f.pem", data)
		if err == nil {
			if len(lists) == 0 {
				t.Fatal("no error and no CRL")
			}
			return
		}
		var fe *FileError
		if !errors.As(err, &fe) || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "f.pem: ") {
			t.Fatalf("error is not a one-line *FileError naming the file: %q", err)
		}
		if lists != nil {
			t.Fatal("partial result with an error")
		}
	})
}
