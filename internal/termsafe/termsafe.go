// Package termsafe makes untrusted text safe to print on a terminal.
//
// Subjects, issuers, SANs, paths and messages that come from certificates,
// remote peers or files can carry ESC/OSC sequences that retitle, clear or
// rewrite a terminal. Every text renderer passes such strings through String
// before printing them; JSON output needs no help (encoding/json escapes
// control characters).
package termsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// String returns s with every character that can steer a terminal replaced
// by a visible escape: C0 controls (including newline and tab) and DEL as
// \xNN, C1 controls and Unicode bidirectional overrides and isolates as
// \uNNNN, and bytes that are not valid UTF-8 as \xNN. Everything else,
// including backslashes and printable non-ASCII text, is kept as is, so a
// clean string (the common case) is returned unchanged and unallocated.
func String(s string) string {
	if Clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Clean reports whether s prints as itself: String(s) == s.
func Clean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			return cleanRunes(s[i:])
		}
	}
	return true
}

func cleanRunes(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r < 0x20 || r == 0x7f || unsafeRune(r) {
			return false
		}
		i += size
	}
	return true
}

// unsafeRune reports the non-ASCII runes a terminal acts on: the C1 control
// block (U+0080–U+009F; U+009B is CSI on many terminals) and the bidi
// embedding, override and isolate controls that reorder displayed text.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}

// Strings applies String to every element of ss, returning a new slice.
func Strings(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = String(s)
	}
	return out
}
