package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/finding"
)

func TestFindings(t *testing.T) {
	list := finding.List{
		{ID: "a", Scope: "TRUST", Status: finding.Pass, Message: "CA ok", Fix: "never shown"},
		{ID: "b", Scope: "SERVER", Status: finding.Fail, Message: "key mode", Fix: "chmod 0600 key.pem"},
		{ID: "c", Status: finding.Warn, Message: "no scope", Fix: "do x && y"},
		{ID: "d", Scope: "CLIENT", Status: finding.Skip, Message: "absent", Fix: "never shown"},
	}
	var b bytes.Buffer
	Findings(&b, list) // a buffer is no terminal: no color
	want := `TRUST: CA ok: PASS
SERVER: key mode: FAIL
  fix: chmod 0600 key.pem
no scope: WARN
  fix: do x && y
CLIENT: absent: SKIP
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestPainterColorsOnlyWhenOn(t *testing.T) {
	if got := (Painter{}).Status(finding.Fail); got != "FAIL" {
		t.Errorf("off: %q", got)
	}
	on := Painter{On: true}
	for _, s := range []finding.Status{finding.Pass, finding.Warn, finding.Fail, finding.Skip} {
		got := on.Status(s)
		if !strings.Contains(got, string(s)) || !strings.HasPrefix(got, "\x1b[") {
			t.Errorf("on, %s: %q", s, got)
		}
	}
	if on.Status(finding.Pass) == on.Status(finding.Fail) {
		t.Error("PASS and FAIL look alike")
	}
	var b bytes.Buffer
	on.Findings(&b, finding.List{{Scope: "TRUST", Status: finding.Fail, Message: "m", Fix: "f"}})
	if !strings.Contains(b.String(), "\x1b[") || !strings.Contains(b.String(), " f\n") {
		t.Errorf("colored findings: %q", b.String())
	}
}

func TestJSONKeepsShellCommandsReadable(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, map[string]string{"fix": "a && b > c"}); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"fix\": \"a && b > c\"\n}\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestFindingsWithIDsAndIndent(t *testing.T) {
	list := finding.List{
		{ID: "tcp-refused", Scope: "TARGET", Status: finding.Fail, Message: "refused", Fix: "start libvirtd"},
		{ID: "tls13", Scope: "TARGET", Status: finding.Pass, Message: "TLS 1.3", Fix: "never shown"},
		{Scope: "NOID", Status: finding.Warn, Message: "no id"},
	}
	var b bytes.Buffer
	Painter{}.FindingsWith(&b, list, FindingsOptions{Indent: "    ", ByID: true})
	want := `    tcp-refused: refused: FAIL
      fix: start libvirtd
    tls13: TLS 1.3: PASS
    no id: WARN
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	var z, f bytes.Buffer
	Painter{}.FindingsWith(&z, list, FindingsOptions{})
	Findings(&f, list)
	if z.String() != f.String() {
		t.Errorf("zero options differ from Findings:\n%s\nvs\n%s", z.String(), f.String())
	}
}

func TestNotesPutStatusFirst(t *testing.T) {
	list := finding.List{
		{Status: finding.Pass, Message: "key usage set", Fix: "never shown"},
		{Status: finding.Warn, Message: "short validity", Fix: "use --days 365"},
		{Status: finding.Fail, Message: "no fix"},
		{Status: finding.Skip, Message: "not shown"},
	}
	var b bytes.Buffer
	Painter{}.Notes(&b, list)
	want := `note: key usage set
WARN: short validity
  fix: use --days 365
FAIL: no fix
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestFindingsEscapeTerminalControls: messages, labels and fixes carry
// subjects, paths and peer data; an ESC/OSC sequence in them is printed
// escaped in finding lines and notes, never raw.
func TestFindingsEscapeTerminalControls(t *testing.T) {
	evil := "CN=x\x1b]0;pwned\x07\x1b[2J"
	list := finding.List{
		{ID: "id\x1b[1m", Scope: "SERVER", Status: finding.Fail, Message: "subject " + evil, Fix: "rm /tmp/" + evil},
		{ID: "p", Status: finding.Pass, Message: "path " + evil},
	}
	var b bytes.Buffer
	Findings(&b, list)
	(Painter{}).FindingsWith(&b, list, FindingsOptions{ByID: true})
	(Painter{}).Notes(&b, list)
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Fatalf("raw terminal controls in:\n%q", out)
	}
	for _, want := range []string{
		`SERVER: subject CN=x\x1b]0;pwned\x07\x1b[2J: FAIL`,
		`  fix: rm /tmp/CN=x\x1b]0;pwned\x07\x1b[2J`,
		`id\x1b[1m: subject CN=x`,
		`note: path CN=x\x1b]0;pwned\x07\x1b[2J`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
