package expiry

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// junitReport writes JUnit XML as the Jenkins xUnit plugin's junit-10.xsd
// describes it (the dialect GitLab, GitHub Actions reporters and Jenkins
// read): one <testsuite> inside <testsuites>, one <testcase> per record.
// Fail records carry <failure>, Error records <error>, and Warn records
// <skipped> — shown by every reader, but not failing the build; each
// testcase's <system-out> lists the certificate's details.
type junitReport struct {
	w    io.Writer
	p    Policy
	body *spool
	err  error
}

// NewJUnit returns a report writing JUnit XML to w.
func NewJUnit(w io.Writer, p Policy) (Report, error) {
	s, err := newSpool()
	if err != nil {
		return nil, err
	}
	return &junitReport{w: w, p: p, body: s}, nil
}

func (j *junitReport) Add(r Record) error {
	if j.err != nil {
		return j.err
	}
	b := j.body
	b.WriteString("    <testcase")
	attr(b, "name", junitName(r))
	attr(b, "classname", r.Path)
	b.WriteString(` time="0">` + "\n")
	if r.Status != OK {
		elem := map[Status]string{Warn: "skipped", Fail: "failure", Error: "error"}[r.Status]
		b.WriteString("      <" + elem)
		attr(b, "type", j.p.Problem(r))
		attr(b, "message", r.Reason)
		b.WriteString(">")
		text(b, r.Reason)
		b.WriteString("</" + elem + ">\n")
	}
	b.WriteString("      <system-out>")
	text(b, junitDetails(r, j.p))
	b.WriteString("</system-out>\n    </testcase>\n")
	return nil
}

func junitName(r Record) string {
	var name string
	switch r.Kind {
	case Certificate:
		name = r.Subject()
		if name == "" {
			name = "certificate with an empty subject"
		}
	case CRL:
		name = "CRL issued by " + r.Issuer()
	default:
		name = "unreadable source"
	}
	if r.Count > 1 {
		name = fmt.Sprintf("#%d %s", r.Index+1, name)
	}
	return name
}

func junitDetails(r Record, p Policy) string {
	var b strings.Builder
	fmt.Fprintf(&b, "path: %s\n", r.Path)
	if r.Kind != Source {
		fmt.Fprintf(&b, "kind: %s\n", r.Kind)
	}
	if s := r.Subject(); s != "" {
		fmt.Fprintf(&b, "subject: %s\n", s)
	}
	if s := r.Issuer(); s != "" {
		fmt.Fprintf(&b, "issuer: %s\n", s)
	}
	if r.Serial != "" {
		fmt.Fprintf(&b, "serial: %s\n", r.Serial)
	}
	if s := rfc3339(r.NotBefore); s != "" {
		fmt.Fprintf(&b, "not before: %s\n", s)
	}
	if s := rfc3339(r.NotAfter); s != "" {
		fmt.Fprintf(&b, "not after: %s\n", s)
	}
	if d, ok := r.DaysLeft(p.At); ok {
		fmt.Fprintf(&b, "days left: %d\n", d)
	}
	fmt.Fprintf(&b, "status: %s\n", r.Status)
	if r.Reason != "" {
		fmt.Fprintf(&b, "reason: %s\n", r.Reason)
	}
	return b.String()
}

func (j *junitReport) Close(sum Summary) error {
	defer j.body.discard()
	w := bufio.NewWriter(j.w)
	tests, failures, errors, skipped := sum.Total(), sum.Fail, sum.Error, sum.Warn
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	fmt.Fprintf(w, `<testsuites name="virt-pki expiry" tests="%d" failures="%d" errors="%d" time="0">`+"\n", tests, failures, errors)
	fmt.Fprintf(w, `  <testsuite name="virt-pki expiry" tests="%d" failures="%d" errors="%d" skipped="%d" time="0"`, tests, failures, errors, skipped)
	attr(w, "timestamp", j.p.At.UTC().Format("2006-01-02T15:04:05"))
	w.WriteString(">\n    <properties>\n")
	for _, kv := range [][2]string{{"at", rfc3339(j.p.At)}, {"warn", j.p.Warn.String()}, {"fail", j.p.Fail.String()}} {
		w.WriteString("      <property")
		attr(w, "name", kv[0])
		attr(w, "value", kv[1])
		w.WriteString("/>\n")
	}
	w.WriteString("    </properties>\n")
	if err := w.Flush(); err != nil {
		return err
	}
	if err := j.body.copyTo(j.w); err != nil {
		return err
	}
	_, err := io.WriteString(j.w, "  </testsuite>\n</testsuites>\n")
	return err
}

// attr writes ` name="value"` with value escaped for an XML attribute.
func attr(w io.StringWriter, name, value string) {
	w.WriteString(" " + name + `="`)
	w.WriteString(escapeXML(value, true))
	w.WriteString(`"`)
}

// text writes s escaped for XML character data.
func text(w io.StringWriter, s string) { w.WriteString(escapeXML(s, false)) }

// escapeXML escapes the XML metacharacters; characters XML 1.0 cannot
// carry become U+FFFD. In attributes, tabs and line ends are written as
// character references so that readers keep them.
func escapeXML(s string, inAttr bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case inAttr && r == '\n':
			b.WriteString("&#xA;")
		case inAttr && r == '\r':
			b.WriteString("&#xD;")
		case inAttr && r == '\t':
			b.WriteString("&#x9;")
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) || r == utf8.RuneError:
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
