package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/validate"
)

// The `validate` command (and the virt-pki-validate personality) audits the
// host's libvirt/QEMU TLS files. Its command line is libvirt's
// virt-pki-validate's, options and scope in any order, plus virt-pki's own
// options. Flags are parsed here (not by urfave/cli) because libvirt's tool
// accepts options after the scope word, as getopt does.

const validateUsage = `Usage: virt-pki validate [OPTIONS] [trust|server|client]
       virt-pki-validate [OPTIONS] [trust|server|client]

Audits the TLS files libvirt and QEMU use: libvirt's own checks (directories
and files with the layout's owner and mode, libvirt's certificate rules, the
chain against the first 16 CA certificates, the 64 KiB cap) and what libvirt
misses (key/certificate match, certificates GnuTLS will not use, ECDSA keys
against the installed libvirt, CRLs, expiry within --warn-days, server names,
libvirtd.conf overrides and tls_allowed_dn_list, the per-user layout's traps,
QEMU directories). Prints one line per check, "SCOPE: what: PASS|WARN|FAIL|SKIP",
with the reason and the command that fixes every WARN and FAIL.

The scope (case-insensitive) limits the audit to one of trust, server, client.

Options:
  -s, --system           audit /etc/pki (default as root)
  -u, --user             audit $HOME/.pki/libvirt with libvirt's fallbacks (default for other users)
  -p, --path DIR         audit a custom pkipath directory
      --root PREFIX      audit a system layout below PREFIX (image builds, tests)
      --libvirtd-conf FILE
                         libvirtd.conf whose ca_file/cert_file/key_file/crl_file and TLS
                         settings are audited (default with --system: PREFIX/etc/libvirt/libvirtd.conf)
      --qemu[=DIR]       also audit QEMU's TLS directory DIR, or with no DIR every directory
                         qemu.conf selects (default /etc/pki/qemu); repeatable
      --qemu-group NAME  the group QEMU runs in (default: qemu.conf's, else libvirt-qemu, qemu, kvm)
      --hostname NAME|IP a name or address clients use for this server; repeatable
                         (default: this host's FQDN, short name and non-loopback addresses)
      --warn-days N      WARN when a certificate expires within N days (default 30)
      --libvirt-version V
                         judge version-dependent rules for libvirt V (default: the installed one)
      --format text|json output format (default text)
      --strict           a WARN fails the run too
  -h, --help             show this help

Exit status: 0 when nothing FAILs, 1 when a check FAILs (or WARNs with --strict),
2 on usage errors. Unlike libvirt's virt-pki-validate, a WARN alone does not
fail the run.
`

func init() {
	commands = append(commands, &cli.Command{
		Name:            "validate",
		Usage:           "audit this host's libvirt/QEMU TLS files (a virt-pki-validate that tells the truth)",
		ArgsUsage:       "[trust|server|client]",
		SkipFlagParsing: true,
		CustomHelpTemplate: "NAME:\n   virt-pki validate - {{.Usage}}\n\n" +
			strings.ReplaceAll(validateUsage, "{{", "{{`{{`}}"),
		Action: func(c *cli.Context) error {
			return runValidate(c.Args().Slice(), c.App.Writer, c.App.ErrWriter)
		},
	})
	personalities["virt-pki-validate"] = func(args []string, stdout, stderr io.Writer) int {
		for _, a := range args[1:] {
			if a == "-v" || a == "-V" || a == "--version" {
				fmt.Fprintln(stdout, "virt-pki-validate (virt-pki)")
				return exitOK
			}
		}
		err := runValidate(args[1:], stdout, stderr)
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "virt-pki-validate: %v (see 'virt-pki-validate --help')\n", ue.err)
			return exitUsage
		}
		return exitCode(err, stderr)
	}
}

// validateFlags is the parsed command line.
type validateFlags struct {
	system, user, strict bool
	path, root, conf     string
	qemuGroup            string
	format, version      string
	warnDays             int
	hostnames, qemu      multiFlag
	scope                string
	help                 bool
}

// multiFlag is a repeatable string flag.
type multiFlag struct {
	vals []string
	set  bool
}

func (m *multiFlag) String() string     { return strings.Join(m.vals, ",") }
func (m *multiFlag) Set(s string) error { m.vals = append(m.vals, s); m.set = true; return nil }

// parseValidateArgs parses args with options and the scope word in any
// order (getopt style). A bare --qemu takes no value.
func parseValidateArgs(args []string) (*validateFlags, error) {
	v := &validateFlags{warnDays: 30, format: "text"}
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, n := range []string{"s", "system"} {
		fs.BoolVar(&v.system, n, false, "")
	}
	for _, n := range []string{"u", "user"} {
		fs.BoolVar(&v.user, n, false, "")
	}
	for _, n := range []string{"p", "path"} {
		fs.StringVar(&v.path, n, "", "")
	}
	for _, n := range []string{"h", "help"} {
		fs.BoolVar(&v.help, n, false, "")
	}
	fs.StringVar(&v.root, "root", "", "")
	fs.StringVar(&v.conf, "libvirtd-conf", "", "")
	fs.Var(&v.qemu, "qemu", "")
	fs.StringVar(&v.qemuGroup, "qemu-group", "", "")
	fs.Var(&v.hostnames, "hostname", "")
	fs.IntVar(&v.warnDays, "warn-days", 30, "")
	fs.StringVar(&v.version, "libvirt-version", "", "")
	fs.StringVar(&v.format, "format", "text", "")
	fs.BoolVar(&v.strict, "strict", false, "")

	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--qemu" || a == "-qemu" {
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && !isScopeWord(args[i+1]) {
				rest = append(rest, "--qemu="+args[i+1])
				i++
			} else {
				rest = append(rest, "--qemu=")
			}
			continue
		}
		rest = append(rest, a)
	}
	var positional []string
	for {
		if err := fs.Parse(rest); err != nil {
			return nil, err
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			positional = append(positional, rest[1:]...)
			break
		}
		positional = append(positional, rest[0])
		rest = rest[1:]
	}
	switch len(positional) {
	case 0:
	case 1:
		if !isScopeWord(positional[0]) {
			return nil, fmt.Errorf("unknown scope %q (want trust, server or client)", positional[0])
		}
		v.scope = strings.ToLower(positional[0])
	default:
		return nil, fmt.Errorf("too many arguments: %s", strings.Join(positional, " "))
	}
	n := 0
	for _, b := range []bool{v.system, v.user, v.path != ""} {
		if b {
			n++
		}
	}
	if n > 1 {
		return nil, errors.New("--system, --user and --path are mutually exclusive")
	}
	if v.format != "text" && v.format != "json" {
		return nil, fmt.Errorf("--format %q: want text or json", v.format)
	}
	for _, h := range v.hostnames.vals {
		if strings.TrimSpace(h) == "" {
			return nil, errors.New("--hostname: the name must not be empty")
		}
	}
	if v.warnDays < 0 {
		return nil, fmt.Errorf("--warn-days %d: must not be negative", v.warnDays)
	}
	if v.version != "" {
		if _, err := validate.ParseVersion(v.version); err != nil {
			return nil, fmt.Errorf("--libvirt-version: %v", err)
		}
	}
	return v, nil
}

func isScopeWord(s string) bool {
	switch strings.ToLower(s) {
	case "trust", "server", "client":
		return true
	}
	return false
}

// validateOptions maps the command line to the library's options.
func validateOptions(v *validateFlags) (validate.Options, error) {
	o := validate.Options{
		Root:           v.root,
		UID:            os.Getuid(),
		GID:            os.Getgid(),
		Hostnames:      v.hostnames.vals,
		HostnamesGiven: v.hostnames.set,
		WarnWithin:     time.Duration(v.warnDays) * 24 * time.Hour,
		LibvirtVersion: v.version,
		QEMUGroup:      v.qemuGroup,
	}
	if v.warnDays == 0 {
		o.WarnWithin = -1
	}
	if v.scope != "" {
		o.Scopes = []validate.Scope{validate.Scope(v.scope)}
	}
	home, _ := os.UserHomeDir()
	o.Home = home
	switch {
	case v.path != "":
		o.Mode, o.Path = validate.PathMode, v.path
	case v.user || (!v.system && v.root == "" && os.Geteuid() != 0):
		o.Mode = validate.UserMode
		if home == "" {
			return o, errors.New("--user: $HOME is not set")
		}
	default:
		o.Mode = validate.SystemMode
	}
	switch {
	case v.conf != "":
		o.LibvirtdConf = v.conf
	case o.Mode == validate.SystemMode:
		o.LibvirtdConf = layout.Under(v.root, layout.DefaultLibvirtdConf)
		o.LibvirtdConfOptional = true
	}
	for _, d := range v.qemu.vals {
		if d == "" {
			o.QEMUFromConf = true
		} else {
			o.QEMUDirs = append(o.QEMUDirs, d)
		}
	}
	if v.qemuGroup != "" {
		gid, err := lookupGroupID(v.root, v.qemuGroup)
		if err != nil {
			return o, fmt.Errorf("--qemu-group %s: %v; pass the group's number instead", v.qemuGroup, err)
		}
		o.QEMUGID = gid
	}
	if !o.HostnamesGiven && (v.scope == "" || v.scope == "server") {
		// Look the names up while the files are being checked.
		names := make(chan []string, 1)
		go func() { names <- validate.LocalHostnames(2 * time.Second) }()
		o.HostnamesFunc = func() []string { return <-names }
	}
	return o, nil
}

// lookupGroupID resolves a group name (or GID, also as +GID) below root;
// root and numbers need no group database.
func lookupGroupID(root, name string) (int, error) {
	return layout.LookupGroup(root, strings.TrimPrefix(name, "+"))
}

// validateReport is the JSON document: the checks and their counts.
type validateReport struct {
	Checks  finding.List    `json:"checks"`
	Summary finding.Summary `json:"summary"`
}

func runValidate(args []string, stdout, stderr io.Writer) error {
	v, err := parseValidateArgs(args)
	if err != nil {
		return usagef("validate: %v", err)
	}
	if v.help {
		fmt.Fprint(stdout, validateUsage)
		return nil
	}
	opts, err := validateOptions(v)
	if err != nil {
		return usagef("validate: %v", err)
	}
	list := validate.Run(opts)
	if list == nil {
		list = finding.List{}
	}
	if v.format == "json" {
		if err := writeJSON(stdout, validateReport{Checks: list, Summary: list.Summary()}); err != nil {
			return err
		}
	} else {
		writeValidateText(stdout, list)
	}
	worst := list.Worst()
	if worst == finding.Fail || (v.strict && worst == finding.Warn) {
		return exitWith(exitFail)
	}
	return nil
}

// writeValidateText prints virt-pki-validate's "SCOPE: check: STATUS"
// lines (scope in capitals, as libvirt's tool prints it), the fix under
// every WARN and FAIL, and a summary line.
func writeValidateText(w io.Writer, list finding.List) {
	upper := make(finding.List, len(list))
	for i, f := range list {
		f.Scope = strings.ToUpper(f.Scope)
		upper[i] = f
	}
	writeFindingsText(w, upper)
	s := list.Summary()
	p := newPainter(w)
	verdict := p.Status(finding.Pass)
	if w := list.Worst(); w == finding.Fail || w == finding.Warn {
		verdict = p.Status(w)
	}
	fmt.Fprintf(w, "%s: %d passed, %d warnings, %d failed, %d skipped\n", verdict, s.Pass, s.Warn, s.Fail, s.Skip)
}
