package certtext

import (
	"os"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/keys"
)

// TestPrivateKeyMatchesCerttool compares the text block with the one
// certtool -p wrote into the key files of keys/testdata.
func TestPrivateKeyMatchesCerttool(t *testing.T) {
	for _, name := range []string{"certtool-rsa.pem", "certtool-ecdsa.pem", "certtool-ed25519.pem"} {
		path := "../keys/testdata/" + name
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want, _, ok := strings.Cut(string(data), "-----BEGIN")
		if !ok {
			t.Fatalf("%s: no PEM", name)
		}
		key, err := keys.ReadPrivateKeyFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: key text differs from certtool -p\n%s", name, lineDiff(want, got))
		}
	}
}
