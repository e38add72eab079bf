package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/virt-pki/virt-pki/ca"
	"github.com/virt-pki/virt-pki/internal/atomicfile"
	"github.com/virt-pki/virt-pki/issue"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

func init() {
	commands = append(commands, &cli.Command{
		Name:  "quickstart",
		Usage: "create a CA, a server certificate for this host and a client certificate",
		Description: "Writes OUT/ca (cacert.pem, cakey.pem), OUT/server (cacert.pem, servercert.pem,\n" +
			"serverkey.pem) and OUT/client (cacert.pem, clientcert.pem, clientkey.pem): each of\n" +
			"server/ and client/ is a complete libvirt pkipath directory. The server certificate\n" +
			"names this host (FQDN, short name, its addresses, localhost, 127.0.0.1, ::1). Then it\n" +
			"prints the commands that install the files and connect with virsh.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: "pki", Usage: "directory to create the PKI in"},
			&cli.StringFlag{Name: "client-dn", Usage: "subject of the client certificate in libvirt's order (default \"O=HOST,CN=client1\")"},
			&cli.IntFlag{Name: "days", Value: issue.DefaultDays, Usage: "validity of the server and client certificates (the CA gets 3650 days, or --days when longer)"},
			&cli.BoolFlag{Name: "force", Usage: "replace existing files"},
		},
		Action: runQuickstart,
	})
}

func runQuickstart(c *cli.Context) error {
	if err := checkDays(c, time.Now()); err != nil {
		return err
	}
	if c.NArg() > 0 {
		return usagef("quickstart takes no arguments (got %q); use --out DIR", c.Args().First())
	}
	out := c.String("out")
	dirs := map[string]string{"ca": filepath.Join(out, "ca"), "server": filepath.Join(out, "server"), "client": filepath.Join(out, "client")}
	names := map[string][]string{"ca": {"cacert.pem", "cakey.pem"}, "server": {"cacert.pem", "servercert.pem", "serverkey.pem"}, "client": {"cacert.pem", "clientcert.pem", "clientkey.pem"}}
	if !c.Bool("force") {
		for _, sub := range []string{"ca", "server", "client"} {
			for _, n := range names[sub] {
				p := filepath.Join(dirs[sub], n)
				if _, err := os.Lstat(p); err == nil {
					return fmt.Errorf("%s: %w (use --force to replace the whole PKI)", p, atomicfile.ErrExists)
				}
			}
		}
	}
	for _, sub := range []string{"ca", "server", "client"} {
		if err := removeStaleTemps(c.App.ErrWriter, dirs[sub], names[sub]...); err != nil {
			return err
		}
	}
	now := time.Now()
	host := issue.ThisHost()
	clientDN := c.String("client-dn")
	if clientDN == "" {
		clientDN = "O=" + host.FQDN + ",CN=client1"
	}
	clientFlags := issue.Flags{DN: clientDN, Days: c.Int("days")}
	ct, err := issue.TemplateFromFlags(libvirtcert.RoleClient, clientFlags)
	if err != nil {
		return usagef("--client-dn: %v", err)
	}
	// quickstart makes the CA too, so it makes one that outlives the
	// leaves: a leaf that outlives its CA stops working when the CA expires.
	caDays := max(ca.DefaultDays, c.Int("days"))
	created, err := ca.Create(ca.DefaultTemplate("virt-pki CA on "+host.FQDN, caDays), nil, ca.DefaultKey, now)
	if err != nil {
		return err
	}
	authority := &ca.CA{Cert: created.Cert, Key: created.Key, CertPath: filepath.Join(dirs["ca"], "cacert.pem"), KeyPath: filepath.Join(dirs["ca"], "cakey.pem")}

	dns := append(host.Names(), "localhost")
	ips := append(ipStrings(host), "127.0.0.1", "::1")
	st, err := issue.TemplateFromFlags(libvirtcert.RoleServer, issue.Flags{CN: host.FQDN, DNS: dns, IPs: ips, Days: c.Int("days")})
	if err != nil {
		return err
	}
	server, err := issue.Issue(issue.Request{Role: libvirtcert.RoleServer, Template: st, CA: authority, Host: &host, Now: now})
	if err != nil {
		return err
	}
	client, err := issue.Issue(issue.Request{Role: libvirtcert.RoleClient, Template: ct, CA: authority, Now: now})
	if err != nil {
		return err
	}

	files := []ca.File{
		{Path: filepath.Join(dirs["ca"], "cakey.pem"), Data: created.KeyPEM, Mode: 0o600},
		{Path: filepath.Join(dirs["ca"], "cacert.pem"), Data: created.CertPEM, Mode: 0o644},
		{Path: filepath.Join(dirs["server"], "cacert.pem"), Data: created.CertPEM, Mode: 0o644},
		{Path: filepath.Join(dirs["client"], "cacert.pem"), Data: created.CertPEM, Mode: 0o644},
	}
	files = append(files, server.Files(dirs["server"])...)
	files = append(files, client.Files(dirs["client"])...)
	// server/ and client/ are pkipath directories, whose files libvirt's
	// validator wants private to their owner.
	for i := range files {
		if filepath.Dir(files[i].Path) != dirs["ca"] {
			files[i].Mode = 0o600
		}
	}
	guard := guardOutput(c.App.ErrWriter)
	defer guard.stop()
	var undo []func()
	for _, d := range []string{out, dirs["ca"], dirs["server"], dirs["client"]} {
		u, err := ca.EnsureDir(d)
		if err != nil {
			runUndo(undo)
			return err
		}
		undo = append(undo, u)
		guard.addUndo(u)
	}
	if err := guard.writeFiles(files, c.Bool("force")); err != nil {
		runUndo(undo)
		return err
	}
	writeNotes(c.App.ErrWriter, append(append(issue.FlagFindings("--client-dn", clientFlags), server.Findings...), client.Findings...))
	writeQuickstartNext(c.App.Writer, out, host, server, client)
	return nil
}

// runUndo removes directories created for a failed run, innermost first.
func runUndo(undo []func()) {
	for i := len(undo) - 1; i >= 0; i-- {
		undo[i]()
	}
}

func writeQuickstartNext(w io.Writer, out string, host issue.Host, server, client *issue.Result) {
	abs, err := filepath.Abs(out)
	if err != nil {
		abs = out
	}
	var sans []string
	sans = append(sans, server.Cert.DNSNames...)
	for _, ip := range server.Cert.IPAddresses {
		sans = append(sans, ip.String())
	}
	line, _ := issue.AllowedDNLine(client.DN)
	fmt.Fprintf(w, "Created in %s:\n", out)
	fmt.Fprintf(w, "  ca/      cacert.pem, cakey.pem   (keep cakey.pem private; it signs every certificate)\n")
	fmt.Fprintf(w, "  server/  cacert.pem, servercert.pem, serverkey.pem   for %s\n", strings.Join(sans, ", "))
	fmt.Fprintf(w, "  client/  cacert.pem, clientcert.pem, clientkey.pem   DN %s\n", client.DN)
	fmt.Fprintf(w, "\nOn the server (as root):\n")
	fmt.Fprintf(w, "  virt-pki install --role ca,server --system --from %s/server\n", abs)
	fmt.Fprintf(w, "  # in /etc/libvirt/libvirtd.conf (and listen_tls = 1 for libvirtd --listen):\n  %s\n", line)
	fmt.Fprintf(w, "  systemctl enable --now libvirtd-tls.socket   # modular daemons: virtproxyd-tls.socket\n")
	fmt.Fprintf(w, "\nOn a client:\n")
	target := host.FQDN
	if net.ParseIP(target) != nil || target == "" {
		target = "localhost"
	}
	fmt.Fprintf(w, "  virsh -c 'qemu+tls://%s/system?pkipath=%s/client' list\n", target, abs)
	if os.Geteuid() == 0 {
		// libvirt ignores ~/.pki/libvirt for root: the system layout is root's.
		fmt.Fprintf(w, "  # or install for root and drop pkipath: virt-pki install --role ca,client --system --from %s/client\n", abs)
	} else {
		fmt.Fprintf(w, "  # or install for your user and drop pkipath: virt-pki install --role ca,client --user --from %s/client\n", abs)
	}
	fmt.Fprintf(w, "\nCheck them: virt-pki validate --path %s/server server; virt-pki validate --path %s/client client\n", out, out)
}
