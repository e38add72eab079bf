// Package hostinfo finds the names and addresses clients use to reach this
// machine. It is the one definition shared by the commands that issue a
// server certificate for this host (issue) and the audit that checks a
// server certificate covers this host (validate), so that a certificate
// issued by default is never flagged by the audit.
package hostinfo

import (
	"context"
	"net"
	"os"
	"sort"
	"strings"
	"time"
)

// Host is how clients may name this machine.
type Host struct {
	FQDN      string   // fully qualified name ("compute1.example.org"), or the kernel host name when none is known
	Short     string   // first label ("compute1")
	Addresses []net.IP // addresses of the interfaces that are up: no loopback, link-local, multicast or unspecified ones; IPv4 first
}

// Names returns the DNS names of this host: the FQDN, then the short name
// when it differs. Empty when the host name is unknown.
func (h Host) Names() []string {
	var names []string
	if h.FQDN != "" {
		names = append(names, h.FQDN)
	}
	if h.Short != "" && h.Short != h.FQDN {
		names = append(names, h.Short)
	}
	return names
}

// AddressStrings returns Addresses in text form.
func (h Host) AddressStrings() []string {
	var s []string
	for _, a := range h.Addresses {
		s = append(s, a.String())
	}
	return s
}

// All returns Names followed by AddressStrings: every name and address a
// server certificate for this host must cover.
func (h Host) All() []string {
	return append(h.Names(), h.AddressStrings()...)
}

// Resolver is the part of *net.Resolver that Lookup uses.
type Resolver interface {
	LookupCNAME(ctx context.Context, host string) (string, error)
	LookupHost(ctx context.Context, host string) ([]string, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// Lookup finds this machine's names and addresses: the kernel host name,
// its fully qualified name from the resolver, and the addresses of the
// interfaces that are up. All resolver queries together take at most
// timeout, so a machine without working DNS still gets an answer at once.
func Lookup(timeout time.Duration) Host {
	name, _ := os.Hostname()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	h := Resolve(ctx, net.DefaultResolver, name)
	h.Addresses = InterfaceAddresses()
	return h
}

// Resolve returns the names of the host called name (its kernel host
// name), using r: a name with a dot is the FQDN as it stands; otherwise
// the FQDN is the canonical name (CNAME) when that has a dot and the same
// first label, else such a name among the reverse lookups of name's
// addresses, else name itself. Addresses is left empty.
func Resolve(ctx context.Context, r Resolver, name string) Host {
	name = strings.TrimSuffix(name, ".")
	h := Host{FQDN: name, Short: ShortName(name)}
	if name == "" || strings.Contains(name, ".") {
		return h
	}
	qualifies := func(n string) (string, bool) {
		n = strings.TrimSuffix(n, ".")
		return n, strings.Contains(n, ".") && strings.EqualFold(ShortName(n), h.Short)
	}
	if cname, err := r.LookupCNAME(ctx, name); err == nil {
		if c, ok := qualifies(cname); ok {
			h.FQDN = c
			return h
		}
	}
	addrs, err := r.LookupHost(ctx, name)
	if err != nil {
		return h
	}
	for _, a := range addrs {
		names, _ := r.LookupAddr(ctx, a)
		for _, n := range names {
			if c, ok := qualifies(n); ok {
				h.FQDN = c
				return h
			}
		}
	}
	return h
}

// ShortName returns the first label of name.
func ShortName(name string) string {
	if i := strings.IndexByte(name, '.'); i > 0 {
		return name[:i]
	}
	return name
}

// InterfaceAddresses returns the unicast addresses of the interfaces that
// are up, without loopback and link-local ones, IPv4 first (as 4-byte
// addresses). Nil when the interfaces cannot be listed.
func InterfaceAddresses() []net.IP {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []net.IP
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if ip, ok := usable(a); ok {
				out = append(out, ip)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) < len(out[j]) })
	return out
}

// usable returns a's IP when clients can reach this host at it.
func usable(a net.Addr) (net.IP, bool) {
	ipn, ok := a.(*net.IPNet)
	if !ok {
		return nil, false
	}
	ip := ipn.IP
	if ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsUnspecified() {
		return nil, false
	}
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	return ip, true
}
