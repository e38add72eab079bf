package virtpkicli

import (
	"errors"
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
	names := issue.QuickstartNames(out)
	dirs := issue.DirsOf(out)
	order := []string{dirs.CA, dirs.Server, dirs.Client}
	if !c.Bool("force") {
		for _, d := range order {
			for _, n := range names[d] {
				p := filepath.Join(d, n)
				if _, err := os.Lstat(p); err == nil {
					return fmt.Errorf("%s: %w (use --force to replace the whole PKI)", p, atomicfile.ErrExists)
				}
			}
		}
	}
	for _, d := range order {
		if err := removeStaleTemps(c.App.ErrWriter, d, names[d]...); err != nil {
			return err
		}
	}
	host := issue.ThisHost()
	res, err := issue.Quickstart(issue.QuickstartOptions{Out: out, ClientDN: c.String("client-dn"), Days: c.Int("days"), Host: host, Now: time.Now()})
	var dnErr *issue.ClientDNError
	if errors.As(err, &dnErr) {
		return usagef("--client-dn: %v", dnErr.Err)
	}
	if err != nil {
		return err
	}
	if err := writeOutputSet(c.App.ErrWriter, append([]string{out}, order...), res.Files, c.Bool("force")); err != nil {
		return err
	}
	writeNotes(c.App.ErrWriter, res.Findings)
	writeQuickstartNext(c.App.Writer, out, host, res)
	return nil
}

func writeQuickstartNext(w io.Writer, out string, host issue.Host, res *issue.QuickstartResult) {
	abs, err := filepath.Abs(out)
	if err != nil {
		abs = out
	}
	var sans []string
	sans = append(sans, res.Server.Cert.DNSNames...)
	for _, ip := range res.Server.Cert.IPAddresses {
		sans = append(sans, ip.String())
	}
	client := res.Client
	names := issue.QuickstartNames(out)
	line, _ := issue.AllowedDNLine(client.DN)
	fmt.Fprintf(w, "Created in %s:\n", out)
	fmt.Fprintf(w, "  ca/      %s   (keep %s private; it signs every certificate)\n", strings.Join(names[res.Dirs.CA], ", "), ca.KeyFile)
	fmt.Fprintf(w, "  server/  %s   for %s\n", strings.Join(names[res.Dirs.Server], ", "), strings.Join(sans, ", "))
	fmt.Fprintf(w, "  client/  %s   DN %s\n", strings.Join(names[res.Dirs.Client], ", "), client.DN)
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
