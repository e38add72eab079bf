package install

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/layout"
)

// climbOut returns a host path written so that, joined to any root
// prefix, it climbs out of the prefix to dir.
func climbOut(dir string) string {
	return "/" + strings.Repeat("../", 32) + strings.TrimPrefix(dir, "/")
}

// TestInstallRefusesPathsOutsideRootOrLayout covers writes that would
// leave --root or the layout: a directory symlink of the layout pointing
// elsewhere, '..' in libvirtd.conf's paths and in the QEMU directory.
// Each is a one-line InputError naming the path (and the link target),
// and nothing is written, neither under the root nor outside it.
func TestInstallRefusesPathsOutsideRootOrLayout(t *testing.T) {
	s := newSet(t, nil)
	cases := []struct {
		name  string
		setup func(t *testing.T, root, outside string) Request
		want  func(root, outside string) string
	}{
		{"directory symlink of the layout to outside the root", func(t *testing.T, root, outside string) Request {
			os.MkdirAll(filepath.Join(root, "etc/pki"), 0o755)
			os.Symlink(outside, filepath.Join(root, "etc/pki/libvirt"))
			return systemReq(root, s, RoleServer, RoleClient)
		}, func(root, outside string) string {
			return filepath.Join(root, "etc/pki/libvirt") + ": is a symlink to " + outside + ", outside --root " + root
		}},
		{"directory symlink of the layout to elsewhere in the root", func(t *testing.T, root, outside string) Request {
			os.MkdirAll(filepath.Join(root, "etc/pki"), 0o755)
			os.MkdirAll(filepath.Join(root, "srv/pki"), 0o755)
			os.Symlink(filepath.Join(root, "srv/pki"), filepath.Join(root, "etc/pki/libvirt"))
			return systemReq(root, s, RoleServer)
		}, func(root, outside string) string {
			return filepath.Join(root, "etc/pki/libvirt") + ": is a symlink to " + filepath.Join(root, "srv/pki") + ", outside the layout"
		}},
		{"'..' in libvirtd.conf's ca_file", func(t *testing.T, root, outside string) Request {
			conf, err := layout.ParseLibvirtdConf("/etc/libvirt/libvirtd.conf", []byte(
				"ca_file = \""+climbOut(outside)+"/escape/cacert.pem\"\ncert_file = \"/srv/s.pem\"\nkey_file = \"/srv/k.pem\"\n"))
			if err != nil {
				t.Fatal(err)
			}
			r := systemReq(root, s, RoleCA, RoleServer)
			r.Target.LibvirtdConf = conf
			return r
		}, func(root, outside string) string {
			return filepath.Join(outside, "escape/cacert.pem") + ": is outside --root " + root
		}},
		{"'..' in the QEMU directory", func(t *testing.T, root, outside string) Request {
			return Request{Roles: []Role{RoleCA, RoleServer}, Sources: Sources{FromDir: s.Dir},
				Target: Target{Kind: layout.QEMU, Root: root, Dir: layout.Under(root, climbOut(outside))}}
		}, func(root, outside string) string {
			return outside + ": is outside --root " + root
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root, outside := t.TempDir(), t.TempDir()
			req := tc.setup(t, root, outside)
			before, beforeOut := snapshot(t, root), snapshot(t, outside)
			for _, dry := range []bool{true, false} {
				_, err := Install(req, Options{DryRun: dry})
				var ie *InputError
				want := tc.want(root, outside)
				if !errors.As(err, &ie) || !strings.Contains(err.Error(), want) {
					t.Fatalf("dry run %v: err = %v, want an InputError containing %q", dry, err, want)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error is not one line: %q", err)
				}
			}
			if !sameSnapshot(before, snapshot(t, root)) || !sameSnapshot(beforeOut, snapshot(t, outside)) {
				t.Error("a refused install wrote something")
			}
		})
	}
}

func TestEscapesRootAllowsLinksInsideTheRoot(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "srv/pki"), 0o755)
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.Symlink("../srv/pki", filepath.Join(root, "etc/pki"))
	if esc, out := layout.EscapesRoot(root, filepath.Join(root, "etc/pki/CA/cacert.pem")); out {
		t.Errorf("a relative link inside the root counted as an escape: %+v", esc)
	}
	if _, out := layout.EscapesRoot("", "/../../etc/pki"); out {
		t.Error("the host (no root) cannot be escaped")
	}
}
