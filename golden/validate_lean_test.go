package golden

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// TestLeanValidateMatchesVirtPki runs the stand-alone virt-pki-validate
// (cmd/virt-pki-validate), the virt-pki-validate link to virt-pki and
// `virt-pki validate` on the same files and command lines (passing,
// warning, failing, JSON, scopes, a system image, usage errors, help) and
// requires the same stdout and exit status from all three, and the same
// stderr from the two virt-pki-validate programs.
func TestLeanValidateMatchesVirtPki(t *testing.T) {
	fixture := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("testdata", "validate", name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	tmp := t.TempDir()
	write := func(dir string, files map[string]string, mode os.FileMode) {
		for name, from := range files {
			pkitest.WriteFile(t, dir, name, fixture(from), mode)
		}
	}
	good := filepath.Join(tmp, "good")
	write(good, map[string]string{"cacert.pem": "cacert.pem", "servercert.pem": "servercert.pem", "serverkey.pem": "serverkey.pem",
		"clientcert.pem": "clientcert.pem", "clientkey.pem": "clientkey.pem"}, 0o600)
	broken := filepath.Join(tmp, "broken")
	write(broken, map[string]string{"cacert.pem": "cacert.pem", "cacrl.pem": "cacrl.pem", "servercert.pem": "expiredcert.pem",
		"serverkey.pem": "otherkey.pem", "clientcert.pem": "clientcert.pem"}, 0o600)
	write(broken, map[string]string{"clientkey.pem": "clientkey.pem"}, 0o644)
	img := filepath.Join(tmp, "img")
	write(img, map[string]string{"etc/pki/CA/cacert.pem": "cacert.pem", "etc/pki/libvirt/servercert.pem": "servercert.pem",
		"etc/pki/libvirt/clientcert.pem": "clientcert.pem", "etc/pki/qemu/ca-cert.pem": "cacert.pem",
		"etc/pki/qemu/server-cert.pem": "servercert.pem"}, 0o644)
	write(img, map[string]string{"etc/pki/libvirt/private/serverkey.pem": "serverkey.pem", "etc/pki/libvirt/private/clientkey.pem": "clientkey.pem"}, 0o600)
	pkitest.WriteFile(t, img, "etc/libvirt/libvirtd.conf", []byte(`tls_allowed_dn_list = ["CN=client1, O=Test Org, C=GB"]`+"\n"), 0o644)

	v9 := []string{"--libvirt-version", "9.0.0"}
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"pass", append([]string{"--path", good, "--hostname", "host.example"}, v9...), 0},
		{"warn", append([]string{"-p", good, "--hostname", "host.example", "--warn-days", "40000"}, v9...), 0},
		{"warn, strict", append([]string{"-p", good, "--hostname", "host.example", "--warn-days", "40000", "--strict"}, v9...), 1},
		{"pass, json, server", append([]string{"--path", good, "--hostname", "host.example", "--format", "json", "server"}, v9...), 0},
		{"fail", append([]string{"--path", broken, "--hostname", "host.example"}, v9...), 1},
		{"fail, json", append([]string{"--path", broken, "--hostname", "elsewhere.example", "--format", "json"}, v9...), 1},
		{"scope first, capitals", append([]string{"CLIENT", "-p", broken}, v9...), 1},
		{"trust, default names", []string{"trust", "--path", good}, 0},
		{"system image", append([]string{"--root", img, "--hostname", "host.example", "--qemu", "--qemu-group", "root"}, v9...), 1},
		{"usage: format", []string{"--format", "yaml"}, 2},
		{"usage: two scopes", []string{"trust", "server"}, 2},
		{"usage: layouts", []string{"-s", "--path", good}, 2},
		{"help", []string{"-h"}, 0},
	}
	link := filepath.Join(linkDir, "virt-pki-validate")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lean := runBin(t, LeanValidateBin(), c.args...)
			if lean.code != c.code {
				t.Fatalf("virt-pki-validate %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(c.args, " "), lean.code, c.code, lean.stdout, lean.stderr)
			}
			if c.code != 2 && lean.stdout == "" {
				t.Fatalf("virt-pki-validate %s printed nothing", strings.Join(c.args, " "))
			}
			for _, other := range []struct {
				name string
				res  binResult
			}{
				{"the virt-pki-validate link", runBin(t, link, c.args...)},
				{"virt-pki validate", runBin(t, Bin(), append([]string{"validate"}, c.args...)...)},
			} {
				if other.res.stdout != lean.stdout || other.res.code != lean.code {
					t.Errorf("%s %s: exit %d, stdout:\n%s\nthe lean virt-pki-validate: exit %d, stdout:\n%s",
						other.name, strings.Join(c.args, " "), other.res.code, other.res.stdout, lean.code, lean.stdout)
				}
				if (other.res.stderr == "") != (lean.stderr == "") {
					t.Errorf("%s: stderr %q, the lean virt-pki-validate: %q", other.name, other.res.stderr, lean.stderr)
				}
			}
			if l := runBin(t, link, c.args...); l.stderr != lean.stderr {
				t.Errorf("stderr differs: link %q, lean %q", l.stderr, lean.stderr)
			}
		})
	}
}

// binResult is what a program printed and its exit status.
type binResult struct {
	stdout, stderr string
	code           int
}

func runBin(t *testing.T, bin string, args ...string) binResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "TZ=UTC")
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return binResult{stdout.String(), stderr.String(), code}
}
