// Package render prints findings for people (one line per finding, status
// words colored on a terminal) and results for programs (indented JSON).
// It is shared by virt-pki's commands and the stand-alone
// virt-pki-validate binary, so both print byte-identical output.
package render

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/termsafe"
)

// ColorFor reports whether output to w should be colored: only a terminal,
// and never when NO_COLOR is set (fatih/color honours NO_COLOR itself).
func ColorFor(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// Painter colors status words when On. The zero Painter never colors.
type Painter struct{ On bool }

// NewPainter returns a Painter that colors exactly when ColorFor(w).
func NewPainter(w io.Writer) Painter { return Painter{On: ColorFor(w)} }

// Tone is how a status word is colored.
type Tone int

// The tones, from good to neutral.
const (
	Good  Tone = iota // green: passed, ok
	Warn              // bold yellow
	Bad               // bold red: failed
	Error             // bold magenta: could not be checked
	Info              // cyan: skipped and other neutral words
)

// Paint returns text in t's color when the painter is on, else text.
func (p Painter) Paint(t Tone, text string) string {
	if !p.On {
		return text
	}
	var c *color.Color
	switch t {
	case Good:
		c = color.New(color.FgGreen)
	case Warn:
		c = color.New(color.FgYellow, color.Bold)
	case Bad:
		c = color.New(color.FgRed, color.Bold)
	case Error:
		c = color.New(color.FgMagenta, color.Bold)
	default:
		c = color.New(color.FgCyan)
	}
	c.EnableColor()
	return c.Sprint(text)
}

// Status returns s colored by severity when the painter is on.
func (p Painter) Status(s finding.Status) string {
	t := Info
	switch s {
	case finding.Pass:
		t = Good
	case finding.Warn:
		t = Warn
	case finding.Fail:
		t = Bad
	}
	return p.Paint(t, string(s))
}

// Dim returns s de-emphasised when the painter is on.
func (p Painter) Dim(s string) string {
	if !p.On {
		return s
	}
	c := color.New(color.Faint)
	c.EnableColor()
	return c.Sprint(s)
}

// Findings prints one line per finding, "SCOPE: message: STATUS" (or
// "message: STATUS" without a scope), and under every WARN and FAIL that
// carries a fix an indented "fix: COMMAND" line; colored when ColorFor(w).
func Findings(w io.Writer, list finding.List) { NewPainter(w).Findings(w, list) }

// Findings prints list as the package-level Findings does, colored when p
// is on: for output gathered in a buffer for a terminal.
func (p Painter) Findings(w io.Writer, list finding.List) {
	p.FindingsWith(w, list, FindingsOptions{})
}

// FindingsOptions varies the finding lines for a command whose report
// differs on purpose. The zero value is the format of Findings.
type FindingsOptions struct {
	// Indent prefixes every finding line; fix lines get Indent plus two
	// spaces.
	Indent string
	// ByID labels each line with the finding's stable ID instead of its
	// scope ("ID: message: STATUS"), for reports about one target where
	// the ID is what a user greps or looks up (virt-pki probe).
	ByID bool
}

// FindingsWith prints one line per finding, "LABEL: message: STATUS" where
// LABEL is the scope (or the ID with o.ByID; no label when it is empty),
// and under every WARN and FAIL that carries a fix an indented
// "fix: COMMAND" line. Labels, messages and fixes carry subjects, paths
// and peer data: they are printed through termsafe.String.
func (p Painter) FindingsWith(w io.Writer, list finding.List, o FindingsOptions) {
	for _, f := range list {
		label := f.Scope
		if o.ByID {
			label = f.ID
		}
		msg := termsafe.String(f.Message)
		if label != "" {
			fmt.Fprintf(w, "%s%s: %s: %s\n", o.Indent, termsafe.String(label), msg, p.Status(f.Status))
		} else {
			fmt.Fprintf(w, "%s%s: %s\n", o.Indent, msg, p.Status(f.Status))
		}
		if f.Fix != "" && (f.Status == finding.Warn || f.Status == finding.Fail) {
			fmt.Fprintf(w, "%s  %s %s\n", o.Indent, p.Dim("fix:"), termsafe.String(f.Fix))
		}
	}
}

// Notes prints the findings of a step that produced something (issuing a
// certificate) as remarks for stderr, status first: a PASS is
// "note: message", a WARN or FAIL is "STATUS: message" followed by an
// indented "fix: COMMAND" line when it carries a fix; SKIP is not shown.
func (p Painter) Notes(w io.Writer, list finding.List) {
	for _, f := range list {
		switch f.Status {
		case finding.Pass:
			fmt.Fprintf(w, "note: %s\n", termsafe.String(f.Message))
		case finding.Warn, finding.Fail:
			fmt.Fprintf(w, "%s: %s\n", p.Status(f.Status), termsafe.String(f.Message))
			if f.Fix != "" {
				fmt.Fprintf(w, "  %s %s\n", p.Dim("fix:"), termsafe.String(f.Fix))
			}
		}
	}
}

// JSON prints v as indented JSON followed by a newline, without escaping
// <, > and & (fixes are shell commands meant to be read).
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
