package templates

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// entry is one "name [sep] value" item of a template.
type entry struct {
	key    string
	value  string
	line   int  // line the name is on
	quoted bool // the value was written in quotes
	bare   bool // nothing followed the name and separator (a keyword)
	noSep  bool // a value followed the name without '=' or ':'
}

// lexer reads certtool's template syntax (GnuTLS 3.7 src/cfg.c) and reports,
// as errors, every place where certtool would silently misread the file.
type lexer struct {
	name     string
	data     []byte
	pos      int
	line     int
	warnings []Warning
	crlfSeen bool
}

func (lx *lexer) errorf(line int, format string, args ...any) error {
	return &Error{Name: lx.name, Line: line, Message: clip(fmt.Sprintf(format, args...))}
}

func (lx *lexer) warnf(line int, format string, args ...any) {
	lx.warnings = append(lx.warnings, Warning{Name: lx.name, Line: line, Message: clip(fmt.Sprintf(format, args...))})
}

func (lx *lexer) peek() (byte, bool) {
	if lx.pos >= len(lx.data) {
		return 0, false
	}
	return lx.data[lx.pos], true
}

// isBlank is certtool's whitespace before a name.
func isBlank(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r', '\b':
		return true
	}
	return false
}

func isNameStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isNameChar(c byte) bool {
	return isNameStart(c) || ('0' <= c && c <= '9') || c == ':' || c == '^' || c == '-'
}

// tokenize splits the template into entries.
func (lx *lexer) tokenize() ([]entry, error) {
	lx.line = 1
	var out []entry
	if strings.HasPrefix(string(lx.data[:min(len(lx.data), 3)]), "\xef\xbb\xbf") {
		lx.pos = 3
		lx.warnf(1, "UTF-8 byte order mark removed (certtool would ignore the whole file)")
	}
	for {
		// Skip blanks and comments where a name is expected.
		for {
			c, ok := lx.peek()
			if !ok {
				return out, nil
			}
			if c == '\n' {
				lx.line++
				lx.pos++
				continue
			}
			if isBlank(c) {
				lx.pos++
				continue
			}
			if c == '#' {
				lx.skipToEOL()
				continue
			}
			break
		}
		c, _ := lx.peek()
		if c == 0 {
			return nil, lx.errorf(lx.line, "NUL byte in template")
		}
		if !isNameStart(c) {
			return nil, lx.errorf(lx.line, "%s", stopMessage(c))
		}
		e, err := lx.readEntry()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
}

// stopMessage explains a character at name position, where certtool silently
// stops reading the template.
func stopMessage(c byte) string {
	var what string
	switch {
	case c == ';':
		what = "';' is not a comment in certtool templates; use '#'"
	case '0' <= c && c <= '9':
		what = "a key cannot start with a digit (use dn_oid = OID value for attributes by OID)"
	case c == '"' || c == '\'':
		what = "a quoted text where a key is expected (only one value per line)"
	case c == '=' || c == ':':
		what = fmt.Sprintf("%q where a key is expected (missing key name)", c)
	case c < 0x20 || c >= 0x7f:
		what = fmt.Sprintf("unexpected byte 0x%02x where a key is expected", c)
	default:
		what = fmt.Sprintf("%q where a key is expected", c)
	}
	return what + "; certtool would silently ignore this line and every line after it"
}

func (lx *lexer) skipToEOL() {
	for lx.pos < len(lx.data) && lx.data[lx.pos] != '\n' {
		lx.pos++
	}
}

func (lx *lexer) skipSpaceTab() {
	for lx.pos < len(lx.data) && (lx.data[lx.pos] == ' ' || lx.data[lx.pos] == '\t') {
		lx.pos++
	}
}

func (lx *lexer) readEntry() (entry, error) {
	e := entry{line: lx.line}
	start := lx.pos
	for lx.pos < len(lx.data) && isNameChar(lx.data[lx.pos]) {
		lx.pos++
	}
	name := string(lx.data[start:lx.pos])
	sep := false
	if strings.HasSuffix(name, ":") {
		name = name[:len(name)-1]
		sep = true
	}
	e.key = name
	lx.skipSpaceTab()
	if c, ok := lx.peek(); ok && !sep && (c == '=' || c == ':') {
		lx.pos++
		lx.skipSpaceTab()
		sep = true
	}
	e.noSep = !sep
	c, ok := lx.peek()
	switch {
	case !ok || c == '\n':
		e.bare = true
		return e, nil
	case c == '\r' && lx.pos+1 < len(lx.data) && lx.data[lx.pos+1] == '\n':
		lx.noteCRLF()
		lx.pos++
		e.bare = true
		return e, nil
	case c == '"' || c == '\'':
		e.quoted = true
		v, err := lx.readQuoted(c)
		if err != nil {
			return e, err
		}
		e.value = v
	default:
		v, err := lx.readUnquoted(e.key)
		if err != nil {
			return e, err
		}
		e.value = v
	}
	if !utf8.ValidString(e.value) {
		return e, lx.errorf(e.line, "%s: value is not valid UTF-8", e.key)
	}
	if strings.IndexByte(e.value, 0) >= 0 {
		return e, lx.errorf(e.line, "%s: NUL byte in value", e.key)
	}
	return e, nil
}

func (lx *lexer) noteCRLF() {
	if !lx.crlfSeen {
		lx.crlfSeen = true
		lx.warnf(lx.line, "CRLF line endings: the '\\r' is removed (certtool keeps it in the value, e.g. CN=\"name\\r\")")
	}
}

// readUnquoted reads an unquoted value up to the end of the line.
func (lx *lexer) readUnquoted(key string) (string, error) {
	line := lx.line
	var b strings.Builder
	for lx.pos < len(lx.data) {
		c := lx.data[lx.pos]
		if c == '\n' {
			break
		}
		if c == '\\' {
			if lx.pos+1 >= len(lx.data) {
				lx.warnf(lx.line, "%s: '\\' at the end of the file is dropped", key)
				lx.pos++
				continue
			}
			n := lx.data[lx.pos+1]
			if n == '\n' {
				lx.warnf(lx.line, "%s: '\\' at the end of the line puts a newline into the value and continues it on the next line", key)
				b.WriteByte('\n')
				lx.pos += 2
				lx.line++
				continue
			}
			if n == '\r' && lx.pos+2 < len(lx.data) && lx.data[lx.pos+2] == '\n' {
				lx.noteCRLF()
				lx.warnf(lx.line, "%s: '\\' at the end of the line puts a newline into the value and continues it on the next line", key)
				b.WriteByte('\n')
				lx.pos += 3
				lx.line++
				continue
			}
			lx.warnf(lx.line, "%s: %q is dropped entirely, as certtool does (write the character without '\\')", key, string([]byte{'\\', n}))
			lx.pos += 2
			continue
		}
		b.WriteByte(c)
		lx.pos++
	}
	v := b.String()
	if strings.HasSuffix(v, "\r") && lx.pos < len(lx.data) {
		lx.noteCRLF()
		v = v[:len(v)-1]
	}
	if i := strings.Index(v, "#"); i > 0 && (v[i-1] == ' ' || v[i-1] == '\t') {
		lx.warnf(line, "%s: '#' after the value is part of the value, not a comment (certtool reads it the same way); quote the value to add a comment", key)
	}
	if t := strings.TrimRight(v, " \t\v\f\r"); t != v {
		lx.warnf(line, "%s: trailing whitespace removed from the value (certtool keeps it; quote the value to keep it)", key)
		v = t
	}
	return v, nil
}

// readQuoted reads a quoted value and checks the rest of its line.
func (lx *lexer) readQuoted(q byte) (string, error) {
	open := lx.line
	lx.pos++ // opening quote
	var b strings.Builder
	for {
		if lx.pos >= len(lx.data) {
			return "", lx.errorf(open, "unterminated %c quote (certtool would read the rest of the file into this value)", q)
		}
		c := lx.data[lx.pos]
		switch {
		case c == q:
			lx.pos++
			return b.String(), lx.afterQuote()
		case c == '\\' && lx.pos+1 < len(lx.data):
			n := lx.data[lx.pos+1]
			switch {
			case n == '\n':
				b.WriteByte(' ')
				lx.line++
				lx.pos += 2
			case n == '\r' && lx.pos+2 < len(lx.data) && lx.data[lx.pos+2] == '\n':
				lx.noteCRLF()
				b.WriteByte(' ')
				lx.line++
				lx.pos += 3
			case n == q:
				b.WriteByte(q)
				lx.pos += 2
			default:
				lx.warnf(lx.line, "%q inside quotes is dropped entirely, as certtool does (a literal backslash cannot be written)", string([]byte{'\\', n}))
				lx.pos += 2
			}
		case c == '\n':
			lx.warnf(lx.line, "quoted value continues on the next line and contains a newline")
			b.WriteByte('\n')
			lx.line++
			lx.pos++
		case c == '\r' && lx.pos+1 < len(lx.data) && lx.data[lx.pos+1] == '\n':
			lx.noteCRLF()
			lx.pos++
		default:
			b.WriteByte(c)
			lx.pos++
		}
	}
}

// afterQuote accepts only blanks or a comment after a closing quote.
func (lx *lexer) afterQuote() error {
	lx.skipSpaceTab()
	c, ok := lx.peek()
	switch {
	case !ok || c == '\n':
		return nil
	case c == '\r' && lx.pos+1 < len(lx.data) && lx.data[lx.pos+1] == '\n':
		lx.noteCRLF()
		lx.pos++
		return nil
	case c == '#':
		lx.skipToEOL()
		return nil
	}
	start := lx.pos
	lx.skipToEOL()
	rest := strings.TrimRight(string(lx.data[start:lx.pos]), "\r")
	return lx.errorf(lx.line, "text after the closing quote: %q (certtool would read it as another key or stop reading the file)", rest)
}
