package certtext

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/libvirtcert"
)

// TestMatchesCerttool compares the rendering of certificates made by
// certtool 3.7.9 with what certtool -i printed for them (testdata/*.txt).
func TestMatchesCerttool(t *testing.T) {
	files, _ := filepath.Glob("testdata/certtool-*.pem")
	if len(files) == 0 {
		t.Fatal("no test certificates")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		certs, err := libvirtcert.ParseCertificates(f, data)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(strings.TrimSuffix(f, ".pem") + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		got := CertificateWithPEM(certs[0])
		if got != string(want) {
			t.Errorf("%s: rendering differs from certtool -i\n%s", f, lineDiff(string(want), got))
		}
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  certtool: " + quote(wl) + "\n  ours:     " + quote(gl) + "\n")
		}
	}
	return b.String()
}

func quote(s string) string { return strconv.Quote(s) }

// TestRequestMatchesCerttool compares the rendering of a request made by
// certtool -q with the text certtool wrote before its PEM.
func TestRequestMatchesCerttool(t *testing.T) {
	data, err := os.ReadFile("testdata/certtool-request.csr")
	if err != nil {
		t.Fatal(err)
	}
	text, rest, ok := strings.Cut(string(data), "-----BEGIN NEW CERTIFICATE REQUEST-----")
	if !ok {
		t.Fatal("no PEM in the request file")
	}
	block, _ := pem.Decode([]byte("-----BEGIN NEW CERTIFICATE REQUEST-----" + rest))
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if got := Request(csr) + "\n"; got != text {
		t.Errorf("request rendering differs from certtool -q\n%s", lineDiff(text, got))
	}
}
