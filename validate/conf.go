package validate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/fileread"
	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// readConf reads Options.LibvirtdConf. A missing default file is no
// error (libvirtd then runs on its defaults: one SKIP says so); a missing
// file named explicitly, an unreadable one and one libvirtd would refuse
// are findings, and the audit goes on with the built-in paths.
func (a *audit) readConf() {
	path := a.opts.LibvirtdConf
	defPath := layout.Under(a.opts.Root, layout.DefaultLibvirtdConf)
	fail := func(msg, fix string) {
		a.add(finding.Finding{ID: "server.conf.read", Scope: string(Server), Status: finding.Fail, Path: path, Message: msg, Fix: fix})
	}
	conf, err := layout.ReadLibvirtdConf(path, false)
	var ce *layout.ConfError
	switch {
	case err == nil:
		a.conf = conf
	case errors.Is(err, fs.ErrNotExist) && (a.opts.LibvirtdConfOptional || filepath.Clean(path) == defPath):
		a.confDefaults = true
	case errors.Is(err, fs.ErrNotExist):
		fail(fmt.Sprintf("libvirtd.conf %s does not exist, so its settings were not audited (a libvirtd started with --config %s refuses to start); pass the file libvirtd reads (its --config option, by default %s)", path, path, layout.DefaultLibvirtdConf),
			"virt-pki validate --libvirtd-conf "+shellQuote(defPath))
	case errors.Is(err, fileread.ErrNotRegular) && filepath.Clean(path) == defPath:
		fail(fmt.Sprintf("libvirtd.conf %v: libvirtd cannot read it and its settings were not audited", err),
			"rm -i "+shellQuote(path))
	case errors.Is(err, fileread.ErrNotRegular):
		fail(fmt.Sprintf("libvirtd.conf %v, so its settings were not audited; pass the file libvirtd reads (its --config option, by default %s)", err, layout.DefaultLibvirtdConf),
			"virt-pki validate --libvirtd-conf "+shellQuote(defPath))
	case errors.Is(err, fs.ErrPermission):
		a.add(finding.Finding{ID: "server.conf.read", Scope: string(Server), Status: finding.Skip, Path: path,
			Message: fmt.Sprintf("libvirtd.conf %s is not readable by uid %d: its settings were not audited and the built-in paths were used (run the audit as root: sudo virt-pki validate ...)", path, os.Getuid())})
	case errors.As(err, &ce) && ce.Line > 0:
		fail(fmt.Sprintf("libvirtd.conf cannot be used, libvirtd refuses to start: %v", err),
			fmt.Sprintf("${EDITOR:-vi} +%d %s", ce.Line, shellQuote(path)))
	default:
		fail(fmt.Sprintf("libvirtd.conf cannot be used, libvirtd refuses to start: %v", err),
			"${EDITOR:-vi} "+shellQuote(path))
	}
}

// defaultsFinding is the one finding for a host without libvirtd.conf:
// libvirtd runs on its built-in settings.
func (a *audit) defaultsFinding() {
	a.add(finding.Finding{ID: "server.conf.read", Scope: string(Server), Status: finding.Skip, Path: a.opts.LibvirtdConf,
		Message: fmt.Sprintf("no libvirtd.conf at %s: libvirtd defaults apply (listen_tls = 1, used only when libvirtd runs with --listen or through libvirtd-tls.socket; no tls_allowed_dn_list, so any client with a certificate from the CA may connect; the files of the system layout)", a.opts.LibvirtdConf)})
}

// confChecks audits libvirtd.conf's TLS settings: the all-or-none rule
// for ca_file/cert_file/key_file, crl_file without them, listen_tls, the
// insecure switches, and tls_allowed_dn_list against this host's client
// certificate.
func (a *audit) confChecks() {
	c := a.conf
	p := c.Path
	s := string(Server)
	add := func(id string, st finding.Status, msg, fix string) {
		a.add(finding.Finding{ID: "server.conf." + id, Scope: s, Status: st, Path: p, Message: msg, Fix: fix})
	}
	if _, prob := layout.EffectiveServerFiles(a.opts.Root, c); prob != nil {
		add("tls-files", finding.Fail, fmt.Sprintf("%s sets only some of ca_file, cert_file, key_file: libvirtd refuses to start (%q)", p, prob.Message), prob.Fix)
	} else if c.Set("crl_file") && !(c.Set("ca_file") && c.Set("cert_file") && c.Set("key_file")) {
		add("crl-ignored", finding.Warn, fmt.Sprintf("%s sets crl_file without ca_file, cert_file and key_file: libvirtd ignores it and loads the default CRL only if present", p),
			fmt.Sprintf("set ca_file, cert_file and key_file too, or move the CRL to %s and drop crl_file", layout.Under(a.opts.Root, layout.SystemCRL)))
	}
	for _, r := range c.RelativeFileSettings() {
		add("relative-"+strings.ReplaceAll(r.Key, "_", "-"), finding.Warn,
			fmt.Sprintf("%s = %q in %s is a relative path: libvirtd resolves it against its working directory (%s when started by systemd or daemonized, the current directory when run by hand), so it opens %s; write the absolute path of the file you mean",
				r.Key, r.Value, p, layout.DaemonWorkDir, r.Absolute),
			fmt.Sprintf("in %s write: %s = %q", p, r.Key, r.Absolute))
	}
	switch {
	case c.ListenTLS != nil && !*c.ListenTLS:
		add("listen-tls", finding.Warn, fmt.Sprintf("%s has listen_tls = 0: libvirtd started with --listen does not accept TLS connections", p),
			fmt.Sprintf("in %s write: listen_tls = 1", p))
	case c.ListenTLS == nil:
		add("listen-tls", finding.Pass, fmt.Sprintf("%s leaves listen_tls unset (default 1): libvirtd accepts TLS connections when started with --listen or through libvirtd-tls.socket", p), "")
	default:
		add("listen-tls", finding.Pass, fmt.Sprintf("%s has listen_tls = 1: libvirtd accepts TLS connections when started with --listen or through libvirtd-tls.socket", p), "")
	}
	if c.TLSNoVerifyCertificate {
		add("no-verify", finding.Fail, fmt.Sprintf("%s has tls_no_verify_certificate = 1: libvirtd accepts clients without a certificate or with one from any CA, and does not enforce tls_allowed_dn_list", p),
			fmt.Sprintf("in %s write: tls_no_verify_certificate = 0", p))
	}
	if c.TLSNoSanityCertificate {
		add("no-sanity", finding.Warn, fmt.Sprintf("%s has tls_no_sanity_certificate = 1: libvirtd starts even with a broken certificate that every client will refuse (this audit still checks it); turn the check back on once the other findings are fixed", p),
			fmt.Sprintf("in %s write: tls_no_sanity_certificate = 0", p))
	}
	a.checkPriority()
	a.aclChecks()
}

// aclChecks audits tls_allowed_dn_list: an empty list (denies all),
// entries with spaces or in RFC 4514 order (never match libvirt's DN
// string), and whether this host's client certificate is admitted.
func (a *audit) aclChecks() {
	c := a.conf
	p := c.Path
	s := string(Server)
	add := func(id string, st finding.Status, msg, fix string) {
		a.add(finding.Finding{ID: "server.conf." + id, Scope: s, Status: st, Path: p, Message: msg, Fix: fix})
	}
	clientDN := a.localClientDN()
	// allowLocal is the line that admits this host's client, when it has one.
	allowLocal := func(otherwise string) string {
		if clientDN == "" {
			return otherwise
		}
		return "in " + p + " write: " + formatDNList([]string{clientDN})
	}
	if !c.TLSAllowedDNListSet {
		if strings.EqualFold(c.AuthTLS, "none") {
			add("acl", finding.Warn, fmt.Sprintf("%s has auth_tls = \"none\" and no tls_allowed_dn_list: every holder of a certificate from the CA gets full access; list the clients allowed in (virt-pki dn CLIENTCERT.pem prints a DN), or use auth_tls = \"sasl\"", p),
				allowLocal(fmt.Sprintf("in %s write: tls_allowed_dn_list = [\"C=..,O=..,CN=*\"]", p)))
		} else {
			add("acl", finding.Pass, fmt.Sprintf("%s has no tls_allowed_dn_list: any client with a certificate from the CA may connect", p), "")
		}
		return
	}
	if len(c.TLSAllowedDNList) == 0 {
		add("acl", finding.Fail, fmt.Sprintf("%s has tls_allowed_dn_list = []: the empty list denies every client; list the allowed DNs, or delete the tls_allowed_dn_list line to allow any client of the CA", p),
			allowLocal(fmt.Sprintf("sed -i '/^[[:space:]]*tls_allowed_dn_list[[:space:]]*=/d' %s", shellQuote(p))))
		return
	}
	if i := matchAllEntry(c.TLSAllowedDNList); i >= 0 {
		add("acl", finding.Warn, fmt.Sprintf("tls_allowed_dn_list in %s has the entry %q, which matches every DN: the list filters nothing, any client with a certificate from the CA may connect", p, c.TLSAllowedDNList[i]),
			a.matchAllFix(c.TLSAllowedDNList, clientDN))
		return
	}
	corrected := make([]string, len(c.TLSAllowedDNList))
	changed := false
	for i, e := range c.TLSAllowedDNList {
		fixed, why := fixDNPattern(e, clientDN)
		corrected[i] = fixed
		if why != "" {
			changed = true
			add(fmt.Sprintf("acl[%d]", i+1), finding.Warn, fmt.Sprintf("tls_allowed_dn_list entry %q in %s %s, so it never matches; libvirt matches the whole DN string as virt-pki dn prints it, e.g. %q", e, p, why, fixed), "")
		}
	}
	fixLine := ""
	if changed {
		fixLine = "in " + p + " write: " + formatDNList(corrected)
		// Attach the corrected line to every entry finding just added.
		for i := range a.out {
			if strings.HasPrefix(a.out[i].ID, "server.conf.acl[") && a.out[i].Fix == "" {
				a.out[i].Fix = fixLine
			}
		}
	}
	if clientDN == "" {
		add("acl", finding.Pass, fmt.Sprintf("%s allows %s (no local client certificate to match against)", p, plural(len(c.TLSAllowedDNList), "DN pattern")), "")
		return
	}
	for _, e := range c.TLSAllowedDNList {
		if libvirtcert.MatchDNPattern(e, clientDN) {
			add("acl", finding.Pass, fmt.Sprintf("this host's client certificate DN %q matches tls_allowed_dn_list entry %q", clientDN, e), "")
			return
		}
	}
	fix := fmt.Sprintf("add %q to tls_allowed_dn_list in %s if this client should connect", clientDN, p)
	if changed {
		fix = fixLine
	}
	add("acl", finding.Warn, fmt.Sprintf("this host's client certificate DN %q matches no tls_allowed_dn_list entry: libvirtd refuses it (\"Client's Distinguished Name is not on the list of allowed clients\")", clientDN), fix)
}

// matchAllEntry is the index of an entry made of '*' only (it matches
// every DN), or -1.
func matchAllEntry(list []string) int {
	for i, e := range list {
		if e != "" && strings.Trim(e, "*") == "" {
			return i
		}
	}
	return -1
}

// matchAllFix is the list without its match-all entries (with this host's
// client DN when nothing else is left).
func (a *audit) matchAllFix(list []string, clientDN string) string {
	var keep []string
	for _, e := range list {
		if strings.Trim(e, "*") != "" {
			keep = append(keep, e)
		}
	}
	if len(keep) == 0 && clientDN != "" {
		keep = []string{clientDN}
	}
	if len(keep) == 0 {
		return fmt.Sprintf("in %s replace %q with the DNs of the allowed clients (virt-pki dn CLIENTCERT.pem prints one)", a.conf.Path, "*")
	}
	return "in " + a.conf.Path + " write: " + formatDNList(keep)
}

// localClientDN is the DN string of this host's client certificate, as
// libvirtd matches it, or "" when there is none.
func (a *audit) localClientDN() string {
	f := a.clientFiles()
	if f.cert == "" || !exists(f.cert) {
		return ""
	}
	cf := a.certFile(f.cert)
	if cf.err != nil {
		return ""
	}
	dn, err := libvirtcert.SubjectDN(cf.certs[0])
	if err != nil {
		return ""
	}
	return dn
}

// spaceAroundSep is compiled on first use: most audits never need it.
var spaceAroundSep = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\s*([,+])\s*|\s*=\s*`) })

// fixDNPattern returns the entry as libvirt would need it and why the
// original cannot match ("" when it is fine): spaces around separators,
// RFC 4514 order (reversed), or a partial DN.
func fixDNPattern(entry, clientDN string) (fixed, why string) {
	fixed = entry
	var reasons []string
	if tight := tightenDN(entry); tight != entry {
		fixed = tight
		reasons = append(reasons, "has spaces around separators")
	}
	if rev := reverseDN(fixed); rev != fixed {
		reversed := false
		if clientDN != "" {
			reversed = !libvirtcert.MatchDNPattern(fixed, clientDN) && libvirtcert.MatchDNPattern(rev, clientDN)
		} else {
			reversed = strings.HasPrefix(strings.ToUpper(fixed), "CN=") && hasLastRDN(fixed, "C", "DC", "O")
		}
		if reversed {
			fixed = rev
			reasons = append(reasons, "is in RFC 4514 order (as certtool -i and openssl print it), the reverse of libvirt's")
		}
	}
	if clientDN != "" && !strings.ContainsAny(fixed, "*?") && !libvirtcert.MatchDNPattern(fixed, clientDN) && strings.HasSuffix(clientDN, ","+fixed) {
		reasons = append(reasons, "is only the end of this host's client DN")
		fixed = clientDN
	}
	return fixed, strings.Join(reasons, " and ")
}

// tightenDN removes blanks around ',', '+' and '=' outside escapes.
func tightenDN(s string) string {
	return spaceAroundSep().ReplaceAllStringFunc(s, func(m string) string {
		return strings.TrimSpace(m)
	})
}

func reverseDN(s string) string {
	parts := libvirtcert.SplitDN(s, ',')
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, ",")
}

func hasLastRDN(s string, attrs ...string) bool {
	parts := libvirtcert.SplitDN(s, ',')
	last := strings.ToUpper(parts[len(parts)-1])
	for _, at := range attrs {
		if strings.HasPrefix(last, at+"=") {
			return true
		}
	}
	return false
}

// formatDNList renders a tls_allowed_dn_list line, each entry once.
func formatDNList(dns []string) string {
	line, err := layout.AllowedDNListLine(dns)
	if err != nil {
		return "# " + err.Error()
	}
	return line
}
