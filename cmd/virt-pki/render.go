package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"

	"github.com/virt-pki/virt-pki/finding"
)

// colorFor reports whether output to w should be colored: only a terminal,
// and never when NO_COLOR is set (fatih/color honours NO_COLOR itself).
func colorFor(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// painter colors status words when enabled.
type painter struct{ on bool }

func newPainter(w io.Writer) painter { return painter{on: colorFor(w)} }

// tone is how a status word is colored.
type tone int

const (
	toneGood  tone = iota // green: passed, ok
	toneWarn              // bold yellow
	toneBad               // bold red: failed
	toneError             // bold magenta: could not be checked
	toneInfo              // cyan: skipped and other neutral words
)

// Paint returns text in t's color when the painter is on.
func (p painter) Paint(t tone, text string) string {
	if !p.on {
		return text
	}
	var c *color.Color
	switch t {
	case toneGood:
		c = color.New(color.FgGreen)
	case toneWarn:
		c = color.New(color.FgYellow, color.Bold)
	case toneBad:
		c = color.New(color.FgRed, color.Bold)
	case toneError:
		c = color.New(color.FgMagenta, color.Bold)
	default:
		c = color.New(color.FgCyan)
	}
	c.EnableColor()
	return c.Sprint(text)
}

// Status returns s colored by severity when the painter is on.
func (p painter) Status(s finding.Status) string {
	t := toneInfo
	switch s {
	case finding.Pass:
		t = toneGood
	case finding.Warn:
		t = toneWarn
	case finding.Fail:
		t = toneBad
	}
	return p.Paint(t, string(s))
}

// Dim returns s de-emphasised when the painter is on.
func (p painter) Dim(s string) string {
	if !p.on {
		return s
	}
	c := color.New(color.Faint)
	c.EnableColor()
	return c.Sprint(s)
}

// writeFindingsText prints one line per finding,
// "SCOPE: message: STATUS", then indented reason and fix lines.
func writeFindingsText(w io.Writer, list finding.List) {
	p := newPainter(w)
	for _, f := range list {
		if f.Scope != "" {
			fmt.Fprintf(w, "%s: %s: %s\n", f.Scope, f.Message, p.Status(f.Status))
		} else {
			fmt.Fprintf(w, "%s: %s\n", f.Message, p.Status(f.Status))
		}
		if f.Fix != "" && (f.Status == finding.Warn || f.Status == finding.Fail) {
			fmt.Fprintf(w, "  %s %s\n", p.Dim("fix:"), f.Fix)
		}
	}
}

// writeJSON prints v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
