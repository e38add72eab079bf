package validate

import (
	"strings"
	"testing"
)

func TestZZDumpRich(t *testing.T) {
	_, o := richRoot(t)
	var b strings.Builder
	for _, f := range Run(o) {
		b.WriteString(string(f.Status) + " " + f.ID + ": " + f.Message + "\n")
		if f.Fix != "" {
			b.WriteString("    fix: " + f.Fix + "\n")
		}
	}
	t.Log("\n" + b.String())
}
