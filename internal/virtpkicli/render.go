package virtpkicli

import (
	"io"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/render"
)

// Rendering lives in internal/render, shared with the stand-alone
// virt-pki-validate binary; these names keep the command files short.

// painter colors status words when on (see render.Painter).
type painter struct{ on bool }

func newPainter(w io.Writer) painter { return painter{on: render.ColorFor(w)} }

func (p painter) r() render.Painter { return render.Painter{On: p.on} }

// Paint returns text in t's color when the painter is on.
func (p painter) Paint(t tone, text string) string { return p.r().Paint(t, text) }

// Status returns s colored by severity when the painter is on.
func (p painter) Status(s finding.Status) string { return p.r().Status(s) }

// Dim returns s de-emphasised when the painter is on.
func (p painter) Dim(s string) string { return p.r().Dim(s) }

// tone is how a status word is colored.
type tone = render.Tone

const (
	toneGood  = render.Good  // green: passed, ok
	toneWarn  = render.Warn  // bold yellow
	toneBad   = render.Bad   // bold red: failed
	toneError = render.Error // bold magenta: could not be checked
)

// writeFindingsText prints one line per finding,
// "SCOPE: message: STATUS", then indented fix lines.
func writeFindingsText(w io.Writer, list finding.List) { render.Findings(w, list) }

// writeJSON prints v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error { return render.JSON(w, v) }
