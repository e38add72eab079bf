package tlsprobe

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// TestCredentialPipesDoNotBlock: named pipes (nobody writing) in place of
// the CA, CRL, client certificate and key, in a pkipath or given with
// --cacert/--cert/--key, become findings at once; the probe and
// ServerChain still end, and nothing waits on a pipe.
func TestCredentialPipesDoNotBlock(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"cacert.pem", "cacrl.pem", "clientcert.pem", "clientkey.pem", "other-ca.pem", "other-key.pem"} {
		if err := syscall.Mkfifo(filepath.Join(dir, name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	addr := closedPort(t)
	// With a readable certificate the key is read too.
	ca := pkitest.CA(t, "Probe CA")
	cert := pkitest.WriteFile(t, t.TempDir(), "other-cert.pem", pkitest.Client(t, ca, clientName()).CertPEM(), 0o600)
	explicit := CredentialsSource{CACert: filepath.Join(dir, "other-ca.pem"), Cert: cert,
		Key: filepath.Join(dir, "other-key.pem"), Home: t.TempDir(), EUID: 1000, Root: t.TempDir()}
	for _, tc := range []struct {
		name   string
		creds  CredentialsSource
		target string
		want   []string // finding ids
	}{
		{"pkipath", CredentialsSource{Home: t.TempDir(), EUID: 1000}, "test+tls://" + addr + "/default?pkipath=" + dir,
			[]string{"ca-unreadable", "crl-unreadable", "client-cert-unreadable"}},
		{"explicit", explicit, "test+tls://" + addr + "/default?pkipath=" + dir,
			[]string{"ca-unreadable", "crl-unreadable", "client-key-unreadable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := New(Options{Credentials: tc.creds, Timeout: 5 * time.Second})
			tg, err := ParseTarget(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			var r *Result
			var chainErr error
			done := make(chan struct{})
			go func() {
				defer close(done)
				r = p.Probe(context.Background(), tg)
				_, chainErr = p.ServerChain(context.Background(), tc.target)
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("the probe did not end within 20s: a named pipe blocked it")
			}
			for _, id := range tc.want {
				f := findingByID(r, id)
				if f == nil || f.Status != finding.Fail || !strings.Contains(f.Message, "named pipe") {
					t.Errorf("%s = %+v; want a failure naming the named pipe (findings %+v)", id, f, r.Findings)
				}
			}
			if chainErr == nil {
				t.Error("ServerChain to a closed port succeeded")
			}
		})
	}
}

func findingByID(r *Result, id string) *finding.Finding {
	for i := range r.Findings {
		if r.Findings[i].ID == id {
			return &r.Findings[i]
		}
	}
	return nil
}
