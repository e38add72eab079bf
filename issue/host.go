package issue

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
	FQDN      string   // fully qualified name ("compute1.example.org"), or the short name when none is known
	Short     string   // first label ("compute1")
	Addresses []net.IP // non-loopback, non-link-local unicast addresses
}

// lookupBudget bounds the resolver queries ThisHost makes, so that a
// machine without working DNS still gets its certificates at once.
const lookupBudget = 2 * time.Second

// ThisHost finds this machine's names and addresses: the kernel host name,
// its canonical name from the resolver (falling back to a name with a dot
// among its aliases; all lookups together take at most two seconds), and
// the addresses of the interfaces that are up.
func ThisHost() Host {
	name, _ := os.Hostname()
	h := Host{FQDN: name, Short: shortName(name)}
	ctx, cancel := context.WithTimeout(context.Background(), lookupBudget)
	defer cancel()
	r := net.DefaultResolver
	if !strings.Contains(name, ".") {
		if cname, err := r.LookupCNAME(ctx, name); err == nil {
			if c := strings.TrimSuffix(cname, "."); strings.Contains(c, ".") && shortName(c) == h.Short {
				h.FQDN = c
			}
		}
	}
	if !strings.Contains(h.FQDN, ".") {
		if addrs, err := r.LookupHost(ctx, name); err == nil {
			for _, a := range addrs {
				names, _ := r.LookupAddr(ctx, a)
				for _, n := range names {
					if n = strings.TrimSuffix(n, "."); strings.Contains(n, ".") && shortName(n) == h.Short {
						h.FQDN = n
					}
				}
			}
		}
	}
	h.Addresses = interfaceAddresses()
	return h
}

func shortName(name string) string {
	if i := strings.IndexByte(name, '.'); i > 0 {
		return name[:i]
	}
	return name
}

func interfaceAddresses() []net.IP {
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
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip := ipn.IP
			if ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsUnspecified() {
				continue
			}
			if v4 := ip.To4(); v4 != nil {
				ip = v4
			}
			out = append(out, ip)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) < len(out[j]) }) // IPv4 first
	return out
}

// Names returns the DNS names for a server certificate of this host:
// the FQDN, then the short name when it differs.
func (h Host) Names() []string {
	names := []string{h.FQDN}
	if h.Short != "" && h.Short != h.FQDN {
		names = append(names, h.Short)
	}
	return names
}
