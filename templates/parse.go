package templates

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/virt-pki/virt-pki/internal/fileread"
)

// MaxTemplateSize caps the size of a template file; certtool templates are a
// few hundred bytes.
const MaxTemplateSize = 1 << 20

// ParseFile reads and parses the template at path; errors and warnings name
// the file as path.
func ParseFile(path string) (*Template, error) {
	data, err := fileread.ReadCapped(path, MaxTemplateSize)
	if errors.Is(err, fileread.ErrTooLarge) {
		return nil, &Error{Name: path, Message: fmt.Sprintf("template is larger than %d bytes", MaxTemplateSize)}
	}
	if err != nil {
		return nil, &Error{Name: path, Message: "cannot read template: " + err.Error()}
	}
	return Parse(path, data)
}

// Parse parses template text. name is used in messages ("server.info").
// It returns a one-line *Error for anything certtool would reject or
// silently misread; Template.Warnings holds the non-fatal findings.
func Parse(name string, data []byte) (*Template, error) {
	lx := &lexer{name: name, data: data}
	entries, err := lx.tokenize()
	if err != nil {
		return nil, err
	}
	t := &Template{Name: name, lines: map[string]int{}}
	p := &parser{t: t, name: name, firstLine: map[string]int{}}
	for _, e := range entries {
		if err := p.apply(e); err != nil {
			return nil, err
		}
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	t.Warnings = append(append(lx.warnings, p.warnings...), t.Lint()...)
	sortWarnings(t.Warnings)
	return t, nil
}

type parser struct {
	t         *Template
	name      string
	firstLine map[string]int // first line of each key seen
	policyOID [maxPolicies + 1]string
	policyTxt [maxPolicies + 1]string
	policyURL [maxPolicies + 1]string
	warnings  []Warning
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &Error{Name: p.name, Line: line, Message: clip(fmt.Sprintf(format, args...))}
}

func (p *parser) apply(e entry) error {
	k, known := keyKinds[e.key]
	if !known {
		return p.unknownKey(e)
	}
	if first, seen := p.firstLine[e.key]; seen && k != kindMulti && k != kindPair {
		return p.errorf(e.line, "%s is set twice (first on line %d); certtool would silently use the first value", e.key, first)
	}
	if _, seen := p.firstLine[e.key]; !seen {
		p.firstLine[e.key] = e.line
		p.t.lines[e.key] = e.line
	}
	if k == kindBool {
		// "ca # comment": certtool ignores the value, and so is it meant.
		if !e.bare && !(strings.HasPrefix(e.value, "#") && !e.quoted) {
			return p.errorf(e.line, "%s: boolean keys take no value (certtool ignores %q and sets it anyway); remove the line to disable", e.key, e.value)
		}
		return p.setBool(e.key)
	}
	if e.value == "" {
		return p.errorf(e.line, "%s needs a value", e.key)
	}
	if e.noSep {
		return p.errorf(e.line, "missing '=' after %s; certtool would read the value %q (%s)", e.key, e.value, separatorFix(e))
	}
	if err := p.setValue(k, e); err != nil {
		return p.errorf(e.line, "%s: %s", e.key, err.Error())
	}
	return nil
}

// separatorFix tells how to add the missing '=' of e. The corrected line is
// spelled out only for a one-line unquoted value, where it is exactly what
// certtool needs; a quoted value keeps its quotes and a value continued over
// several lines cannot be shown on the one line an error has.
func separatorFix(e entry) string {
	if e.quoted || strings.ContainsAny(e.value, "\r\n") {
		return fmt.Sprintf("put '=' between %s and its value", e.key)
	}
	return fmt.Sprintf("write \"%s = %s\"", e.key, e.value)
}

func (p *parser) unknownKey(e entry) error {
	lower := strings.ToLower(e.key)
	if _, ok := keyKinds[lower]; ok {
		return p.errorf(e.line, "unknown key %q: keys are lower-case: did you mean %s? (certtool silently ignores it)", e.key, lower)
	}
	if i := strings.IndexByte(e.key, ':'); i > 0 {
		if _, ok := keyKinds[strings.ToLower(e.key[:i])]; ok {
			return p.errorf(e.line, "unknown key %q: certtool reads a ':' without a following blank as part of the key; write \"%s = %s\"", e.key, e.key[:i], e.key[i+1:])
		}
	}
	if strings.HasPrefix(lower, "policy") {
		return p.errorf(e.line, "unknown key %q: certtool supports policy1..policy%d with _txt and _url (and silently ignores other policy* keys)", e.key, maxPolicies)
	}
	return p.errorf(e.line, "unknown key %q: did you mean %s?", e.key, closestKey(e.key))
}

// finish applies the checks that need the whole file.
func (p *parser) finish() error {
	t := p.t
	for _, pair := range [][2]string{{"organization", "o"}, {"unit", "ou"}} {
		if l, ok := p.firstLine[pair[1]]; ok {
			if _, both := p.firstLine[pair[0]]; both {
				return p.errorf(l, "%s and %s are the same attribute and both are set; certtool would silently ignore every %s line", pair[0], pair[1], pair[1])
			}
		}
	}
	end := 0
	for n := 1; n <= maxPolicies; n++ {
		if p.policyOID[n] == "" {
			break
		}
		end = n
	}
	for n := 1; n <= maxPolicies; n++ {
		key := "policy" + strconv.Itoa(n)
		if p.policyOID[n] != "" && n > end {
			return p.errorf(p.firstLine[key], "%s without policy%d: certtool stops at the first missing number and would ignore it", key, end+1)
		}
		for _, suffix := range []string{"_txt", "_url"} {
			if l, ok := p.firstLine[key+suffix]; ok && p.policyOID[n] == "" {
				return p.errorf(l, "%s%s without %s: certtool would ignore it", key, suffix, key)
			}
		}
	}
	for n := 1; n <= end; n++ {
		oid, _ := parseOID(p.policyOID[n])
		t.Policies = append(t.Policies, Policy{OID: oid, Text: p.policyTxt[n], URL: p.policyURL[n]})
	}
	return nil
}
