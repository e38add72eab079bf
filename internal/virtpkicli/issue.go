package virtpkicli

import (
	"crypto"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/virt-pki/virt-pki/ca"
	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/atomicfile"
	"github.com/virt-pki/virt-pki/issue"
	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/libvirtcert"
	"github.com/virt-pki/virt-pki/templates"
)

func init() {
	sub := func(role libvirtcert.Role, usage, desc string) *cli.Command {
		return &cli.Command{
			Name:        role.String(),
			Usage:       usage,
			Description: desc,
			Flags: append([]cli.Flag{
				&cli.StringFlag{Name: "template", Usage: "certtool template (server.info / client.info)"},
				&cli.StringFlag{Name: "cn", Usage: "common name"},
				&cli.StringSliceFlag{Name: "dns", Usage: "DNS name SAN (repeatable)"},
				&cli.StringSliceFlag{Name: "ip", Usage: "IP address SAN (repeatable)"},
				&cli.StringFlag{Name: "dn", Usage: "full subject in libvirt's order, e.g. \"C=GB,ST=London,L=London,O=Libvirt Project,CN=client1\""},
				validityFlag("365"),
				&cli.StringFlag{Name: "load-privkey", Usage: "use this existing private key (no key file is written)"},
				&cli.StringFlag{Name: "ca-dir", Value: ".", Usage: "directory holding cacert.pem and cakey.pem"},
				&cli.StringFlag{Name: "ca-cert", Usage: "CA certificate (default CA-DIR/cacert.pem)"},
				&cli.StringFlag{Name: "ca-key", Usage: "CA private key (default CA-DIR/cakey.pem)"},
				&cli.StringFlag{Name: "out", Value: ".", Usage: "directory for the key and certificate"},
			}, append(outputFlags(), keyFlags(role.String()+" certificate", "rsa (RSA 3072)")...)...),
			Action: func(c *cli.Context) error { return runIssue(c, role) },
		}
	}
	commands = append(commands, &cli.Command{
		Name:  "issue",
		Usage: "issue a server or client certificate signed by the CA",
		Subcommands: []*cli.Command{
			sub(libvirtcert.RoleServer, "issue serverkey.pem and servercert.pem",
				"From --template server.info or flags. The CN is always also a DNS name, and warnings\n"+
					"name SANs clients will miss (short name, FQDN, this host's addresses). Without --cn\n"+
					"or --template the certificate is for this host. The default key is RSA 3072 with\n"+
					"digitalSignature and keyEncipherment, which libvirt 9.0 and current libvirt accept."),
			sub(libvirtcert.RoleClient, "issue clientkey.pem and clientcert.pem",
				"From --template client.info, --dn (libvirt's order) or --cn. Prints the DN exactly as\n"+
					"libvirtd compares it with tls_allowed_dn_list, and the line to paste there."),
		},
	})
}

func runIssue(c *cli.Context, role libvirtcert.Role) error {
	if err := checkIssueArgs(c, "issue "+role.String()); err != nil {
		return err
	}
	certPath, keyPath, err := caPaths(c)
	if err != nil {
		return err
	}
	params, err := keyParams(c, issue.DefaultKey)
	if err != nil {
		return err
	}
	var host *issue.Host
	var t *templates.Template
	var flagFindings finding.List
	identity := c.IsSet("cn") || c.IsSet("dn") || c.IsSet("dns") || c.IsSet("ip")
	switch {
	case c.IsSet("template") && identity:
		return usagef("give either --template or --cn/--dn/--dns/--ip, not both")
	case c.IsSet("template"):
		if t, err = templates.ParseFile(c.String("template")); err != nil {
			return err
		}
		if c.IsSet("days") {
			t.ExpirationDays = c.Int("days")
		}
	case role == libvirtcert.RoleServer && !identity:
		h := issue.ThisHost()
		host = &h
		t, err = issue.TemplateFromFlags(role, issue.HostFlags(h, c.Int("days")))
		if err != nil {
			return err
		}
	default:
		flags := issue.Flags{CN: c.String("cn"), DNS: c.StringSlice("dns"), IPs: c.StringSlice("ip"), DN: c.String("dn"), Days: c.Int("days")}
		t, err = issue.TemplateFromFlags(role, flags)
		if err != nil {
			return usagef("%v", err)
		}
		flagFindings = issue.FlagFindings("--dn", flags)
	}
	if host == nil && role == libvirtcert.RoleServer {
		h := issue.ThisHost()
		if strings.EqualFold(t.CN, h.FQDN) || strings.EqualFold(t.CN, h.Short) {
			host = &h
		}
	}
	out := c.String("out")
	certName, keyName := issue.FileNames(role)
	if err := removeStaleTemps(c.App.ErrWriter, out, certName, keyName); err != nil {
		return err
	}
	if !c.Bool("force") {
		// Fail before the (slow) key generation, not after it.
		names := []string{certName, keyName}
		if c.IsSet("load-privkey") {
			names = names[:1]
		}
		for _, n := range names {
			if _, err := os.Lstat(filepath.Join(out, n)); err == nil {
				return fmt.Errorf("%s: %w (use --force to replace it)", filepath.Join(out, n), atomicfile.ErrExists)
			}
		}
	}
	authority, err := ca.Load(certPath, keyPath)
	if err != nil {
		if ca.IsProblem(err, ca.IDUnreadable) && !c.IsSet("ca-dir") && !c.IsSet("ca-cert") {
			return fmt.Errorf("%v; give the CA with --ca-dir DIR (or --ca-cert/--ca-key), or create one with 'virt-pki ca init'", err)
		}
		return err
	}
	var key crypto.Signer
	if p := c.String("load-privkey"); p != "" {
		if key, err = keys.ReadPrivateKeyFile(p); err != nil {
			return err
		}
	}
	res, err := issue.Issue(issue.Request{Role: role, Template: t, Key: key, KeyPath: c.String("load-privkey"), KeyParams: params, CA: authority, Host: host, Now: time.Now()})
	if err != nil {
		return err
	}
	res.Findings = append(flagFindings, res.Findings...)
	files := res.Files(out)
	if err := writeOutputSet(c.App.ErrWriter, []string{out}, files, c.Bool("force")); err != nil {
		return err
	}
	if jsonRequested(c) {
		return writeJSON(c.App.Writer, issueJSON(res, files))
	}
	writeNotes(c.App.ErrWriter, res.Findings)
	writeIssued(c.App.Writer, res, files)
	return nil
}

// caPaths resolves --ca-dir or --ca-cert and --ca-key (which go together:
// a certificate with the key of another directory is a usage error, not a
// guess).
func caPaths(c *cli.Context) (cert, key string, err error) {
	cert, key = c.String("ca-cert"), c.String("ca-key")
	switch {
	case c.IsSet("ca-dir") && (c.IsSet("ca-cert") || c.IsSet("ca-key")):
		return "", "", usagef("give either --ca-dir or --ca-cert and --ca-key, not both")
	case c.IsSet("ca-cert") != c.IsSet("ca-key"):
		return "", "", usagef("--ca-cert and --ca-key go together; give both (or --ca-dir DIR)")
	case c.IsSet("ca-cert") && (cert == "" || key == ""):
		return "", "", usagef("--ca-cert and --ca-key need file names")
	case c.IsSet("ca-cert"):
		return cert, key, nil
	}
	dir := c.String("ca-dir")
	return filepath.Join(dir, ca.CertFile), filepath.Join(dir, ca.KeyFile), nil
}

// writeIssued prints the files written and, for a client, the DN and the
// tls_allowed_dn_list line.
func writeIssued(w io.Writer, res *issue.Result, files []ca.File) {
	kp := keys.Describe(res.Key.Public())
	for _, f := range files {
		if f.Kind == ca.PrivateKey {
			fmt.Fprintf(w, "wrote %s (%s private key, mode %04o)\n", f.Path, kp, f.Mode)
		} else {
			fmt.Fprintf(w, "wrote %s (%s certificate %s, valid until %s)\n", f.Path, res.Role, res.DN, res.Cert.NotAfter.UTC().Format(time.DateOnly))
		}
	}
	if res.Role == libvirtcert.RoleServer {
		var names []string
		names = append(names, res.Cert.DNSNames...)
		for _, ip := range res.Cert.IPAddresses {
			names = append(names, ip.String())
		}
		fmt.Fprintf(w, "clients may connect to: %s\n", strings.Join(names, ", "))
		return
	}
	line, widened := issue.AllowedDNLine(res.DN)
	fmt.Fprintf(w, "client DN (as libvirtd matches it): %s\n", res.DN)
	fmt.Fprintf(w, "allow it in libvirtd.conf on the server:\n  %s\n", line)
	if widened {
		fmt.Fprintln(w, "warning: the DN contains * or ?, which tls_allowed_dn_list treats as wildcards; the entry admits more than this DN")
	}
}

func issueJSON(res *issue.Result, files []ca.File) map[string]any {
	out := map[string]any{
		"role":      res.Role.String(),
		"subject":   res.DN,
		"key":       keys.Describe(res.Key.Public()).String(),
		"serial":    fmt.Sprintf("%x", res.Cert.SerialNumber),
		"not_after": res.Cert.NotAfter.UTC().Format(time.RFC3339),
		"files":     jsonFiles(files),
		"findings":  append(finding.List{}, res.Findings...),
	}
	if res.Role == libvirtcert.RoleClient {
		line, _ := issue.AllowedDNLine(res.DN)
		out["tls_allowed_dn_list"] = line
	} else {
		out["dns_names"] = res.Cert.DNSNames
		var ips []string
		for _, ip := range res.Cert.IPAddresses {
			ips = append(ips, ip.String())
		}
		out["ip_addresses"] = ips
	}
	return out
}
