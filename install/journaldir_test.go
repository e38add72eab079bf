package install

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/layout"
)

// overrideReq installs the CA and server files where libvirtd.conf's
// ca_file, cert_file and key_file point, all outside /etc/pki.
func overrideReq(t *testing.T, root string, s *pkiSet) Request {
	t.Helper()
	conf, err := layout.ParseLibvirtdConf("/etc/libvirt/libvirtd.conf", []byte(
		"ca_file = \"/srv/tls/ca.pem\"\ncert_file = \"/srv/tls/server.pem\"\nkey_file = \"/srv/tls/server.key\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	req := systemReq(root, s, RoleCA, RoleServer)
	req.Target.LibvirtdConf = conf
	return req
}

// With every file outside the layout's base directory, no directory is
// made for the journal: the plan creates only the files' directories and
// /etc/pki stays absent.
func TestJournalGoesWhereTheFilesGo(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	s := newSet(t, nil)
	req := overrideReq(t, root, s)
	base := layout.NewSystem(root).Base
	tls := filepath.Join(root, "srv/tls")

	var journalSeenIn []string
	res, err := Install(req, Options{Hook: func(label string) error {
		if label == "rename "+filepath.Join(tls, "ca.pem") { // the journal is written by now
			for _, d := range []string{base, tls} {
				if _, err := os.Stat(journalPath(d)); err == nil {
					journalSeenIn = append(journalSeenIn, d)
				}
			}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Plan.Dirs {
		if d.Path == base || strings.HasPrefix(d.Path, base+"/") {
			t.Errorf("the plan creates %s although no file goes there", d.Path)
		}
	}
	if _, err := os.Stat(base); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was created (%v)", base, err)
	}
	if len(journalSeenIn) != 1 || journalSeenIn[0] != tls {
		t.Errorf("journal found in %v during the renames, want only %s", journalSeenIn, tls)
	}
	if l := leftovers(t, root); len(l) != 0 {
		t.Errorf("left behind: %v", l)
	}
	// The usual case keeps the journal in the base directory.
	if got := journalDir(base, []layout.File{{Path: filepath.Join(base, "CA/cacert.pem")}, {Path: "/elsewhere/x.pem"}}); got != base {
		t.Errorf("journalDir with a file below base = %s", got)
	}
}

// An install stopped for good in the middle of its renames (the goroutine
// ends, as a killed process would: no rollback runs) leaves its journal
// beside the files; the next install of the same request finds it there
// and completes the set.
func TestJournalOutsideBaseIsRecovered(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	old, nw := newSet(t, nil), newSet(t, nil)
	mustInstall(t, overrideReq(t, root, old))
	req := overrideReq(t, root, nw)
	req.Force = true
	tls := filepath.Join(root, "srv/tls")

	done := make(chan struct{})
	go func() {
		defer close(done)
		Install(req, Options{Hook: func(label string) error {
			if label == "rename "+filepath.Join(tls, "server.pem") {
				runtime.Goexit() // a crash after the first rename
			}
			return nil
		}})
	}()
	<-done
	if _, err := os.Stat(journalPath(tls)); err != nil {
		t.Fatalf("no journal beside the files after the crash: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(tls, "ca.pem")); !bytes.Equal(got, nw.caPEM) {
		t.Fatal("the crash did not happen after the first rename")
	}

	res, err := Install(req, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Recovery.Journal != journalPath(tls) || res.Recovery.Direction != "forward" {
		t.Errorf("recovery %+v, want the journal in %s rolled forward", res.Recovery, tls)
	}
	for name, want := range map[string][]byte{"ca.pem": nw.caPEM, "server.pem": nw.srvPEM, "server.key": nw.serverKeyPEM} {
		if got, _ := os.ReadFile(filepath.Join(tls, name)); !bytes.Equal(got, want) {
			t.Errorf("%s does not hold the new file after recovery", name)
		}
	}
	if l := leftovers(t, root); len(l) != 0 {
		t.Errorf("left behind: %v", l)
	}
}
