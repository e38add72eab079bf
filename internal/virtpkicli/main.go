// Package virtpkicli is the virt-pki command line: it creates a CA, issues
// certificates from certtool-style templates, installs them where libvirt
// and QEMU look, audits a host's PKI, probes a running libvirtd and gates CI
// on expiry. It only maps flags to library calls and renders their results;
// cmd/virt-pki is its main function, and the golden tests run it in their
// own test binary.
//
// Started through a link named certtool, virt-pki-query-dn or
// virt-pki-validate, it behaves as that tool.
package virtpkicli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"
)

// Exit codes shared by every command.
const (
	exitOK    = 0
	exitFail  = 1 // the job failed, or a check failed
	exitUsage = 2 // the command line was wrong
)

// commands is filled by each command file's init, so that command files
// never edit a shared list.
var commands []*cli.Command

// personalities maps a link name to the function that runs the binary as
// that tool. Filled by init functions, like commands.
var personalities = map[string]func(args []string, stdout, stderr io.Writer) int{}

// Main runs the command line args (args[0] is the program name, which
// selects a personality) and returns the process exit code: 0 ok, 1
// failed, 2 usage error, or a command's own code.
func Main(args []string, stdout, stderr io.Writer) int {
	return run(args, stdout, stderr)
}

// run executes the command line and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if p, ok := personalities[filepath.Base(args[0])]; ok {
		return p(args, stdout, stderr)
	}
	app := newApp(stdout, stderr)
	err := app.Run(flagsFirst(app.Commands, args))
	return exitCode(err, stderr)
}

func newApp(stdout, stderr io.Writer) *cli.App {
	cmds := append([]*cli.Command(nil), commands...)
	for _, c := range cmds {
		// App.Setup prefixes a command's HelpName with the app's name
		// whenever it is set: without the reset a second run in the same
		// process ("virt-pki help issue") would say "virt-pki virt-pki issue".
		c.HelpName = ""
	}
	sort.SliceStable(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	markOnce.Do(func() {
		markUsageErrors(cmds)
		cli.VersionPrinter = printVersion
	})
	return &cli.App{
		Name:    "virt-pki",
		Usage:   "TLS certificates for libvirt and QEMU hosts",
		Version: buildVersion(),
		// urfave/cli adds --help only when no command is called help;
		// the help command (help.go) is ours.
		Flags:          []cli.Flag{cli.HelpFlag},
		Commands:       cmds,
		Writer:         stdout,
		ErrWriter:      stderr,
		ExitErrHandler: func(*cli.Context, error) {}, // exit codes are mapped in run
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError{err: err}
		},
		Action:          unknownCommand,
		HideHelpCommand: true, // the help command is ours (help.go)
	}
}

// markOnce guards markUsageErrors: the commands are shared package state and
// their actions must be wrapped once, however many times run is called.
var markOnce sync.Once

// markUsageErrors makes a flag a command cannot parse a usage error (exit 2)
// in every command and subcommand, without printing the whole help text
// (the one-line error names the flag; --help shows the rest).
func markUsageErrors(cmds []*cli.Command) {
	for _, c := range cmds {
		if c.OnUsageError == nil {
			c.OnUsageError = func(ctx *cli.Context, err error, _ bool) error {
				return usageError{err: err, help: ctx.Command.HelpName}
			}
		}
		if len(c.Subcommands) > 0 && c.Action == nil {
			c.Action = missingSubcommand
		}
		if c.Action != nil && !c.SkipFlagParsing {
			c.Action = pointUsageAtCommand(c.Action)
		}
		markUsageErrors(c.Subcommands)
	}
}

// pointUsageAtCommand makes the usage errors an action returns name the
// command's own help ("see 'virt-pki expiry --help'").
func pointUsageAtCommand(action cli.ActionFunc) cli.ActionFunc {
	return func(ctx *cli.Context) error {
		err := action(ctx)
		var ue usageError
		if errors.As(err, &ue) && ue.help == "" {
			ue.help = ctx.Command.HelpName
			return ue
		}
		return err
	}
}

// missingSubcommand is the action of a command that only groups
// subcommands ("virt-pki issue"): reaching it means none was named, or an
// unknown one was.
func missingSubcommand(c *cli.Context) error {
	var names []string
	for _, sc := range c.Command.Subcommands {
		if sc.Name != "help" {
			names = append(names, sc.Name)
		}
	}
	if c.NArg() > 0 {
		return usageError{err: fmt.Errorf("unknown subcommand %q for '%s' (one of: %s)", c.Args().First(), c.Command.HelpName, strings.Join(names, ", ")), help: c.Command.HelpName}
	}
	return usageError{err: fmt.Errorf("'%s' needs a subcommand (one of: %s)", c.Command.HelpName, strings.Join(names, ", ")), help: c.Command.HelpName}
}

// unknownCommand is the app's action: without arguments it shows the help;
// with one, no command of that name exists.
func unknownCommand(c *cli.Context) error {
	if c.NArg() == 0 {
		return cli.ShowAppHelp(c)
	}
	return usagef("unknown command %q", c.Args().First())
}

// usageError marks a wrong command line (exit 2).
type usageError struct {
	err  error
	help string // the command whose --help explains the usage ("virt-pki expiry")
}

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// usagef returns a usage error (exit 2) with a formatted message.
func usagef(format string, args ...any) error { return usageError{err: fmt.Errorf(format, args...)} }

// exitError carries an explicit exit code and, optionally, a message.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

// exitWith returns an error that makes the process exit with code after
// printing nothing more (the command already printed its result).
func exitWith(code int) error { return exitError{code: code} }

// exitCode prints err (one line, prefixed by the program name) and maps it
// to an exit code: 0 without error, 2 for usage errors, the carried code
// for exitError, 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "virt-pki: %v\n", ee.err)
		}
		return ee.code
	}
	var ce cli.ExitCoder
	if errors.As(err, &ce) {
		if msg := err.Error(); msg != "" {
			fmt.Fprintf(stderr, "virt-pki: %s\n", msg)
		}
		return ce.ExitCode()
	}
	var ue usageError
	if errors.As(err, &ue) {
		help := ue.help
		if help == "" {
			help = "virt-pki"
		}
		fmt.Fprintf(stderr, "virt-pki: %v (see '%s --help')\n", ue.err, help)
		return exitUsage
	}
	fmt.Fprintf(stderr, "virt-pki: %v\n", err)
	return exitFail
}
