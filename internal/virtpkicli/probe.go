package virtpkicli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/progress"
	"github.com/virt-pki/virt-pki/internal/render"
	"github.com/virt-pki/virt-pki/internal/termsafe"
	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/tlsprobe"
)

func init() {
	commands = append(commands, &cli.Command{
		Name:            "probe",
		HideHelpCommand: true,
		Usage:           "explain why a libvirt TLS connection fails (or prove that it works)",
		ArgsUsage:       "TARGET... (libvirt URI such as qemu+tls://host/system?pkipath=DIR, or host[:port])",
		Description: "Connects like a libvirt client: finds the client credentials as libvirt does (pkipath, " +
			"~/.pki/libvirt, /etc/pki), tries TLS 1.3 and 1.2, judges the server certificate by libvirt's " +
			"rules for the URI host, and reads libvirtd's confirmation byte to learn whether the daemon accepts " +
			"us. On a terminal, " + fmt.Sprint(progress.Threshold) + " targets or more show a counter on standard error (--quiet hides it). " +
			"Exit 0 when no target has a failure, 1 otherwise, 2 on usage errors.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output format: text or json"},
			&cli.StringFlag{Name: "cacert", Aliases: []string{"ca-cert"}, Usage: "CA certificate file instead of the one libvirt would locate"},
			&cli.StringFlag{Name: "cert", Usage: "client certificate file instead of the one libvirt would locate (needs --key)"},
			&cli.StringFlag{Name: "key", Usage: "client private key file (with --cert)"},
			&cli.StringFlag{Name: "connect", Usage: "dial `ADDR:PORT` instead, still judging the URI's host name (one target only)"},
			&cli.StringFlag{Name: "targets", Usage: "read targets from `FILE`, one per line (# comments)"},
			&cli.IntFlag{Name: "concurrency", Value: 32, Usage: fmt.Sprintf("targets probed at once (1 to %d)", tlsprobe.MaxConcurrency)},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress counter on standard error (shown only on a terminal, for runs of " + fmt.Sprint(progress.Threshold) + " targets or more)"},
			&cli.DurationFlag{Name: "timeout", Value: 5 * time.Second, Usage: "time limit per target"},
			&cli.BoolFlag{Name: "force-client-cert", Usage: "send our certificate even if its issuer is not in the server's acceptable CA list"},
			&cli.StringFlag{Name: "libvirtd-conf", Usage: "the server's libvirtd.conf, to check our DN against its tls_allowed_dn_list"},
			&cli.GenericFlag{Name: "allowed-dn", Value: &repeatedString{}, Usage: "a tls_allowed_dn_list `PATTERN` of the server (repeatable; commas are part of the DN)"},
		},
		Action: probeAction,
	})
}

func probeAction(c *cli.Context) error {
	format := c.String("format")
	if format != "text" && format != "json" {
		return usagef("--format %q: want text or json", format)
	}
	if n := c.Int("concurrency"); n < 1 || n > tlsprobe.MaxConcurrency {
		return usagef("--concurrency must be between 1 and %d", tlsprobe.MaxConcurrency)
	}
	if c.Duration("timeout") <= 0 {
		return usagef("--timeout must be positive")
	}
	if (c.String("cert") == "") != (c.String("key") == "") {
		return usagef("--cert and --key go together")
	}
	raw := append([]string{}, c.Args().Slice()...)
	if f := c.String("targets"); f != "" {
		more, err := readTargetsFile(f)
		if err != nil {
			return usagef("%v", err)
		}
		raw = append(raw, more...)
	}
	if len(raw) == 0 {
		return usagef("probe needs at least one TARGET (a libvirt URI or host[:port]) or --targets FILE")
	}
	var connect string
	if s := c.String("connect"); s != "" {
		if len(raw) != 1 {
			return usagef("--connect works with exactly one target")
		}
		var err error
		if connect, err = tlsprobe.ParseConnect(s); err != nil {
			return usagef("%v", err)
		}
	}
	targets := make([]tlsprobe.Target, len(raw))
	for i, s := range raw {
		t, err := tlsprobe.ParseTarget(s)
		if err != nil {
			return usagef("%v", err)
		}
		t.Connect = connect
		targets[i] = t
	}

	// libvirt's lookup: $HOME, else the password database's home.
	creds := tlsprobe.DefaultCredentials()
	creds.CACert, creds.Cert, creds.Key = c.String("cacert"), c.String("cert"), c.String("key")
	opts := tlsprobe.Options{
		Credentials:     creds,
		Timeout:         c.Duration("timeout"),
		Concurrency:     c.Int("concurrency"),
		ForceClientCert: c.Bool("force-client-cert"),
	}
	if p := c.String("libvirtd-conf"); p != "" {
		conf, err := layout.ReadLibvirtdConf(p, false)
		if err != nil {
			return fmt.Errorf("--libvirtd-conf: %w", err)
		}
		opts.Conf = conf
	}
	if dns := c.Generic("allowed-dn").(*repeatedString).values; len(dns) > 0 {
		opts.AllowedDN, opts.AllowedDNSet, opts.AllowedDNFrom = dns, true, "--allowed-dn"
	}

	counter := progress.NewCounter(c.App.ErrWriter, "probe", len(targets), c.Bool("quiet"))
	opts.Progress = counter.Add
	results := tlsprobe.New(opts).ProbeAll(context.Background(), targets)
	counter.Done()
	out := c.App.Writer
	if format == "json" {
		if err := writeJSON(out, struct {
			Targets []*tlsprobe.Result `json:"targets"`
		}{results}); err != nil {
			return err
		}
	} else {
		writeProbeText(out, results)
	}
	for _, r := range results {
		if !r.OK() {
			return exitWith(exitFail)
		}
	}
	return nil
}

// readTargetsFile reads one target per line; blank lines and # comments
// are skipped.
func readTargetsFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--targets: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if _, err := tlsprobe.ParseTarget(line); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// writeProbeText renders results for people. Everything that comes from
// the peer, the files or the command line is escaped (termsafe).
func writeProbeText(w io.Writer, results []*tlsprobe.Result) {
	p := newPainter(w)
	esc := termsafe.String
	failed := 0
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s\n", esc(r.Target))
		fmt.Fprintf(w, "  address:     %s (host name judged: %s)\n", esc(r.Address), esc(r.Host))
		if r.Transport == tlsprobe.TransportTLS {
			cr := r.Credentials
			fmt.Fprintf(w, "  credentials: CA %s\n", esc(cr.CACert))
			fmt.Fprintf(w, "               client cert %s, key %s\n", esc(cr.ClientCert), esc(cr.ClientKey))
			if cr.CRL != "" {
				fmt.Fprintf(w, "               CRL %s\n", esc(cr.CRL))
			}
			for _, why := range cr.Why {
				fmt.Fprintf(w, "               %s\n", p.Dim("("+esc(why)+")"))
			}
		}
		fmt.Fprintf(w, "  tcp:         %s\n", r.TCP)
		for _, h := range r.Handshakes {
			if h.OK {
				fmt.Fprintf(w, "  %s:     handshake OK, %s\n", h.Version, h.Cipher)
			} else if h.Error != "tcp" {
				fmt.Fprintf(w, "  %s:     handshake failed (%s)\n", h.Version, esc(h.Error))
			}
		}
		for j, c := range r.ServerChain {
			names := append(prefixed("DNS:", c.DNSNames), prefixed("IP:", c.IPAddresses)...)
			fmt.Fprintf(w, "  server cert %d: %s\n", j, esc(c.Subject))
			fmt.Fprintf(w, "               issuer %s\n", esc(c.Issuer))
			fmt.Fprintf(w, "               valid %s to %s, names: %s\n", c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339), esc(orNone(names)))
		}
		if r.ClientAccepted != nil {
			fmt.Fprintf(w, "  client cert: requested=%v sent=%v", r.ClientCertRequested, r.ClientCertSent)
			if r.ClientDN != "" {
				fmt.Fprintf(w, " (DN %s)", esc(r.ClientDN))
			}
			fmt.Fprintln(w)
			if len(r.AcceptableCAs) > 0 {
				fmt.Fprintf(w, "               server accepts certificates from: %s\n", esc(strings.Join(r.AcceptableCAs, "; ")))
			}
		}
		fmt.Fprintln(w, "  findings:")
		p.r().FindingsWith(w, r.Findings, render.FindingsOptions{Indent: "    ", ByID: true})
		s := r.Findings.Summary()
		verdict := p.Status(finding.Pass)
		if !r.OK() {
			verdict = p.Status(finding.Fail)
			failed++
		}
		fmt.Fprintf(w, "  result: %s (%d passed, %d warnings, %d failed)\n", verdict, s.Pass, s.Warn, s.Fail)
	}
	if len(results) > 1 {
		fmt.Fprintf(w, "\n%d targets: %d OK, %d failed\n", len(results), len(results)-failed, failed)
	}
}

func prefixed(pre string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = pre + x
	}
	return out
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

// repeatedString collects every occurrence of a flag verbatim (a
// StringSliceFlag would split DNs at their commas).
type repeatedString struct{ values []string }

func (r *repeatedString) Set(v string) error { r.values = append(r.values, v); return nil }
func (r *repeatedString) String() string     { return strings.Join(r.values, "; ") }
