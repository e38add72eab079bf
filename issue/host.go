package issue

import (
	"time"

	"github.com/virt-pki/virt-pki/internal/hostinfo"
)

// Host is how clients may name this machine (see hostinfo.Host): its FQDN,
// short name and addresses.
type Host = hostinfo.Host

// lookupBudget bounds the resolver queries ThisHost makes, so that a
// machine without working DNS still gets its certificates at once.
const lookupBudget = 2 * time.Second

// ThisHost finds this machine's names and addresses with hostinfo.Lookup
// (resolver queries bounded to two seconds) — the same names the audit
// (validate.LocalHostnames) checks a server certificate against.
func ThisHost() Host { return hostinfo.Lookup(lookupBudget) }

// HostFlags are the flags of a server certificate for h: CN the FQDN,
// DNS SANs its names, IP SANs its addresses — every name
// validate.LocalHostnames checks.
func HostFlags(h Host, days int) Flags {
	return Flags{CN: h.FQDN, DNS: h.Names(), IPs: h.AddressStrings(), Days: days}
}
