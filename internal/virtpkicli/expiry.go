package virtpkicli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/virt-pki/virt-pki/expiry"
	"github.com/virt-pki/virt-pki/internal/atomicfile"
	"github.com/virt-pki/virt-pki/internal/progress"
	"github.com/virt-pki/virt-pki/internal/termsafe"
	"github.com/virt-pki/virt-pki/tlsprobe"
)

// expiryDefaults supplies the --warn and --fail defaults, so the help, the
// flags and the library agree.
var expiryDefaults = expiry.DefaultPolicy(time.Time{})

func init() {
	commands = append(commands, &cli.Command{
		Name:      "expiry",
		Usage:     "gate CI on certificate and CRL expiry (table, JSON, JUnit or Prometheus)",
		ArgsUsage: "[PATH|DIR|GLOB|URI|HOST:PORT ...]",
		Description: `Reads certificates and CRLs from files (PEM with several certificates, DER),
directories (recursively; files named *.pem *.crt *.cer *.cert *.der *.crl),
glob patterns and live TLS endpoints (libvirt URIs such as qemu+tls://host/system,
or host:port), and judges each one at --at (default: now). Without arguments it
scans every libvirt and QEMU layout of this host: /etc/pki, ~/.pki/libvirt,
/etc/pki/qemu, the per-service directories qemu.conf selects and the files
libvirtd.conf and virtproxyd.conf point to (--root PREFIX for an image or a test).

A certificate that ends at or before --fail fails, at or before --warn warns;
expired and not-yet-valid certificates and stale CRLs (next update past) fail.
Validity includes notAfter itself (RFC 5280): a certificate expires after it.
Thresholds are durations in h, d and w ("30d", "2w", "1w3d", "36h"; a bare number
is days) or absolute dates ("2027-01-31"). --at takes a date, "+90d" or "now".
Without an explicit --fail, --fail is ` + expiryDefaults.Fail.String() + ` or --warn, whichever is sooner; an
explicit --fail later than --warn is a usage error.
DAYS (and days_left) counts whole days truncated toward zero, as the reason
does: "-2156" and "(2156 days ago)"; 0 means less than a day either way.

Live endpoints are scanned like a polite libvirt client: with client credentials
(found as virsh finds them: the URI's pkipath, ~/.pki/libvirt or /etc/pki; or
--cert/--key) the handshake completes, and libvirtd logs nothing. Without them
the handshake is abandoned once the server's certificates have arrived, and
libvirtd logs one line: "authentication failed: TLS handshake failed The TLS
connection was non-properly terminated."

Unreadable files (named pipes and devices included, also when a directory
holds them under a certificate's name), files over 16 MiB, garbage and
unreachable endpoints are reported (status "error") and the scan goes on.
On a terminal, a run of ` + fmt.Sprint(progress.Threshold) + ` sources or more shows a counter on
standard error, erased before the report (--quiet hides it).

Exit codes: 0 all fine; 1 something failed, or not a single certificate could be
checked because every source gave an error (even without --strict), or, with
--strict, any source could not be read or nothing was found; 3 only warnings;
2 usage error. Errors that do not fail the run are counted on standard error.

--sort=false prints records as they are read instead of sorted by expiry, so
memory stays flat whatever the number of files (JSON streams; JUnit and
Prometheus stage their body in a temporary file). Sorted output keeps a small
record per certificate (about 450 bytes), never the certificate itself.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "warn", Value: expiryDefaults.Warn.String(), Usage: "warn when a certificate ends within `LIMIT` (duration or date)"},
			&cli.StringFlag{Name: "fail", Value: expiryDefaults.Fail.String(), Usage: "fail when a certificate ends within `LIMIT` (duration or date)"},
			&cli.StringFlag{Name: "at", Usage: "judge validity at `DATE` (\"2027-01-31\", \"+90d\"; default now)"},
			&cli.StringFlag{Name: "format", Value: "table", Usage: "output `FORMAT`: table (or text), json, junit or prometheus"},
			&cli.BoolFlag{Name: "sort", Value: true, Usage: "sort by expiry (--sort=false streams in reading order)"},
			&cli.BoolFlag{Name: "strict", Usage: "exit 1 also when any source cannot be read or nothing is found (without it, only when no certificate could be checked at all)"},
			&cli.StringFlag{Name: "root", Usage: "look for the host's layouts under `PREFIX` (no arguments only)"},
			&cli.DurationFlag{Name: "timeout", Value: 10 * time.Second, Usage: "per-endpoint connection `TIMEOUT`"},
			&cli.IntFlag{Name: "jobs", Aliases: []string{"concurrency"}, DefaultText: "4 per CPU", Usage: fmt.Sprintf("read `N` files or endpoints at once (1 to %d; never more than there are)", expiry.MaxWorkers)},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress counter on standard error (shown only on a terminal, for runs of " + fmt.Sprint(progress.Threshold) + " sources or more)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report atomically to `FILE` instead of standard output"},
			&cli.BoolFlag{Name: "force", Usage: "let -o/--output replace an existing file"},
			&cli.StringFlag{Name: "cert", Usage: "client certificate `FILE` for live endpoints instead of the one libvirt would locate (needs --key)"},
			&cli.StringFlag{Name: "key", Usage: "client private key `FILE` for live endpoints (with --cert)"},
		},
		Action: runExpiry,
	})
}

func runExpiry(c *cli.Context) error {
	now := time.Now().UTC()
	policy, err := expiryPolicy(c, now)
	if err != nil {
		return err
	}
	format := c.String("format")
	switch format {
	case "text":
		format = "table" // the name validate and probe use
	case "table", "json", "junit", "prometheus":
	default:
		return usagef("unknown --format %q (use table, text, json, junit or prometheus)", format)
	}
	if (c.String("cert") == "") != (c.String("key") == "") {
		return usagef("--cert and --key go together")
	}
	if c.IsSet("jobs") && (c.Int("jobs") < 1 || c.Int("jobs") > expiry.MaxWorkers) {
		return usagef("--jobs must be between 1 and %d", expiry.MaxWorkers)
	}
	if c.Duration("timeout") <= 0 {
		return usagef("--timeout must be positive")
	}
	if c.IsSet("root") && c.NArg() > 0 {
		return usagef("--root applies only when no PATH is given")
	}
	// Refuse to replace a report before doing any work.
	if path := c.String("output"); path != "" && !c.Bool("force") {
		if _, err := os.Lstat(path); err == nil {
			// Both spellings: the parser does not tell which one was typed.
			return usagef("-o/--output %s already exists (add --force to replace it)", path)
		}
	}

	var targets []expiry.Target
	var known []expiry.Record // broken configuration files of the host
	if c.NArg() == 0 {
		targets, known = expiry.HostSources(hostFor(c.String("root")))
	} else {
		for _, a := range c.Args().Slice() {
			targets = append(targets, expiry.Classify(a))
		}
	}

	out, commit, err := expiryOutput(c)
	if err != nil {
		return err
	}
	defer commit(false)

	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt)
	defer stop()
	creds := tlsprobe.DefaultCredentials()
	creds.Cert, creds.Key = c.String("cert"), c.String("key")
	prober := tlsprobe.New(tlsprobe.Options{Credentials: creds, Timeout: c.Duration("timeout")})
	opts := expiry.Options{Policy: policy, Workers: c.Int("jobs"), Timeout: c.Duration("timeout"),
		ServerChain: func(ctx context.Context, target string, _ time.Duration) ([]*x509.Certificate, error) {
			return prober.ServerChain(ctx, target)
		}}
	stderr := c.App.ErrWriter
	var counter *progress.Counter
	if progress.Enabled(stderr, c.Bool("quiet")) {
		// Counting walks the directories once more, so only for a
		// terminal that shows the count.
		counter = progress.NewCounter(stderr, "expiry", expiry.Count(ctx, targets), false)
		opts.Progress = counter.Add
	}
	sum, err := renderExpiry(ctx, out, format, c.Bool("sort"), known, targets, opts, counter)
	counter.Done()
	if err != nil {
		return err
	}
	if err := commit(true); err != nil {
		return err
	}

	code, why := sum.ExitCode(c.Bool("strict"))
	switch {
	case len(targets) == 0 && len(known) == 0:
		fmt.Fprintln(stderr, "virt-pki: expiry: no certificate found in this host's libvirt and QEMU layouts")
	case why != "":
		fmt.Fprintln(stderr, "virt-pki: expiry: "+why)
	}
	if code != 0 {
		return exitWith(code)
	}
	return nil
}

func expiryPolicy(c *cli.Context, now time.Time) (expiry.Policy, error) {
	p := expiry.Policy{At: now}
	if s := c.String("at"); s != "" {
		at, err := expiry.ParseDate(s, now)
		if err != nil {
			return p, usagef("--at: %v", err)
		}
		p.At = at
	}
	var err error
	if p.Warn, err = expiry.ParseThreshold(c.String("warn")); err != nil {
		return p, usagef("--warn: %v", err)
	}
	if p.Fail, err = expiry.ParseThreshold(c.String("fail")); err != nil {
		return p, usagef("--fail: %v", err)
	}
	if !c.IsSet("fail") && p.Check() != nil {
		// The default --fail must not outlast a shorter --warn.
		p.Fail = p.Warn
	}
	if err := p.Check(); err != nil {
		return p, usagef("%v", err)
	}
	return p, nil
}

// hostFor describes the invoking user's host for HostTargets.
func hostFor(root string) expiry.Host {
	home, _ := os.UserHomeDir()
	return expiry.Host{Root: root, Home: home, UID: os.Getuid(), GID: os.Getgid()}
}

// expiryOutput returns where the report goes and a commit function: with
// --output the report is staged in a temporary file next to FILE, which
// commit(true) puts in place with atomicfile.Commit (never over an
// existing file without --force, also one that appeared during the scan);
// commit(false) removes the stage.
func expiryOutput(c *cli.Context) (io.Writer, func(ok bool) error, error) {
	path := c.String("output")
	if path == "" {
		return c.App.Writer, func(bool) error { return nil }, nil
	}
	f, err := atomicfile.CreateTemp(path, 0o644)
	if err != nil {
		return nil, nil, err
	}
	done := false
	commit := func(ok bool) error {
		if done {
			return nil
		}
		done = true
		if !ok {
			atomicfile.Discard(f)
			return nil
		}
		opts := atomicfile.DefaultOptions
		opts.Force = c.Bool("force")
		return atomicfile.Commit(f, path, opts)
	}
	return f, commit, nil
}

// renderExpiry scans and writes the report in format, known records
// (found before scanning) included; sorted output keeps the records,
// unsorted output streams them. counter (nil for none) is erased before
// every line written.
func renderExpiry(ctx context.Context, w io.Writer, format string, sorted bool, known []expiry.Record, targets []expiry.Target, opts expiry.Options, counter *progress.Counter) (expiry.Summary, error) {
	var sum expiry.Summary
	paint := newPainter(w)
	if counter != nil {
		w = erasing{w, counter}
	}
	if format == "table" {
		t := &expiryTable{w: w, policy: opts.Policy, painter: paint, stream: !sorted}
		err := expiry.ScanWith(ctx, known, targets, opts, func(r expiry.Record) {
			sum.Add(r)
			t.add(r)
		})
		if err != nil {
			return sum, err
		}
		t.close(sum)
		return sum, nil
	}
	var rep expiry.Report
	var err error
	switch format {
	case "json":
		rep = expiry.NewJSON(w, opts.Policy)
	case "junit":
		rep, err = expiry.NewJUnit(w, opts.Policy)
	case "prometheus":
		rep, err = expiry.NewPrometheus(w, opts.Policy)
	}
	if err != nil {
		return sum, err
	}
	var addErr error
	add := func(r expiry.Record) {
		sum.Add(r)
		if addErr == nil {
			addErr = rep.Add(r)
		}
	}
	if sorted {
		recs, s, err := expiry.CollectWith(ctx, known, targets, opts)
		if err != nil {
			return sum, err
		}
		for _, r := range recs {
			if addErr == nil {
				addErr = rep.Add(r)
			}
		}
		sum = s
	} else if err := expiry.ScanWith(ctx, known, targets, opts, add); err != nil {
		return sum, err
	}
	if err := errors.Join(addErr, rep.Close(sum)); err != nil {
		return sum, fmt.Errorf("writing the report: %w", err)
	}
	return sum, nil
}

// erasing erases a progress counter before every write, so that results
// never share a line with it on the terminal.
type erasing struct {
	w       io.Writer
	counter *progress.Counter
}

func (e erasing) Write(p []byte) (int, error) {
	e.counter.Done()
	return e.w.Write(p)
}

// expiryTable renders records as an aligned table (sorted) or as lines as
// they come (streaming), status words colored on a terminal.
type expiryTable struct {
	w       io.Writer
	policy  expiry.Policy
	painter painter
	stream  bool
	recs    []expiry.Record
	header  bool
}

var expiryColumns = []string{"STATUS", "NOT AFTER", "DAYS", "PATH", "SUBJECT", "REASON"}

func (t *expiryTable) add(r expiry.Record) {
	if !t.stream {
		t.recs = append(t.recs, r)
		return
	}
	if !t.header {
		t.header = true
		fmt.Fprintln(t.w, strings.Join(expiryColumns, "  "))
	}
	fmt.Fprintln(t.w, strings.Join(t.cells(r, true), "  "))
}

func (t *expiryTable) cells(r expiry.Record, paint bool) []string {
	notAfter, days := "-", "-"
	if !r.NotAfter.IsZero() {
		notAfter = r.NotAfter.UTC().Format("2006-01-02 15:04")
	}
	if d, ok := r.DaysLeft(t.policy.At); ok {
		days = fmt.Sprint(d)
	}
	status := strings.ToUpper(string(r.Status))
	if paint {
		status = t.paint(r.Status, status)
	}
	// Paths, names and reasons come from files and peers: escaped.
	return []string{status, notAfter, days, termsafe.String(r.Label()), termsafe.String(r.Subject()), termsafe.String(r.Reason)}
}

func (t *expiryTable) paint(s expiry.Status, text string) string {
	switch s {
	case expiry.OK:
		return t.painter.Paint(toneGood, text)
	case expiry.Warn:
		return t.painter.Paint(toneWarn, text)
	case expiry.Fail:
		return t.painter.Paint(toneBad, text)
	}
	return t.painter.Paint(toneError, text)
}

func (t *expiryTable) close(sum expiry.Summary) {
	if !t.stream && len(t.recs) > 0 {
		expiry.Sort(t.recs)
		rows := [][]string{expiryColumns}
		for _, r := range t.recs {
			rows = append(rows, t.cells(r, false))
		}
		width := make([]int, len(expiryColumns))
		for _, row := range rows {
			for i, c := range row {
				width[i] = max(width[i], utf8.RuneCountInString(c))
			}
		}
		for n, row := range rows {
			var line strings.Builder
			for i, c := range row {
				pad := c
				if i < len(row)-1 {
					pad += strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)+2)
				}
				if i == 0 && n > 0 {
					pad = t.paint(t.recs[n-1].Status, c) + pad[len(c):]
				}
				line.WriteString(pad)
			}
			fmt.Fprintln(t.w, strings.TrimRight(line.String(), " "))
		}
	}
	p := t.policy
	// "checked" counts what was judged; errors are sources that gave
	// nothing to judge, counted apart.
	fmt.Fprintf(t.w, "%d checked: %d ok, %d warn, %d fail; %d error (at %s, --warn %s, --fail %s)\n",
		sum.Checked(), sum.OK, sum.Warn, sum.Fail, sum.Error,
		p.At.UTC().Format("2006-01-02 15:04 UTC"), p.Warn, p.Fail)
}
