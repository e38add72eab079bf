package issue

import (
	"errors"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/ca"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

func TestQuickstart(t *testing.T) {
	host := Host{FQDN: "compute1.example.org", Short: "compute1", Addresses: []net.IP{net.ParseIP("192.0.2.10").To4()}}
	out := t.TempDir()
	res, err := Quickstart(QuickstartOptions{Out: out, Days: 4000, Host: host})
	if err != nil {
		t.Fatal(err)
	}
	// Every file of QuickstartNames, once, with its kind and mode.
	want := map[string]bool{}
	for d, names := range QuickstartNames(out) {
		for _, n := range names {
			want[filepath.Join(d, n)] = true
		}
	}
	if len(res.Files) != len(want) {
		t.Errorf("%d files, want %d", len(res.Files), len(want))
	}
	for _, f := range res.Files {
		if !want[f.Path] {
			t.Errorf("unexpected file %s", f.Path)
		}
		delete(want, f.Path)
		name := filepath.Base(f.Path)
		isKey := name == ca.KeyFile || name == "serverkey.pem" || name == "clientkey.pem"
		if isKey != (f.Kind == ca.PrivateKey) {
			t.Errorf("%s has kind %s", f.Path, f.Kind)
		}
		wantMode := 0o600
		if f.Path == filepath.Join(res.Dirs.CA, ca.CertFile) {
			wantMode = 0o644
		}
		if int(f.Mode) != wantMode {
			t.Errorf("%s has mode %04o, want %04o", f.Path, f.Mode, wantMode)
		}
	}
	// The CA does not expire before leaves longer than ca.DefaultDays.
	if res.Server.Cert.NotAfter.After(res.CA.Cert.NotAfter) || res.Client.Cert.NotAfter.After(res.CA.Cert.NotAfter) {
		t.Errorf("CA until %v, server until %v, client until %v", res.CA.Cert.NotAfter, res.Server.Cert.NotAfter, res.Client.Cert.NotAfter)
	}
	if cn := res.CA.Cert.Subject.CommonName; cn != ca.DefaultCN(host) {
		t.Errorf("CA CN %q, want %q", cn, ca.DefaultCN(host))
	}
	for _, n := range append(host.All(), "localhost", "127.0.0.1", "::1") {
		if !libvirtcert.MatchHostname(res.Server.Cert, n) {
			t.Errorf("the server certificate does not cover %s", n)
		}
	}
	for _, f := range res.Findings {
		if f.ID == "issue-outlives-ca" {
			t.Errorf("quickstart warns: %s", f.Message)
		}
	}
	if res.Client.DN != "O=compute1.example.org,CN=client1" {
		t.Errorf("client DN %q", res.Client.DN)
	}
}

func TestQuickstartDaysAndClientDN(t *testing.T) {
	now := time.Now()
	res, err := Quickstart(QuickstartOptions{Out: t.TempDir(), ClientDN: "O=Site,CN=admin", Host: Host{FQDN: "h.example", Short: "h"}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Client.DN != "O=Site,CN=admin" {
		t.Errorf("client DN %q", res.Client.DN)
	}
	if got, want := res.CA.Cert.NotAfter.Sub(now), time.Duration(ca.DefaultDays)*24*time.Hour; got < want-time.Hour || got > want+time.Hour {
		t.Errorf("CA valid for %v, want about %v", got, want)
	}
	_, err = Quickstart(QuickstartOptions{Out: t.TempDir(), ClientDN: "O=Site,NOPE=x", Host: Host{FQDN: "h.example", Short: "h"}})
	var dnErr *ClientDNError
	if !errors.As(err, &dnErr) {
		t.Fatalf("a bad client DN gives %v, want a ClientDNError", err)
	}
}
