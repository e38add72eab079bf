package virtpkicli

import (
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/virt-pki/virt-pki/ca"
	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/keys"
)

// Flags and rendering shared by ca init, issue and quickstart.

// keyFlags are the key choice flags; def names the default in the help.
func keyFlags(what, def string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "key-type", Usage: "key algorithm of the " + what + ": rsa, ecdsa or ed25519", DefaultText: def},
		&cli.IntFlag{Name: "bits", Usage: "RSA key size (at least 2048)", DefaultText: "3072"},
		&cli.StringFlag{Name: "curve", Usage: "ECDSA curve: secp256r1, secp384r1, secp521r1 (or P-256, P-384, P-521)"},
		&cli.StringFlag{Name: "sec-param", Usage: "certtool security level: medium, high, ultra, future"},
	}
}

// validityFlag is --days for ca init and issue; def names the default in
// the help.
func validityFlag(def string) cli.Flag {
	return &cli.IntFlag{Name: "days", Usage: "validity in days (overrides expiration_days)", DefaultText: def}
}

// outputFlags are --force and --format/--json, shared by ca init and issue.
func outputFlags() []cli.Flag {
	return append([]cli.Flag{&cli.BoolFlag{Name: "force", Usage: "replace existing files"}}, formatFlags()...)
}

// formatFlags are --format text|json (the name install, probe, validate
// and expiry use) and its shorthand --json, for ca init, issue and info.
func formatFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "format", Value: "text", Usage: "output `FORMAT`: text or json"},
		&cli.BoolFlag{Name: "json", Usage: "print JSON (shorthand for --format json)"},
	}
}

// checkFormat is the usage check of formatFlags: --format is text or
// json, and --json does not contradict an explicit --format text.
func checkFormat(c *cli.Context) error {
	format := c.String("format")
	if format != "text" && format != "json" {
		return usagef("--format %q: want text or json", format)
	}
	if c.Bool("json") && format != "json" && c.IsSet("format") {
		return usagef("--json contradicts --format %s", format)
	}
	return nil
}

// jsonRequested reports whether formatFlags ask for JSON (--format json or
// --json); call checkFormat first.
func jsonRequested(c *cli.Context) bool {
	return c.String("format") == "json" || c.Bool("json")
}

// checkIssueArgs is the usage check ca init and issue share: the output
// format is checked by checkFormat, --days, when
// given, is checked by checkDays, and there are no positional arguments
// (name is the command, e.g. "issue server").
func checkIssueArgs(c *cli.Context, name string) error {
	if err := checkFormat(c); err != nil {
		return err
	}
	if err := checkDays(c, time.Now()); err != nil {
		return err
	}
	if c.NArg() > 0 {
		return usagef("%s takes no arguments (got %q)", name, c.Args().First())
	}
	return nil
}

// checkDays is the usage check of --days: when given it must be at least 1
// and must not end after the year 9999 (the last date X.509 can express).
func checkDays(c *cli.Context, now time.Time) error {
	if !c.IsSet("days") {
		return nil
	}
	days := c.Int("days")
	if days < 1 {
		return usagef("--days must be at least 1 (got %d)", days)
	}
	if max := maxDays(now); days > max {
		return usagef("--days %d ends after the year 9999; give at most %d", days, max)
	}
	return nil
}

// maxDays is the largest validity in days from now that ends in 9999.
func maxDays(now time.Time) int {
	end := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	return int(end.Sub(now.UTC()).Hours() / 24)
}

// keyParams resolves the key flags; without any of them it returns def.
func keyParams(c *cli.Context, def keys.Params) (keys.Params, error) {
	if !c.IsSet("key-type") && !c.IsSet("bits") && !c.IsSet("curve") && !c.IsSet("sec-param") {
		return def, nil
	}
	typ := c.String("key-type")
	switch {
	case typ == "" && c.IsSet("curve"):
		typ = "ecdsa"
	case typ == "" && c.IsSet("bits"):
		typ = "rsa" // --bits is an RSA size
	}
	if typ == "" {
		typ = string(def.Algorithm)
	}
	p, err := keys.Spec{Type: typ, Bits: c.Int("bits"), Curve: c.String("curve"), SecParam: c.String("sec-param")}.Resolve()
	if err != nil {
		return p, usagef("%v", err)
	}
	if err := p.Check(); err != nil {
		return p, usagef("%v", err)
	}
	return p, nil
}

// writeNotes prints the notes and warnings of an issuing step to w
// (render.Painter.Notes).
func writeNotes(w io.Writer, list finding.List) { newPainter(w).r().Notes(w, list) }

// jsonFile describes one written file in JSON output.
type jsonFile struct {
	Path string `json:"path"`
	Mode string `json:"mode"`
	Kind string `json:"kind"`
}

// jsonFiles describes written files for JSON output.
func jsonFiles(files []ca.File) []jsonFile {
	var jf []jsonFile
	for _, f := range files {
		jf = append(jf, jsonFile{Path: f.Path, Mode: fmt.Sprintf("%04o", f.Mode), Kind: f.Kind.String()})
	}
	return jf
}
