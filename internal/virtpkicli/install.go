package virtpkicli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/install"
	"github.com/virt-pki/virt-pki/layout"
)

// The `install` command puts issued files where libvirt or QEMU read them.

func init() {
	commands = append(commands, &cli.Command{
		Name:      "install",
		Usage:     "install a CA, server or client certificate and key where libvirt or QEMU look for them",
		ArgsUsage: " ",
		Description: "Copies the output of 'virt-pki issue' (--from DIR: cacert.pem, servercert.pem,\n" +
			"serverkey.pem, clientcert.pem, clientkey.pem) or explicit files into one layout, with the\n" +
			"owner and mode libvirt expects, as one all-or-nothing set that survives a crash.\n" +
			"Layouts: --system (/etc/pki, default as root; honours ca_file/cert_file/key_file in\n" +
			"libvirtd.conf), --user (~/.pki/libvirt, default otherwise), --pkipath DIR, --qemu[=DIR]\n" +
			"(/etc/pki/qemu naming). Refuses, unless --force: a key that does not match its\n" +
			"certificate, a certificate not issued by the CA, usages libvirt rejects or that belong\n" +
			"to another role (a client certificate as the server's), a different CA at the CA path,\n" +
			"and replacing files without --backup. Never writes outside --root or through a\n" +
			"symlink leading out of the layout. SIGINT/SIGTERM roll the install back cleanly.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "role", Usage: "what to install: ca, server, client (repeatable or comma list)"},
			&cli.BoolFlag{Name: "system", Usage: "install into the system layout (/etc/pki)"},
			&cli.BoolFlag{Name: "user", Usage: "install into ~/.pki/libvirt"},
			&cli.StringFlag{Name: "pkipath", Usage: "install into `DIR` for URIs with ?pkipath=DIR"},
			&cli.GenericFlag{Name: "qemu", Value: &qemuOpt{}, Usage: "install into QEMU's directory (/etc/pki/qemu or `DIR`, with --qemu=DIR)"},
			&cli.StringFlag{Name: "qemu-group", Usage: "group that must read QEMU's keys (`NAME` or numeric GID; default: qemu.conf's group, else libvirt-qemu, qemu, kvm)"},
			&cli.StringFlag{Name: "qemu-conf", Usage: "qemu.conf to explain the result with (`FILE`, default /etc/libvirt/qemu.conf under --root)"},
			&cli.StringFlag{Name: "from", Usage: "read the files from `DIR` (the output of 'virt-pki issue')"},
			&cli.StringFlag{Name: "ca-cert", Usage: "CA certificate `FILE`"},
			&cli.StringFlag{Name: "cert", Usage: "server or client certificate `FILE`"},
			&cli.StringFlag{Name: "key", Usage: "private key `FILE` of --cert"},
			&cli.StringFlag{Name: "root", Usage: "prefix `DIR` for the system and QEMU layouts (image building, tests)"},
			&cli.StringFlag{Name: "libvirtd-conf", Usage: "libvirtd.conf `FILE` whose ca_file/cert_file/key_file a system install follows (default /etc/libvirt/libvirtd.conf under --root)"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the plan (paths, owners, modes, new/unchanged/replaced) and write nothing"},
			&cli.BoolFlag{Name: "backup", Usage: "keep each replaced file as FILE.bak-TIMESTAMP"},
			&cli.BoolFlag{Name: "force", Usage: "install despite refusals (mismatched key, foreign issuer, bad usages or another role's certificate, a different CA, replacing)"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output `FORMAT`: text or json"},
		},
		Action: runInstall,
	})
}

// qemuOpt is the --qemu[=DIR] flag: a boolean that optionally carries a
// directory.
type qemuOpt struct {
	set bool
	dir string
}

func (q *qemuOpt) Set(s string) error {
	switch s {
	case "true":
		q.set = true
	case "false":
		q.set, q.dir = false, ""
	default:
		q.set, q.dir = true, s
	}
	return nil
}

func (q *qemuOpt) String() string {
	if q == nil || !q.set {
		return ""
	}
	return q.dir
}

// IsBoolFlag lets --qemu stand alone (the flag package's convention).
func (q *qemuOpt) IsBoolFlag() bool { return true }

func runInstall(c *cli.Context) error {
	// SIGINT/SIGTERM/SIGHUP interrupt the install cleanly (rolled back,
	// temporary files and journal removed) instead of killing it midway.
	ctx, stop := install.SignalContext(c.Context)
	defer stop()
	format := c.String("format")
	if format != "text" && format != "json" {
		return usagef("--format must be text or json, not %q", format)
	}
	qemu, _ := c.Generic("qemu").(*qemuOpt)
	if qemu != nil && qemu.set && qemu.dir == "" && c.NArg() == 1 {
		qemu.dir = c.Args().First() // --qemu DIR as the last argument
	} else if c.NArg() > 0 {
		return usagef("unexpected argument %q", c.Args().First())
	}
	if len(c.StringSlice("role")) == 0 {
		return usagef("--role is required (ca, server, client)")
	}
	roles, err := install.ParseRoles(c.StringSlice("role"))
	if err != nil {
		return usagef("%v", err)
	}
	req := install.Request{
		Roles:  roles,
		Force:  c.Bool("force"),
		Backup: c.Bool("backup"),
		EUID:   os.Geteuid(),
		Sources: install.Sources{
			FromDir: c.String("from"),
			CACert:  c.String("ca-cert"),
			Cert:    c.String("cert"),
			Key:     c.String("key"),
		},
	}
	if req.Sources.FromDir == "" && req.Sources.CACert == "" && req.Sources.Cert == "" && req.Sources.Key == "" {
		return usagef("give the files with --from DIR or --ca-cert/--cert/--key")
	}
	if req.Target, err = installTarget(c, qemu); err != nil {
		return err
	}
	res, err := install.Install(req, install.Options{DryRun: c.Bool("dry-run"), Context: ctx, Hook: install.PauseHookFromEnv(ctx)})
	var ie *install.InputError
	if errors.As(err, &ie) || res == nil || res.Plan == nil {
		if err == nil {
			err = errors.New("internal error: no plan")
		}
		if format == "json" {
			writeJSON(c.App.Writer, map[string]any{"error": err.Error(), "recovery": recoveryOf(res)})
			return exitError{code: exitFail, err: err}
		}
		if res != nil {
			writeRecoveryText(c.App.Writer, res.Recovery)
		}
		return err
	}
	if format == "json" {
		out := struct {
			*install.Result
			DryRun bool   `json:"dry_run"`
			Error  string `json:"error,omitempty"`
		}{Result: res, DryRun: c.Bool("dry-run")}
		if err != nil {
			out.Error = err.Error()
		}
		if werr := writeJSON(c.App.Writer, out); werr != nil {
			return werr
		}
		if err != nil || res.Plan.Refused() {
			return exitWith(exitFail)
		}
		return nil
	}
	writeInstallText(c.App.Writer, res, c.Bool("dry-run"))
	if err != nil {
		if errors.Is(err, install.ErrRefused) {
			return exitWith(exitFail)
		}
		return err
	}
	if res.Plan.Refused() { // a dry run that a real run would refuse
		return exitWith(exitFail)
	}
	return nil
}

func recoveryOf(res *install.Result) any {
	if res == nil {
		return nil
	}
	return res.Recovery
}

// installTarget maps the layout flags to an install.Target.
func installTarget(c *cli.Context, qemu *qemuOpt) (install.Target, error) {
	var chosen []string
	for _, name := range []string{"system", "user"} {
		if c.Bool(name) {
			chosen = append(chosen, "--"+name)
		}
	}
	if c.IsSet("pkipath") {
		chosen = append(chosen, "--pkipath")
	}
	if qemu != nil && qemu.set {
		chosen = append(chosen, "--qemu")
	}
	if len(chosen) > 1 {
		return install.Target{}, usagef("choose one layout, not %s", strings.Join(chosen, " and "))
	}
	kind := layout.User
	if os.Geteuid() == 0 {
		kind = layout.System
	}
	if len(chosen) == 1 {
		kind = map[string]layout.Kind{"--system": layout.System, "--user": layout.User, "--pkipath": layout.PKIPath, "--qemu": layout.QEMU}[chosen[0]]
	}
	root := c.String("root")
	if root != "" && kind != layout.System && kind != layout.QEMU {
		return install.Target{}, usagef("--root applies to --system and --qemu only")
	}
	if c.IsSet("libvirtd-conf") && kind != layout.System {
		return install.Target{}, usagef("--libvirtd-conf applies to --system only")
	}
	if root != "" {
		abs, err := filepath.Abs(root)
		if err != nil {
			return install.Target{}, err
		}
		root = abs
	}
	home, _ := os.UserHomeDir()
	t := install.Target{Kind: kind, Root: root, Home: home, UID: os.Geteuid(), GID: os.Getegid()}
	switch kind {
	case layout.System:
		path, explicit := c.String("libvirtd-conf"), true
		if path == "" {
			path, explicit = layout.Under(root, layout.DefaultLibvirtdConf), false
		}
		conf, err := layout.ReadLibvirtdConf(path, !explicit)
		if errors.Is(err, fs.ErrNotExist) {
			return t, fmt.Errorf("--libvirtd-conf %s: no such file; omit --libvirtd-conf to use %s, or create the file", path, layout.Under(root, layout.DefaultLibvirtdConf))
		}
		if err != nil {
			return t, err
		}
		t.LibvirtdConf = conf
	case layout.User:
		if home == "" {
			return t, errors.New("cannot install into ~/.pki/libvirt: HOME is not set")
		}
	case layout.PKIPath:
		dir := c.String("pkipath")
		if dir == "" {
			return t, usagef("--pkipath needs a DIR")
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return t, err
		}
		t.Dir = abs
	case layout.QEMU:
		qpath, explicit := c.String("qemu-conf"), true
		if qpath == "" {
			qpath, explicit = layout.Under(root, layout.DefaultQEMUConf), false
		}
		qconf, err := layout.ReadQEMUConf(qpath, !explicit)
		if err != nil {
			return t, err
		}
		t.QEMUConf = qconf
		if qemu.dir != "" {
			abs, err := filepath.Abs(qemu.dir)
			if err != nil {
				return t, err
			}
			t.Dir = abs
			if root != "" {
				t.Dir = layout.Under(root, qemu.dir)
			}
		}
		name, gid, err := installQEMUGroup(root, c.String("qemu-group"), qconf)
		if err != nil {
			return t, err
		}
		t.QEMUGroup, t.QEMUGID = name, gid
	}
	return t, nil
}

// installQEMUGroup resolves the group that must read QEMU's keys: the
// --qemu-group flag (a name or a numeric GID), else qemu.conf's group,
// else the first distribution default that exists. The error says where
// the group came from and that a numeric GID works.
func installQEMUGroup(root, flag string, qconf *layout.QEMUConf) (string, int, error) {
	const numeric = "a numeric GID works too, e.g. --qemu-group 107"
	if flag != "" {
		gid, err := layout.LookupGroup(root, flag)
		if err != nil {
			return "", 0, fmt.Errorf("--qemu-group %q: %v; give an existing group name or a numeric GID (e.g. --qemu-group 107)", flag, err)
		}
		if _, nerr := strconv.Atoi(flag); nerr == nil {
			if root == "" || root == "/" || gid == 0 {
				return layout.GroupName(gid), gid, nil
			}
			return "gid " + strconv.Itoa(gid), gid, nil
		}
		return flag, gid, nil
	}
	name, gid, err := layout.LookupQEMUGroup(root, qconf.Group)
	switch {
	case err == nil:
		return name, gid, nil
	case qconf.Group != "":
		return "", 0, fmt.Errorf("%s: %v; fix group there or override it with --qemu-group NAME (%s)", qconf.Path, err, numeric)
	}
	return "", 0, fmt.Errorf("%v; name the group QEMU runs as with --qemu-group NAME (%s)", err, numeric)
}

func writeRecoveryText(w io.Writer, rec install.Recovery) {
	if rec.Journal != "" {
		what := "completed the new set"
		if rec.Direction == "back" {
			what = "restored the previous set"
		}
		fmt.Fprintf(w, "recovered an interrupted install (%s): %s\n", rec.Journal, what)
	}
	if n := len(rec.Removed); n > 0 {
		fmt.Fprintf(w, "removed %d leftover temporary file(s) of an interrupted install\n", n)
	}
}

func writeInstallText(w io.Writer, res *install.Result, dryRun bool) {
	p := res.Plan
	writeRecoveryText(w, res.Recovery)
	fmt.Fprintf(w, "%s layout in %s:\n", p.Kind, p.Base)
	// What was done reads "mkdir", "new", "replaced"; a plan that was not
	// carried out (dry run, refusal, failure) reads "would create", ...
	verb, width := installVerb, 11
	if !res.Applied && p.Changes() > 0 {
		verb, width = installVerbPlanned, 13
	}
	for _, d := range p.Dirs {
		fmt.Fprintf(w, "  %-*s %04o %-16s %s/\n", width, verb("mkdir"), d.Mode, d.Owner.Name, d.Path)
	}
	for _, e := range p.Entries {
		line := fmt.Sprintf("  %-*s %04o %-16s %s", width, verb(string(e.Status)), e.Mode, e.Owner.Name, e.Path)
		var notes []string
		if e.Was != "" {
			notes = append(notes, "was "+e.Was)
		}
		if e.Backup != "" {
			notes = append(notes, "backup "+e.Backup)
		}
		if len(notes) > 0 {
			line += " (" + strings.Join(notes, "; ") + ")"
		}
		fmt.Fprintln(w, line)
	}
	var shown finding.List
	for _, f := range p.Findings {
		if f.Status == finding.Warn || f.Status == finding.Fail {
			shown = append(shown, f)
		}
	}
	writeFindingsText(w, shown)
	if p.PendingRecovery {
		fmt.Fprintf(w, "an interrupted install is pending in %s; the next install completes it first\n", p.Base)
	}
	refused := p.Refused()
	// A failed or interrupted apply: the error follows on stderr.
	failed := !dryRun && !refused && !res.Applied && p.Changes() > 0
	if !refused && !failed {
		for _, e := range p.Effects {
			fmt.Fprintf(w, "libvirt: %s\n", e)
		}
	}
	n, total := p.Changes(), len(p.Entries)
	switch {
	case refused:
		fmt.Fprintln(w, "refused: nothing was written (fix the FAIL lines, or use --force)")
	case failed:
		fmt.Fprintln(w, "not installed: see the error")
	case dryRun:
		fmt.Fprintf(w, "dry run: %d of %d file(s) would be written; nothing was changed\n", n, total)
	case n == 0:
		fmt.Fprintf(w, "nothing to do: all %d file(s) are already installed\n", total)
	default:
		fmt.Fprintf(w, "installed %d file(s), %d unchanged\n", n, total-n)
	}
}

// installVerb labels a plan line of an install that was carried out.
func installVerb(status string) string { return status }

// installVerbPlanned labels a plan line of an install that was not
// carried out: a dry run, a refusal or a failed write (the old set is
// kept), so nothing reads as done.
func installVerbPlanned(status string) string {
	switch status {
	case "mkdir", string(install.New):
		return "would create"
	case string(install.Replaced):
		return "would replace"
	}
	return status
}
