package ca

import (
	"crypto/x509/pkix"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/internal/atomicfile"
	"github.com/virt-pki/virt-pki/internal/hostinfo"
	"github.com/virt-pki/virt-pki/internal/pkitest"
	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/templates"
)

func writeCA(t *testing.T, dir string, c *pkitest.Cert) (string, string) {
	t.Helper()
	return c.WritePair(t, dir, "cacert.pem", "cakey.pem")
}

func TestCreateLoadSign(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	created, err := Create(DefaultTemplate("Test CA", 0), nil, DefaultKey, now)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	files := created.Files(dir)
	if len(files) != 2 || files[0].Path != keyPath || files[0].Kind != PrivateKey || files[0].Mode != 0o600 ||
		files[1].Path != certPath || files[1].Kind != Certificate || files[1].Mode != 0o644 {
		t.Fatalf("Files(%s) = %+v", dir, files)
	}
	if err := WriteFiles(files, false); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(keyPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v", fi.Mode().Perm())
	}
	c, err := Load(certPath, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Cert.IsCA || c.Cert.KeyUsage&(1<<5) == 0 {
		t.Errorf("not a signing CA: %+v", c.Cert)
	}
	if got := c.Cert.NotAfter.Sub(c.Cert.NotBefore); got != DefaultDays*24*time.Hour {
		t.Errorf("CA validity %v", got)
	}
	leafKey, _ := keys.Generate(keys.Params{Algorithm: keys.ECDSA, Curve: "P-256"})
	leaf, err := c.Sign(&templates.Template{Name: "t", CN: "leaf", TLSWWWServer: true, SigningKey: true}, leafKey.Public(), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := leaf.CheckSignatureFrom(c.Cert); err != nil {
		t.Fatal(err)
	}
	if leaf.SerialNumber.BitLen() < 64 {
		t.Errorf("serial %v has fewer than 64 bits", leaf.SerialNumber)
	}
	// A CA whose key is not its certificate's never signs.
	other, _ := keys.Generate(DefaultKey)
	wrong := &CA{Cert: c.Cert, Key: other, CertPath: certPath, KeyPath: "other.pem"}
	if _, err := wrong.Sign(&templates.Template{Name: "t", CN: "x"}, leafKey.Public(), now); !IsProblem(err, IDKeyMismatch) {
		t.Errorf("signing with a foreign key: %v", err)
	}
	// Signing later than the CA's end is refused.
	if _, err := c.Sign(&templates.Template{Name: "t", CN: "x"}, leafKey.Public(), c.Cert.NotAfter.Add(time.Hour)); !IsProblem(err, IDExpired) {
		t.Errorf("signing after expiry: %v", err)
	}
}

func TestLoadRefusesUnusableCAs(t *testing.T) {
	dir := t.TempDir()
	good := pkitest.CA(t, "Good CA")
	other := pkitest.CA(t, "Other CA")
	leaf := pkitest.Server(t, good, "host.example")
	expired := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "Old CA"}, IsCA: pkitest.Bool(true), BCCrit: true, PathLen: -1,
		KeyUsage: 1 << 5, KUCrit: true, NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}, nil)
	future := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "Future CA"}, IsCA: pkitest.Bool(true), BCCrit: true, PathLen: -1,
		NotBefore: time.Now().Add(24 * time.Hour), NotAfter: time.Now().Add(48 * time.Hour)}, nil)
	noSign := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "No-sign CA"}, IsCA: pkitest.Bool(true), BCCrit: true, PathLen: -1,
		KeyUsage: 1 << 6, KUCrit: true}, nil)

	sub := func(name string) string { d := filepath.Join(dir, name); os.Mkdir(d, 0o700); return d }
	gc, gk := writeCA(t, sub("good"), good)
	_, ok := other.WritePair(t, sub("other"), "cacert.pem", "cakey.pem")
	lc, lk := leaf.WritePair(t, sub("leaf"), "cert.pem", "key.pem")
	ec, ek := writeCA(t, sub("expired"), expired)
	fc, fk := writeCA(t, sub("future"), future)
	nc, nk := writeCA(t, sub("nosign"), noSign)
	garbage := pkitest.WriteFile(t, dir, "garbage.pem", []byte("not pem\n"), 0o644)

	cases := []struct {
		name, cert, key, id, path, text string
	}{
		{"mismatched key", gc, ok, IDKeyMismatch, ok, "does not belong"},
		{"leaf as CA", lc, lk, IDNotCA, lc, "not a CA certificate"},
		{"expired", ec, ek, IDExpired, ec, "expired on"},
		{"not yet valid", fc, fk, IDNotYetValid, fc, "not valid before"},
		{"no keyCertSign", nc, nk, IDNoCertSign, nc, "keyCertSign"},
		{"garbage certificate", garbage, gk, IDNoCertificate, garbage, "no PEM certificate"},
		{"key as certificate", gk, gk, IDNoCertificate, gk, "private key, not a certificate"},
		{"certificate as key", gc, gc, IDBadKey, gc, "certificate, not a private key"},
		{"missing certificate", filepath.Join(dir, "none.pem"), gk, IDUnreadable, filepath.Join(dir, "none.pem"), "no such file"},
	}
	for _, c := range cases {
		_, err := Load(c.cert, c.key)
		var e *Error
		if !errors.As(err, &e) || e.ID != c.id || e.Path != c.path {
			t.Errorf("%s: got %v, want %s naming %s", c.name, err, c.id, c.path)
			continue
		}
		if !strings.HasPrefix(err.Error(), c.path+": ") || !strings.Contains(err.Error(), c.text) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: message %q", c.name, err)
		}
	}
	if _, err := Load(gc, gk); err != nil {
		t.Errorf("good CA: %v", err)
	}
}

func TestCreateRefusesNonCATemplate(t *testing.T) {
	_, err := Create(&templates.Template{Name: "ca.info", CN: "x"}, nil, DefaultKey, time.Now())
	if err == nil || !strings.Contains(err.Error(), "ca.info") {
		t.Errorf("got %v", err)
	}
	if _, err := Create(DefaultTemplate("x", 0), nil, keys.Params{Algorithm: keys.RSA, Bits: 1024}, time.Now()); err == nil {
		t.Error("RSA 1024 CA accepted")
	}
}

func TestWriteFilesAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.pem"), filepath.Join(dir, "b.pem")
	if err := os.WriteFile(b, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteFiles([]File{{a, []byte("A"), 0o600, PrivateKey}, {b, []byte("B"), 0o644, Certificate}}, false)
	if !errors.Is(err, atomicfile.ErrExists) || !strings.Contains(err.Error(), b) {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(a); !os.IsNotExist(err) {
		t.Error("a.pem written although the set failed")
	}
	if data, _ := os.ReadFile(b); string(data) != "old" {
		t.Error("b.pem overwritten without force")
	}
	if err := WriteFiles([]File{{a, []byte("A"), 0o600, PrivateKey}, {b, []byte("B"), 0o644, Certificate}}, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(b); string(data) != "B" {
		t.Error("force did not replace b.pem")
	}
	// A file in a directory that does not exist fails before anything is placed.
	c := filepath.Join(dir, "missing", "c.pem")
	d := filepath.Join(dir, "d.pem")
	if err := WriteFiles([]File{{d, []byte("D"), 0o600, PrivateKey}, {c, []byte("C"), 0o644, Certificate}}, false); err == nil {
		t.Fatal("write into a missing directory succeeded")
	}
	if _, err := os.Stat(d); !os.IsNotExist(err) {
		t.Error("d.pem left behind")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), atomicfile.TempPrefix) {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestDefaultCN(t *testing.T) {
	for _, tc := range []struct {
		h    hostinfo.Host
		want string
	}{
		{hostinfo.Host{FQDN: "compute1.example.org", Short: "compute1"}, "virt-pki CA on compute1.example.org"},
		{hostinfo.Host{FQDN: "compute1", Short: "compute1"}, "virt-pki CA on compute1"},
		{hostinfo.Host{}, "virt-pki CA"},
	} {
		if got := DefaultCN(tc.h); got != tc.want {
			t.Errorf("DefaultCN(%+v) = %q, want %q", tc.h, got, tc.want)
		}
	}
}

func TestCreatedFilesWithBroughtKey(t *testing.T) {
	key, err := keys.Generate(DefaultKey)
	if err != nil {
		t.Fatal(err)
	}
	created, err := Create(DefaultTemplate("Test CA", 0), key, DefaultKey, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if files := created.Files("d"); len(files) != 1 || files[0].Kind != Certificate || files[0].Path != filepath.Join("d", CertFile) {
		t.Errorf("a CA from a brought key writes %+v", files)
	}
}
