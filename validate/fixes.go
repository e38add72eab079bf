package validate

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r == '=' || r == ',' || r == '@' ||
			r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// issueArgs renders the names of a server certificate as issue flags:
// the certificate's own SANs plus every host name clients use.
func issueArgs(leaf *x509.Certificate, hostnames []string) []string {
	var dns, ips []string
	seen := map[string]bool{}
	addName := func(n string) {
		n = strings.TrimSpace(n)
		if n == "" || seen[strings.ToLower(n)] {
			return
		}
		seen[strings.ToLower(n)] = true
		if ip := net.ParseIP(n); ip != nil {
			ips = append(ips, ip.String())
		} else {
			dns = append(dns, n)
		}
	}
	if leaf != nil {
		for _, n := range leaf.DNSNames {
			addName(n)
		}
		for _, ip := range leaf.IPAddresses {
			addName(ip.String())
		}
		if len(leaf.DNSNames) == 0 && leaf.Subject.CommonName != "" && net.ParseIP(leaf.Subject.CommonName) == nil {
			addName(leaf.Subject.CommonName)
		}
	}
	for _, h := range hostnames {
		addName(h)
	}
	var args []string
	for _, d := range dns {
		args = append(args, "--dns", shellQuote(d))
	}
	for _, ip := range ips {
		args = append(args, "--ip", ip)
	}
	return args
}

// installTarget is the layout flags of `virt-pki install` for the audited
// layout.
func (a *audit) installTarget() string {
	switch a.opts.Mode {
	case UserMode:
		return "--user"
	case PathMode:
		return "--pkipath " + shellQuote(a.opts.Path)
	}
	return a.systemTarget()
}

func (a *audit) systemTarget() string {
	if a.opts.Root != "" && a.opts.Root != "/" {
		return "--system --root " + shellQuote(a.opts.Root)
	}
	return "--system"
}

// qemuTarget is the install flags for a QEMU directory: its host path
// (install puts --root in front of it again) and the group QEMU runs in,
// so that install resolves the group this audit judged against.
func (a *audit) qemuTarget(dir string) string {
	t := "--qemu=" + shellQuote(hostPath(a.opts.Root, dir))
	if a.opts.Root != "" && a.opts.Root != "/" {
		t += " --root " + shellQuote(a.opts.Root)
	}
	if a.opts.QEMUGroup != "" {
		t += " --qemu-group " + a.qemuChownGroup()
	}
	return t
}

// qemuChownGroup names the QEMU group for chown and install: its name on
// the real host, its number below a root prefix (whose group database
// the building host does not share) or when the name is unknown.
func (a *audit) qemuChownGroup() string {
	name := strings.TrimPrefix(a.opts.QEMUGroup, "+")
	if name == "" || (a.opts.Root != "" && a.opts.Root != "/") || shellQuote(name) != name {
		return strconv.Itoa(a.opts.QEMUGID)
	}
	if _, err := strconv.Atoi(name); err == nil {
		return strconv.Itoa(a.opts.QEMUGID)
	}
	return name
}

// targetFor is the install flags for the files f uses: the audited layout,
// or the system one where a per-user lookup fell back to it.
func (a *audit) targetFor(f idFiles) string {
	if f.target == "" {
		return a.installTarget()
	}
	if a.opts.Mode == UserMode && f.layout.Kind == layout.System {
		return a.systemTarget()
	}
	return f.target
}

// fixReissue is the command that issues a replacement for leaf (nil when
// there is none yet: a new certificate for this host) from the CA in
// CA_DIR and installs it where f's files live. A client keeps its DN, so
// tls_allowed_dn_list entries still match.
func (a *audit) fixReissue(f idFiles, leaf *x509.Certificate) string {
	role := f.role
	args := []string{"virt-pki", "issue", role.String()}
	cn := ""
	if leaf != nil {
		cn = leaf.Subject.CommonName
	}
	if role == libvirtcert.RoleServer {
		hosts := a.hostnames()
		if cn == "" && len(hosts) > 0 {
			cn = hosts[0]
		}
		if cn != "" {
			args = append(args, "--cn", shellQuote(cn))
		}
		args = append(args, issueArgs(leaf, hosts)...)
	} else {
		dn := ""
		if leaf != nil {
			dn, _ = libvirtcert.SubjectDN(leaf)
		}
		switch {
		case dn != "":
			args = append(args, "--dn", shellQuote(dn))
		case cn != "":
			args = append(args, "--cn", shellQuote(cn))
		default:
			args = append(args, "--cn", "CLIENT_NAME")
		}
	}
	args = append(args, "--ca-dir", "CA_DIR", "--out", "NEW_DIR", "&&",
		"virt-pki", "install", "--role", role.String(), "--from", "NEW_DIR", a.targetFor(f), "--backup")
	return strings.Join(args, " ")
}

// fixInstallCA is the command that installs the CA certificate for the
// audited layout.
func (a *audit) fixInstallCA(target string) string {
	return "virt-pki install --role ca --ca-cert CACERT.pem " + target
}

// fixNewCA is the advice for an expired or broken CA: a new one, and every
// certificate reissued from it.
func fixNewCA(target string) string {
	return "virt-pki ca init --out CA_DIR && virt-pki install --role ca --from CA_DIR " + target + " --backup, then reissue every server and client certificate from CA_DIR"
}

// fixForCAProblem is the fix for a CA file that breaks libvirt's CA rules.
func fixForCAProblem(p libvirtcert.Problem, path, target string) string {
	switch p.ID {
	case problemNotYetValid:
		return "check the host clock (timedatectl), or " + fixNewCA(target)
	case problemExpired:
		return fixNewCA(target)
	}
	return fmt.Sprintf("point %s at the real CA certificate (CA:TRUE with keyCertSign): %s, or %s", path, "virt-pki install --role ca --ca-cert CACERT.pem "+target+" --backup", fixNewCA(target))
}

// fixKeyRead is the fix for an unusable private key file.
func (a *audit) fixKeyRead(f idFiles, err error, leaf *x509.Certificate) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "permission denied"):
		return fmt.Sprintf("sudo virt-pki validate %s", a.validateTarget(f))
	case strings.Contains(msg, "encrypted"):
		k := shellQuote(f.key)
		return fmt.Sprintf("certtool -k --infile %s --outfile %s.plain && mv %s.plain %s && chmod 0600 %s", k, k, k, k, k)
	case strings.Contains(msg, "certificate"):
		return a.installPairFix(f)
	}
	return a.fixReissue(f, leaf)
}

// validateTarget is the layout flags of `virt-pki validate` for f.
func (a *audit) validateTarget(f idFiles) string {
	switch a.opts.Mode {
	case UserMode:
		return "--user"
	case PathMode:
		return "--path " + shellQuote(a.opts.Path)
	}
	if a.opts.Root != "" && a.opts.Root != "/" {
		return "--root " + shellQuote(a.opts.Root)
	}
	return "--system"
}

// swapped reports whether f's certificate file holds a private key (and
// no certificate) while its key file holds a certificate.
func (a *audit) swapped(f idFiles) bool {
	if !errors.Is(a.certFile(f.cert).err, libvirtcert.ErrPrivateKey) {
		return false
	}
	return a.certFile(f.key).err == nil
}

// firstCertFix keeps only the first certificate of a PEM file (keeping a
// backup, the file's owner and mode).
func firstCertFix(path string) string {
	q := shellQuote(path)
	return fmt.Sprintf("cp -p %s %s.bak && sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/{p;/-----END CERTIFICATE-----/q}' %s.bak > %s", q, q, q, q)
}

// clause makes a file error a verb phrase after a file name: "is not a
// PEM CRL" rather than "not a PEM CRL".
func clause(reason string) string {
	for _, p := range []string{"not ", "no ", "a ", "an "} {
		if strings.HasPrefix(reason, p) {
			return "is " + reason
		}
	}
	return reason
}

// swapFix swaps f's certificate and key files back.
func swapFix(f idFiles) string {
	c, k := shellQuote(f.cert), shellQuote(f.key)
	return fmt.Sprintf("mv %s %s.swap && mv %s %s && mv %s.swap %s", c, c, k, c, c, k)
}

// installPairFix installs a matching certificate and key where f's files
// belong.
func (a *audit) installPairFix(f idFiles) string {
	return "virt-pki install --role " + f.role.String() + " --cert CERT.pem --key KEY.pem " + a.targetFor(f) + " --backup"
}
