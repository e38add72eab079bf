package hostinfo

import (
	"context"
	"errors"
	"net"
	"os"
	"reflect"
	"testing"
	"time"
)

type fakeResolver struct {
	cname string
	hosts []string
	ptr   map[string][]string
}

var errNoAnswer = errors.New("no answer")

func (f fakeResolver) LookupCNAME(ctx context.Context, host string) (string, error) {
	if f.cname == "" {
		return "", errNoAnswer
	}
	return f.cname, nil
}

func (f fakeResolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	if f.hosts == nil {
		return nil, errNoAnswer
	}
	return f.hosts, nil
}

func (f fakeResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	if n, ok := f.ptr[addr]; ok {
		return n, nil
	}
	return nil, errNoAnswer
}

func TestResolve(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, host string
		r          fakeResolver
		want       []string
	}{
		{"cname", "compute1", fakeResolver{cname: "compute1.example.org."}, []string{"compute1.example.org", "compute1"}},
		{"cname of another host ignored, reverse used", "compute1",
			fakeResolver{cname: "lb.example.org.", hosts: []string{"192.0.2.7"}, ptr: map[string][]string{"192.0.2.7": {"compute1.example.net."}}},
			[]string{"compute1.example.net", "compute1"}},
		{"short cname ignored", "compute1", fakeResolver{cname: "compute1."}, []string{"compute1"}},
		{"reverse name of another host ignored", "compute1",
			fakeResolver{hosts: []string{"192.0.2.7"}, ptr: map[string][]string{"192.0.2.7": {"other.example.org."}}},
			[]string{"compute1"}},
		{"qualified kernel name kept", "compute1.example.org", fakeResolver{cname: "x.example.com."}, []string{"compute1.example.org", "compute1"}},
		{"no resolver answers", "compute1", fakeResolver{}, []string{"compute1"}},
		{"unknown host name", "", fakeResolver{cname: "x.example.org."}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := Resolve(ctx, tc.r, tc.host)
			if got := h.Names(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Resolve(%q).Names() = %q, want %q", tc.host, got, tc.want)
			}
		})
	}
}

func TestAll(t *testing.T) {
	h := Host{FQDN: "a.example", Short: "a", Addresses: []net.IP{net.ParseIP("192.0.2.1").To4(), net.ParseIP("2001:db8::1")}}
	want := []string{"a.example", "a", "192.0.2.1", "2001:db8::1"}
	if got := h.All(); !reflect.DeepEqual(got, want) {
		t.Errorf("All() = %q, want %q", got, want)
	}
}

func TestLookupThisHost(t *testing.T) {
	h := Lookup(2 * time.Second)
	name, _ := os.Hostname()
	if h.Short != ShortName(name) || (name != "" && h.FQDN == "") {
		t.Errorf("host %+v for kernel host name %q", h, name)
	}
	for i, a := range h.Addresses {
		if a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified() {
			t.Errorf("address %v should not be listed", a)
		}
		if i > 0 && len(a) < len(h.Addresses[i-1]) {
			t.Errorf("IPv4 addresses must come first: %v", h.Addresses)
		}
	}
}
