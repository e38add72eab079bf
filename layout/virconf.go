package layout

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// ValueType is the type of a configuration value, as virConf knows them.
type ValueType int

// The value types of libvirt's configuration syntax.
const (
	// Unsigned is a number written without a leading '-' ("1", "+5").
	Unsigned ValueType = iota + 1
	// Signed is a number written with a leading '-'.
	Signed
	// String is a quoted string ('...', "..." or """...""").
	String
	// List is a bracketed, comma-separated list of values.
	List
)

// String names the type for messages: number, string or list.
func (t ValueType) String() string {
	switch t {
	case Unsigned, Signed:
		return "number"
	case String:
		return "string"
	case List:
		return "list"
	}
	return "unknown"
}

// Value is one parsed configuration value.
type Value struct {
	Type ValueType
	// Int holds numbers; like libvirt, digits beyond the range of a 64-bit
	// integer wrap around silently.
	Int  int64
	Str  string
	List []Value
}

// Entry is one "name = value" statement with the line it starts on.
type Entry struct {
	Name  string
	Value Value
	Line  int
}

// Conf is a parsed libvirt configuration file (libvirtd.conf, qemu.conf,
// libvirt.conf): every statement in file order, unknown names included.
type Conf struct {
	// Name is the file name used in messages.
	Name    string
	Entries []Entry
}

// ConfError is a syntax or type error in a configuration file. Error()
// gives "NAME:LINE: message", libvirt's own format.
type ConfError struct {
	Name string
	Line int
	Msg  string
}

// Error returns "NAME:LINE: message" (or "NAME: message" without a line).
func (e *ConfError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Name, e.Msg)
}

// MaxConfSize is the size libvirt reads a configuration file up to
// (virConfReadFile's 10 MiB sanity limit).
const MaxConfSize = 10 * 1024 * 1024

// ParseConf parses data in libvirt's configuration syntax exactly as
// virConfParse does (without the VMX/LXC dialects): statements
// "name = value" separated by newlines or ';'; names start with an ASCII
// letter and continue with letters, digits and '_'; values are strings in
// single or double quotes (one line, no escapes), triple-quoted strings
// ("""...""", may span lines), integers with an optional sign, and lists
// "[ v, v, ]" that may span lines (a trailing comma is allowed; comments
// are NOT allowed inside a list, as in libvirt). '#' starts a comment at
// the start of a statement or after a value. Errors are *ConfError with
// libvirt's messages ("expecting a value", "unterminated string", ...) and
// the line libvirt reports.
func ParseConf(name string, data []byte) (*Conf, error) {
	if len(data) > MaxConfSize {
		return nil, &ConfError{Name: name, Msg: fmt.Sprintf("file is larger than %d bytes", MaxConfSize)}
	}
	p := &confParser{name: name, s: data, line: 1}
	conf := &Conf{Name: name}
	for p.pos < len(p.s) {
		e, ok, err := p.statement()
		if err != nil {
			return nil, err
		}
		if ok {
			conf.Entries = append(conf.Entries, e)
		}
		if err := p.separator(); err != nil {
			return nil, err
		}
	}
	return conf, nil
}

type confParser struct {
	name string
	s    []byte
	pos  int
	line int
}

// cur returns the current byte, or 0 at the end (libvirt reads the NUL
// terminator there).
func (p *confParser) cur() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *confParser) errorf(format string, args ...any) error {
	return &ConfError{Name: p.name, Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }
func isEOL(c byte) bool   { return c == '\n' || c == '\r' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func (p *confParser) skipBlanks() {
	for p.pos < len(p.s) && isBlank(p.s[p.pos]) {
		p.pos++
	}
}

func (p *confParser) skipBlanksAndEOL() {
	for p.pos < len(p.s) && (isBlank(p.s[p.pos]) || isEOL(p.s[p.pos])) {
		if p.s[p.pos] == '\n' {
			p.line++
		}
		p.pos++
	}
}

func (p *confParser) skipToEOL() {
	for p.pos < len(p.s) && !isEOL(p.s[p.pos]) {
		p.pos++
	}
}

// statement parses a comment (ok=false) or a "name = value" entry.
func (p *confParser) statement() (Entry, bool, error) {
	p.skipBlanksAndEOL()
	if p.cur() == '#' {
		p.skipToEOL()
		return Entry{}, false, nil
	}
	p.skipBlanks()
	start := p.pos
	if !isAlpha(p.cur()) {
		return Entry{}, false, p.errorf("expecting a name")
	}
	for p.pos < len(p.s) && (isAlpha(p.s[p.pos]) || isDigit(p.s[p.pos]) || p.s[p.pos] == '_') {
		p.pos++
	}
	e := Entry{Name: string(p.s[start:p.pos]), Line: p.line}
	p.skipBlanks()
	if p.cur() != '=' {
		return Entry{}, false, p.errorf("expecting an assignment")
	}
	p.pos++
	p.skipBlanks()
	v, err := p.value()
	if err != nil {
		return Entry{}, false, err
	}
	e.Value = v
	p.skipBlanks()
	if p.cur() == '#' {
		p.skipToEOL()
	}
	return e, true, nil
}

func (p *confParser) separator() error {
	p.skipBlanks()
	if p.pos >= len(p.s) {
		return nil
	}
	switch c := p.s[p.pos]; {
	case isEOL(c):
		p.skipBlanksAndEOL()
	case c == ';':
		p.pos++
		p.skipBlanksAndEOL()
	default:
		return p.errorf("expecting a separator")
	}
	return nil
}

func (p *confParser) value() (Value, error) {
	p.skipBlanks()
	if p.pos >= len(p.s) {
		return Value{}, p.errorf("expecting a value")
	}
	switch c := p.s[p.pos]; {
	case c == '"' || c == '\'':
		s, err := p.str()
		return Value{Type: String, Str: s}, err
	case c == '[':
		return p.list()
	case isDigit(c) || c == '-' || c == '+':
		return p.number()
	}
	return Value{}, p.errorf("expecting a value")
}

func (p *confParser) str() (string, error) {
	q := p.s[p.pos]
	if q == '"' && len(p.s)-p.pos > 6 && bytes.HasPrefix(p.s[p.pos:], []byte(`"""`)) {
		p.pos += 3
		start := p.pos
		for p.pos+2 < len(p.s) && !bytes.HasPrefix(p.s[p.pos:], []byte(`"""`)) {
			if p.s[p.pos] == '\n' {
				p.line++
			}
			p.pos++
		}
		if !bytes.HasPrefix(p.s[p.pos:], []byte(`"""`)) {
			return "", p.errorf("unterminated string")
		}
		s := string(p.s[start:p.pos])
		p.pos += 3
		return s, nil
	}
	p.pos++
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] != q && !isEOL(p.s[p.pos]) {
		p.pos++
	}
	if p.cur() != q {
		return "", p.errorf("unterminated string")
	}
	s := string(p.s[start:p.pos])
	p.pos++
	return s, nil
}

func (p *confParser) number() (Value, error) {
	v := Value{Type: Unsigned}
	neg := false
	switch p.cur() {
	case '-':
		neg = true
		v.Type = Signed
		p.pos++
	case '+':
		p.pos++
	}
	if !isDigit(p.cur()) {
		return Value{}, p.errorf("unterminated number")
	}
	var n uint64
	for p.pos < len(p.s) && isDigit(p.s[p.pos]) {
		n = n*10 + uint64(p.s[p.pos]-'0')
		p.pos++
	}
	v.Int = int64(n)
	if neg {
		v.Int = -v.Int
	}
	return v, nil
}

func (p *confParser) list() (Value, error) {
	v := Value{Type: List, List: []Value{}}
	p.pos++ // '['
	p.skipBlanksAndEOL()
	if p.pos < len(p.s) && p.s[p.pos] != ']' {
		item, err := p.value()
		if err != nil {
			return Value{}, err
		}
		v.List = append(v.List, item)
		p.skipBlanksAndEOL()
	}
	for p.pos < len(p.s) && p.s[p.pos] != ']' {
		if p.s[p.pos] != ',' {
			return Value{}, p.errorf("expecting a separator in list")
		}
		p.pos++
		p.skipBlanksAndEOL()
		if p.cur() == ']' {
			break
		}
		item, err := p.value()
		if err != nil {
			return Value{}, err
		}
		v.List = append(v.List, item)
		p.skipBlanksAndEOL()
	}
	if p.cur() != ']' {
		return Value{}, p.errorf("list is not closed with ]")
	}
	p.pos++
	return v, nil
}

// Lookup returns the entry for name. Like virConfGetValue, the FIRST
// statement with that name wins; later duplicates are ignored.
func (c *Conf) Lookup(name string) (Entry, bool) {
	if c == nil {
		return Entry{}, false
	}
	for _, e := range c.Entries {
		if e.Name == name {
			return e, true
		}
	}
	return Entry{}, false
}

// Has reports whether name is set (to any value, also an empty string).
func (c *Conf) Has(name string) bool {
	_, ok := c.Lookup(name)
	return ok
}

// GetString returns a string setting; set is false when name is absent.
// A value of another type is an error worded as libvirt's
// virConfGetValueString ("expected a string for 'NAME' parameter").
func (c *Conf) GetString(name string) (s string, set bool, err error) {
	e, ok := c.Lookup(name)
	if !ok {
		return "", false, nil
	}
	if e.Value.Type != String {
		return "", true, c.typeError(e, "expected a string for '%s' parameter")
	}
	return e.Value.Str, true, nil
}

// GetBool returns a boolean setting, which libvirt writes as 0 or 1
// (virConfGetValueBool: a string, a list, a negative number or a number
// above 1 is an error).
func (c *Conf) GetBool(name string) (b bool, set bool, err error) {
	e, ok := c.Lookup(name)
	if !ok {
		return false, false, nil
	}
	if e.Value.Type != Unsigned {
		return false, true, c.typeError(e, "expected a bool for '%s' parameter")
	}
	if uint64(e.Value.Int) > 1 {
		return false, true, c.typeError(e, "value for '%s' parameter must be 0 or 1")
	}
	return e.Value.Int == 1, true, nil
}

// GetInt returns an integer setting.
func (c *Conf) GetInt(name string) (n int64, set bool, err error) {
	e, ok := c.Lookup(name)
	if !ok {
		return 0, false, nil
	}
	if e.Value.Type != Unsigned && e.Value.Type != Signed {
		return 0, true, c.typeError(e, "expected a number for '%s' parameter")
	}
	return e.Value.Int, true, nil
}

// GetStringList returns a list-of-strings setting. With compatString a
// single string counts as a one-element list (libvirt's compatString
// flag); otherwise it is an error, as for tls_allowed_dn_list.
func (c *Conf) GetStringList(name string, compatString bool) (list []string, set bool, err error) {
	e, ok := c.Lookup(name)
	if !ok {
		return nil, false, nil
	}
	switch e.Value.Type {
	case List:
		out := make([]string, 0, len(e.Value.List))
		for _, v := range e.Value.List {
			if v.Type != String {
				return nil, true, c.typeError(e, "expected a string list for '%s' parameter")
			}
			out = append(out, v.Str)
		}
		return out, true, nil
	case String:
		if compatString {
			return []string{e.Value.Str}, true, nil
		}
	}
	if compatString {
		return nil, true, c.typeError(e, "expected a string or string list for '%s' parameter")
	}
	return nil, true, c.typeError(e, "expected a string list for '%s' parameter")
}

func (c *Conf) typeError(e Entry, format string) error {
	return &ConfError{Name: c.Name, Line: e.Line, Msg: fmt.Sprintf(format, e.Name)}
}

// Format renders a value in configuration syntax (strings quoted the way
// virConfSaveValue picks quotes), for messages and round trips.
func (v Value) Format() string {
	switch v.Type {
	case Unsigned:
		return strconv.FormatUint(uint64(v.Int), 10)
	case Signed:
		return "-" + strconv.FormatUint(uint64(-v.Int), 10)
	case String:
		switch {
		case strings.Contains(v.Str, "\n"):
			return `"""` + v.Str + `"""`
		case !strings.Contains(v.Str, `"`):
			return `"` + v.Str + `"`
		case !strings.Contains(v.Str, "'"):
			return "'" + v.Str + "'"
		}
		return `"""` + v.Str + `"""`
	case List:
		parts := make([]string, len(v.List))
		for i, item := range v.List {
			parts[i] = item.Format()
		}
		return "[ " + strings.Join(parts, ", ") + " ]"
	}
	return ""
}
