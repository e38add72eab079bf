// Package validatecli is the command line of `virt-pki validate` and of the
// stand-alone virt-pki-validate binary: libvirt's virt-pki-validate options
// plus virt-pki's, the text and JSON output and the exit status. Both
// programs call it, so their output is byte-identical; it imports neither
// urfave/cli nor any other command, so the stand-alone binary starts fast.
package validatecli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/render"
	"github.com/virt-pki/virt-pki/validate"
)

// Exit statuses.
const (
	ExitOK    = 0 // nothing FAILed (a WARN alone passes without --strict)
	ExitFail  = 1 // a check FAILed (or WARNed with --strict), or output failed
	ExitUsage = 2 // the command line was wrong
)

// Name is the stand-alone program's name, used in its messages.
const Name = "virt-pki-validate"

// UsageError is a wrong command line (exit status 2). Its message starts
// with "validate: ".
type UsageError struct{ Err error }

func (u *UsageError) Error() string { return "validate: " + u.Err.Error() }
func (u *UsageError) Unwrap() error { return u.Err }

// Report is the JSON document: the checks and their counts.
type Report struct {
	Checks  finding.List    `json:"checks"`
	Summary finding.Summary `json:"summary"`
}

// Run audits the host as args (the command line without the program name)
// say and prints the result (text, JSON or the help) on stdout. It returns
// the exit status: ExitOK, or ExitFail when a check FAILs (or WARNs with
// --strict). It prints no error itself: a *UsageError (exit status
// ExitUsage) means the command line is wrong, any other error (ExitFail)
// that the result could not be written; the caller prints it on one line
// with its own name.
func Run(args []string, stdout io.Writer) (int, error) {
	v, err := parseArgs(args)
	if err != nil {
		return ExitUsage, &UsageError{Err: err}
	}
	if v.help {
		_, err := io.WriteString(stdout, Usage)
		return exitFor(err), err
	}
	opts, err := options(v)
	if err != nil {
		return ExitUsage, &UsageError{Err: err}
	}
	list := validate.Run(opts)
	if list == nil {
		list = finding.List{}
	}
	if v.format == "json" {
		err = render.JSON(stdout, Report{Checks: list, Summary: list.Summary()})
	} else {
		// One write instead of one per line: each is a system call.
		var buf bytes.Buffer
		writeText(&buf, render.NewPainter(stdout), list)
		_, err = stdout.Write(buf.Bytes())
	}
	if err != nil {
		return ExitFail, err
	}
	worst := list.Worst()
	if worst == finding.Fail || (v.strict && worst == finding.Warn) {
		return ExitFail, nil
	}
	return ExitOK, nil
}

func exitFor(err error) int {
	if err != nil {
		return ExitFail
	}
	return ExitOK
}

// Main runs virt-pki-validate with args[0] the program name and returns
// its exit status. -v, -V and --version print the version. Errors are one
// line on stderr, "virt-pki-validate: ...", usage errors followed by where
// the help is.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		args = args[1:]
	}
	for _, a := range args {
		if a == "-v" || a == "-V" || a == "--version" {
			fmt.Fprintln(stdout, Name+" (virt-pki)")
			return ExitOK
		}
	}
	code, err := Run(args, stdout)
	var ue *UsageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "%s: %v (see '%s --help')\n", Name, ue, Name)
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n", Name, err)
	}
	return code
}

// writeText prints virt-pki-validate's "SCOPE: check: STATUS" lines (scope
// in capitals, as libvirt's tool prints it), the fix under every WARN and
// FAIL, and a summary line, colored when p is on.
func writeText(w io.Writer, p render.Painter, list finding.List) {
	upper := make(finding.List, len(list))
	for i, f := range list {
		f.Scope = strings.ToUpper(f.Scope)
		upper[i] = f
	}
	p.Findings(w, upper)
	s := list.Summary()
	verdict := p.Status(finding.Pass)
	if w := list.Worst(); w == finding.Fail || w == finding.Warn {
		verdict = p.Status(w)
	}
	fmt.Fprintf(w, "%s: %d passed, %d warnings, %d failed, %d skipped\n", verdict, s.Pass, s.Warn, s.Fail, s.Skip)
}
