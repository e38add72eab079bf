package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStringEscapesTerminalControls(t *testing.T) {
	cases := []struct{ in, want string }{
		{"compute1.libvirt.org", "compute1.libvirt.org"},
		{`O=Foo\, Inc,CN=café`, `O=Foo\, Inc,CN=café`},
		{"evil\x1b]0;pwned\x07\x1b[2J", `evil\x1b]0;pwned\x07\x1b[2J`},
		{"a\nb\tc\rd", `a\x0ab\x09c\x0dd`},
		{"del\x7f", `del\x7f`},
		{"csi\u009b31m", `csi\u009b31m`},
		{"rtl\u202eexe.pem", `rtl\u202eexe.pem`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"", ""},
	}
	for _, c := range cases {
		if got := String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
		if Clean(c.in) != (c.in == c.want) {
			t.Errorf("Clean(%q) = %v, want %v", c.in, Clean(c.in), c.in == c.want)
		}
	}
}

func TestStringsCopies(t *testing.T) {
	in := []string{"a\x1b", "b"}
	out := Strings(in)
	if out[0] != `a\x1b` || out[1] != "b" || in[0] != "a\x1b" {
		t.Fatalf("Strings(%q) = %q (input %q)", []string{"a\x1b", "b"}, out, in)
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[31mred", "\u202e", "\xff\xfe", "CN=a\\,b", "\u0085x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		if !utf8.ValidString(out) {
			t.Fatalf("String(%q) = %q is not valid UTF-8", s, out)
		}
		if !Clean(out) {
			t.Fatalf("String(%q) = %q still has controls", s, out)
		}
		if Clean(s) && out != s {
			t.Fatalf("clean %q changed to %q", s, out)
		}
		if strings.ContainsAny(out, "\x1b\n\r\x07") {
			t.Fatalf("String(%q) = %q", s, out)
		}
	})
}
