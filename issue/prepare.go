// Package issue turns a request (a template or command-line flags, a CA, a
// key choice) into a private key and a certificate that libvirt accepts,
// and writes them all or nothing. It adjusts certtool templates where
// certtool's output would be refused by libvirt (see Prepare) and reports
// every adjustment and risk as a finding.
package issue

import (
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/hostinfo"
	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/libvirtcert"
	"github.com/virt-pki/virt-pki/templates"
)

// DefaultKey is the subject key virt-pki generates for server and client
// certificates: RSA 3072 (certtool's default). With digitalSignature and
// keyEncipherment in its critical key usage, both libvirt 9.0 (which
// demands keyEncipherment from every leaf) and current libvirt accept it.
var DefaultKey = keys.Params{Algorithm: keys.RSA, Bits: 3072}

// DefaultDays is the validity of server and client certificates (certtool's
// default).
const DefaultDays = 365

// Flags is a certificate described on the command line instead of a
// template file.
type Flags struct {
	CN  string
	DNS []string
	IPs []string
	// DN is a full subject in libvirt's (legacy, encoded) order, as
	// virt-pki-query-dn prints it: "C=GB,ST=London,O=Libvirt Project,CN=client1".
	DN   string
	Days int
}

// TemplateFromFlags builds the template for a server or client certificate
// from command-line values.
func TemplateFromFlags(role libvirtcert.Role, f Flags) (*templates.Template, error) {
	t := &templates.Template{Name: flagsTemplateName, CN: f.CN, ExpirationDays: f.Days}
	if f.DN != "" {
		if f.CN != "" {
			return nil, fmt.Errorf("give either --dn or --cn, not both (put CN=... inside --dn)")
		}
		dn, err := templates.DNFromLegacy(f.DN)
		if err != nil {
			return nil, fmt.Errorf("--dn: %v", err)
		}
		t.DN = dn
	}
	for _, d := range f.DNS {
		if strings.TrimSpace(d) == "" {
			return nil, fmt.Errorf("--dns needs a host name (got %q)", d)
		}
	}
	t.DNSNames = append(t.DNSNames, f.DNS...)
	for _, s := range f.IPs {
		ip := net.ParseIP(s)
		if ip == nil {
			return nil, fmt.Errorf("--ip %q is not an IP address", s)
		}
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		t.IPAddresses = append(t.IPAddresses, ip)
	}
	switch role {
	case libvirtcert.RoleServer:
		if t.CN == "" && t.DN == "" {
			return nil, fmt.Errorf("a server certificate needs --cn (the host name clients connect to) or --template")
		}
		t.TLSWWWServer = true
	case libvirtcert.RoleClient:
		if t.CN == "" && t.DN == "" {
			return nil, fmt.Errorf("a client certificate needs --dn or --cn (it is what tls_allowed_dn_list matches) or --template")
		}
		t.TLSWWWClient = true
	}
	t.SigningKey = true
	return t, nil
}

// Prepare adjusts t so that the certificate for a key of kind key works
// with libvirt in role, and returns what it changed and what still looks
// risky. host, when non-nil, is the machine a server certificate is for
// (its names and addresses are checked against the SANs). It fails for
// requests libvirt can never accept.
func Prepare(role libvirtcert.Role, t *templates.Template, key keys.Params, host *Host) (finding.List, error) {
	var out finding.List
	fromFile := t.Name != flagsTemplateName
	note := func(id, msg, fix string) {
		// Templates built from flags are complete by construction; only
		// changes to a user's template file are worth telling.
		if fromFile {
			out = append(out, finding.Finding{ID: id, Status: finding.Pass, Message: msg, Fix: fix, Path: templatePath(t)})
		}
	}
	warn := func(id, msg, fix string) {
		out = append(out, finding.Finding{ID: id, Status: finding.Warn, Message: msg, Fix: fix, Path: templatePath(t)})
	}
	for _, w := range t.Warnings {
		out = append(out, finding.Finding{ID: "issue-template-warning", Status: finding.Warn, Message: w.String(), Path: templatePath(t)})
	}
	if t.CA {
		return out, fmt.Errorf("%s: the template makes a CA certificate (`ca`); a %s certificate must not be a CA — remove `ca`", t.Name, role)
	}
	if err := checkKey(role, key); err != nil {
		return out, err
	}
	switch role {
	case libvirtcert.RoleServer:
		if !t.TLSWWWServer {
			t.TLSWWWServer = true
			note("issue-added-tls-www-server", "added tls_www_server (TLS WWW Server key purpose), which libvirt's server checks want", "")
			if len(t.Emails) > 0 {
				// certtool drops email SANs from tls_www_server
				// certificates; virt-pki does the same, but says so.
				warn("issue-email-dropped", fmt.Sprintf("the email SANs (%s) are left out: with tls_www_server, which a server certificate needs, certtool drops email SANs, and so does virt-pki",
					listSome(t.Emails)), "remove the email lines from the server template, or issue a separate certificate for them")
			}
		}
		if subjectEmpty(t) && len(t.DNSNames) == 0 && len(t.IPAddresses) == 0 && len(t.URIs) == 0 {
			return out, fmt.Errorf("%s: the server certificate would have an empty subject and no DNS name or IP address, so no client can verify it; set cn (or --cn), dns_name (--dns) or ip_address (--ip)", t.Name)
		}
		prepareServerNames(t, host, note, warn)
	case libvirtcert.RoleClient:
		if !t.TLSWWWClient {
			t.TLSWWWClient = true
			note("issue-added-tls-www-client", "added tls_www_client (TLS WWW Client key purpose), which libvirt's client checks want", "")
		}
		if subjectEmpty(t) {
			return out, fmt.Errorf("%s: the client certificate would have an empty subject, which tls_allowed_dn_list can never match; set cn (and country, organization, ...) or --dn", t.Name)
		}
	}
	switch key.Algorithm {
	case keys.RSA:
		if !t.SigningKey {
			t.SigningKey = true
			note("issue-added-signing-key", "added signing_key (digitalSignature), which TLS needs", "")
		}
		if !t.EncryptionKey {
			t.EncryptionKey = true
			note("issue-added-encryption-key",
				"added encryption_key (keyEncipherment): libvirt 9.0 refuses a leaf whose critical key usage lacks it ('usage does not permit key encipherment')", "")
		}
	case keys.ECDSA:
		warn("issue-ec-leaf-libvirt9",
			fmt.Sprintf("an ECDSA %s certificate gets key usage digitalSignature only (certtool's rule for EC keys); libvirt releases without the RFC 8813 exemption, such as 9.0 in Debian 12, refuse it ('usage does not permit key encipherment')", role),
			"use --key-type rsa (the default) if any peer runs such a libvirt")
	}
	return out, nil
}

func prepareServerNames(t *templates.Template, host *Host, note, warn func(id, msg, fix string)) {
	cn := t.CN
	if cn != "" && !slices.Contains(t.DNSNames, cn) && net.ParseIP(cn) == nil {
		t.DNSNames = append([]string{cn}, t.DNSNames...)
		note("issue-added-cn-san", fmt.Sprintf("added the CN %s as a DNS name: GnuTLS ignores the CN when a certificate has DNS names", cn), "")
	}
	if ip := net.ParseIP(cn); ip != nil && !containsIP(t.IPAddresses, ip) {
		t.IPAddresses = append(t.IPAddresses, normIP(ip))
		note("issue-added-cn-ip", fmt.Sprintf("added the CN %s as an IP address: clients match IP addresses only against IP SANs", cn), "")
	}
	for _, d := range t.DNSNames {
		if ip := net.ParseIP(d); ip != nil {
			warn("issue-dns-is-address", fmt.Sprintf("dns_name %s is an address; clients connecting to %s match only IP address SANs", d, d),
				fmt.Sprintf("use --ip %s (ip_address = %s) instead", d, d))
		}
	}
	if len(t.DNSNames) == 0 && len(t.IPAddresses) == 0 {
		warn("issue-no-san", "the server certificate has no DNS name or IP address; clients cannot verify the host name", "add --dns NAME (dns_name) or --ip ADDR (ip_address)")
	}
	// Short name and FQDN: whichever form the CN has, clients often use the
	// other. One warning for all names, so that a long SAN list stays readable.
	var missingShort []string
	for _, d := range t.DNSNames {
		if net.ParseIP(d) != nil || strings.HasPrefix(d, "*") {
			continue
		}
		if short := hostinfo.ShortName(d); short != d && !hasDNS(t, short) && !slices.Contains(missingShort, short) && (host == nil || host.Short == short) {
			missingShort = append(missingShort, short)
		}
	}
	switch len(missingShort) {
	case 0:
	case 1:
		short, long := missingShort[0], ""
		for _, d := range t.DNSNames {
			if hostinfo.ShortName(d) == short && long == "" {
				long = d
			}
		}
		warn("issue-san-missing-short", fmt.Sprintf("the SANs list %s but not its short name %s, which clients on the same network often use", long, short),
			fmt.Sprintf("add --dns %s (dns_name = %s)", short, short))
	default:
		warn("issue-san-missing-short", fmt.Sprintf("the SANs lack the short names of %d DNS names (%s), which clients on the same network often use", len(missingShort), listSome(missingShort)),
			"add them with --dns NAME (dns_name = NAME) if clients use them")
	}
	var invalid []string
	for _, d := range t.DNSNames {
		if net.ParseIP(d) == nil && !validDNSName(d) {
			invalid = append(invalid, fmt.Sprintf("%q", d))
		}
	}
	if len(invalid) > 0 {
		warn("issue-invalid-dns-name", fmt.Sprintf("not a valid DNS name, so no client can connect by it (certtool accepts it too): %s", listSome(invalid)),
			"use host names of letters, digits, '-' and '.' (a leading \"*.\" for a wildcard)")
	}
	if host != nil {
		if host.FQDN != "" && strings.Contains(host.FQDN, ".") && !hasDNS(t, host.FQDN) && hasDNS(t, host.Short) {
			warn("issue-san-missing-fqdn", fmt.Sprintf("the SANs list the short name %s but not the FQDN %s", host.Short, host.FQDN),
				fmt.Sprintf("add --dns %s (dns_name = %s)", host.FQDN, host.FQDN))
		}
		if hasDNS(t, host.FQDN) || hasDNS(t, host.Short) {
			for _, a := range host.Addresses {
				if !containsIP(t.IPAddresses, a) {
					warn("issue-san-missing-address", fmt.Sprintf("this host's address %s is not among the IP SANs; clients connecting to it by address will fail host name verification", a),
						fmt.Sprintf("add --ip %s (ip_address = %s)", a, a))
				}
			}
		}
	}
}

func hasDNS(t *templates.Template, name string) bool {
	for _, d := range t.DNSNames {
		if strings.EqualFold(d, name) {
			return true
		}
	}
	return false
}

func containsIP(list []net.IP, ip net.IP) bool {
	for _, x := range list {
		if x.Equal(ip) {
			return true
		}
	}
	return false
}

func normIP(ip net.IP) net.IP {
	if v4 := ip.To4(); v4 != nil {
		return v4
	}
	return ip
}

func subjectEmpty(t *templates.Template) bool {
	return t.DN == "" && t.Country == "" && t.State == "" && t.Locality == "" && len(t.Organization) == 0 &&
		len(t.Unit) == 0 && t.CN == "" && t.UID == "" && len(t.DC) == 0 && len(t.DNOIDs) == 0 && t.PKCS9Email == ""
}

// flagsTemplateName names templates built by TemplateFromFlags.
const flagsTemplateName = "command line"

func templatePath(t *templates.Template) string {
	if t.Name == flagsTemplateName {
		return ""
	}
	return t.Name
}

// listSome joins the first few of names and says how many more there are.
func listSome(names []string) string {
	const shown = 3
	if len(names) <= shown {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:shown], ", "), len(names)-shown)
}

// validDNSName reports whether name is a host name a client can connect
// by: labels of letters, digits, '-' and '_' of 1 to 63 bytes, at most 253
// bytes in all, optionally a "*" first label (a wildcard).
func validDNSName(name string) bool {
	name = strings.TrimSuffix(name, ".")
	if name == "" || len(name) > 253 {
		return false
	}
	for i, label := range strings.Split(name, ".") {
		if label == "*" && i == 0 {
			continue
		}
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// checkKey refuses subject keys libvirt cannot use or that are too weak.
func checkKey(role libvirtcert.Role, key keys.Params) error {
	if key.Algorithm == keys.Ed25519 {
		return fmt.Errorf("Ed25519 %s certificates are refused: libvirt demands keyEncipherment in the critical key usage of every non-EC leaf, which an Ed25519 key cannot carry; use --key-type rsa (the default) or ecdsa", role)
	}
	if key.Algorithm == keys.RSA && key.Bits < keys.MinRSABits {
		return fmt.Errorf("the %s key is RSA %d; RSA keys below %d bits are refused", role, key.Bits, keys.MinRSABits)
	}
	return nil
}

// FlagFindings are the warnings about command-line values themselves: a
// --dn (option names it, e.g. "--dn" or "--client-dn") that looks written
// in RFC 4514 order, which virt-pki takes as libvirt's order and so issues
// reversed from what the user probably meant.
func FlagFindings(option string, f Flags) finding.List {
	if f.DN == "" {
		return nil
	}
	rev, reversed := templates.LegacyDNLooksReversed(f.DN)
	if !reversed {
		return nil
	}
	return finding.List{{ID: "issue-dn-looks-reversed", Status: finding.Warn,
		Message: fmt.Sprintf("%s %q starts with CN and ends with C/DC, the RFC 4514 order certtool -i and openssl print; %s is taken in libvirt's order, so libvirtd will match exactly %q", option, f.DN, option, f.DN),
		Fix:     fmt.Sprintf("if you meant the usual order, issue again with %s '%s' (--force)", option, rev)}}
}
