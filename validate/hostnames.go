package validate

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/hostinfo"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// hostnames checks that the server certificate covers every name and
// address clients use, by GnuTLS's rule (libvirt clients call
// gnutls_x509_crt_check_hostname: IP SANs for addresses, DNS SANs for
// names, the CN only when there is no DNS SAN), and warns about CN-only
// certificates, which clients that ignore the CN (Go's crypto/tls,
// browsers) refuse.
func (a *audit) checkHostnames(f idFiles, leaf *x509.Certificate) {
	s := f.scope
	var missing []string
	for _, h := range a.hostnames() {
		id := fmt.Sprintf("%s.hostname[%s]", f.id("cert"), h)
		if libvirtcert.MatchHostname(leaf, h) {
			a.add(finding.Finding{ID: id, Scope: string(s), Status: finding.Pass, Path: f.cert,
				Message: fmt.Sprintf("server certificate %s is valid for %s", f.cert, h)})
			continue
		}
		missing = append(missing, h)
		st := finding.Warn
		how := "clients connecting as " + h + " are refused"
		if a.opts.HostnamesGiven {
			st = finding.Fail
		}
		a.add(finding.Finding{ID: id, Scope: string(s), Status: st, Path: f.cert,
			Message: fmt.Sprintf("server certificate %s is not valid for %s (it names %s): %s (\"Certificate owner does not match the hostname %s\")", f.cert, h, certNames(leaf), how, h),
			Fix:     a.fixReissue(f, leaf)})
	}
	if len(leaf.DNSNames) == 0 && len(leaf.IPAddresses) == 0 && leaf.Subject.CommonName != "" {
		a.add(finding.Finding{ID: f.id("cert") + ".cn-only", Scope: string(s), Status: finding.Warn, Path: f.cert,
			Message: fmt.Sprintf("server certificate %s names its host only in the CN (%s), with no subjectAltName: libvirt (GnuTLS) accepts it by name but not by IP address, and clients that ignore the CN refuse it: Go's crypto/tls (Go tools and exporters), browsers and other modern TLS clients", f.cert, leaf.Subject.CommonName),
			Fix:     a.fixReissue(f, leaf)})
	}
}

// hostnames returns Options.Hostnames, or what Options.HostnamesFunc
// returns (called once, when a check first needs the names).
func (a *audit) hostnames() []string {
	if a.hosts == nil {
		names := a.opts.Hostnames
		if names == nil && a.opts.HostnamesFunc != nil {
			names = a.opts.HostnamesFunc()
		}
		a.hosts = []string{}
		seen := map[string]bool{}
		for _, n := range names {
			if k := strings.ToLower(n); n != "" && !seen[k] {
				seen[k] = true
				a.hosts = append(a.hosts, n)
			}
		}
	}
	return a.hosts
}

// certNames lists the names a certificate is valid for, for messages.
func certNames(c *x509.Certificate) string {
	var n []string
	n = append(n, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		n = append(n, ip.String())
	}
	if len(c.DNSNames) == 0 && c.Subject.CommonName != "" {
		n = append(n, "CN "+c.Subject.CommonName)
	}
	if len(n) == 0 {
		return "no names"
	}
	return strings.Join(n, ", ")
}

// LocalHostnames returns the names clients are likely to use for this
// host: hostinfo.Lookup's FQDN and short name, then the addresses of its
// interfaces that are up (no loopback or link-local ones) — the names
// issue.ThisHost gives a server certificate by default. The resolver
// lookups are bounded by timeout.
func LocalHostnames(timeout time.Duration) []string {
	return hostinfo.Lookup(timeout).All()
}
