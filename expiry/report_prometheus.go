package expiry

import (
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"path/filepath"
	"strings"
)

// The Prometheus report speaks the text exposition format for node
// exporter's textfile collector, with the metric and label names of enix's
// x509-certificate-exporter so that its alert rules and dashboards work
// unchanged:
//
//	x509_cert_not_after, x509_cert_not_before  Unix seconds
//	x509_cert_expired                          1 when expired at --at, else 0
//	x509_cert_error                            1 per source that could not be read
//	x509_read_errors                           number of sources that could not be read
//	x509_crl_next_update, x509_crl_this_update Unix seconds (CRLs)
//	x509_crl_stale                             1 when the next update is past
//
// Certificate labels: filename, filepath, serial_number (decimal, as the
// exporter prints it), subject_C/ST/L/O/OU/CN and issuer_C/ST/L/O/OU/CN
// (empty when absent), plus subject and issuer in libvirt's DN format (the
// string virt-pki dn prints). Every series of a family has the same label
// names. A certificate repeated in one file is exported once.
type promReport struct {
	w        io.Writer
	p        Policy
	families []*promFamily
	byName   map[string]*promFamily
	errors   int
	lastPath string
	seen     map[string]bool // label sets exported for lastPath
	err      error
}

type promFamily struct {
	name, help string
	body       *spool
	n          int
}

var promFamilies = [][2]string{
	{"x509_cert_not_after", "Unix time at which the certificate stops being valid (notAfter)."},
	{"x509_cert_not_before", "Unix time at which the certificate becomes valid (notBefore)."},
	{"x509_cert_expired", "1 if the certificate had expired at the time of the scan, else 0."},
	{"x509_cert_error", "1 for a file or endpoint that could not be read or holds no certificate."},
	{"x509_crl_next_update", "Unix time by which the CRL issuer promised a new CRL (nextUpdate)."},
	{"x509_crl_this_update", "Unix time at which the CRL was issued (thisUpdate)."},
	{"x509_crl_stale", "1 if the CRL's next update was due at the time of the scan, else 0."},
}

// NewPrometheus returns a report writing the Prometheus text format to w.
func NewPrometheus(w io.Writer, p Policy) (Report, error) {
	r := &promReport{w: w, p: p, byName: map[string]*promFamily{}, seen: map[string]bool{}}
	for _, f := range promFamilies {
		s, err := newSpool()
		if err != nil {
			r.discard()
			return nil, err
		}
		fam := &promFamily{name: f[0], help: f[1], body: s}
		r.families = append(r.families, fam)
		r.byName[fam.name] = fam
	}
	return r, nil
}

func (r *promReport) discard() {
	for _, f := range r.families {
		f.body.discard()
	}
}

func (r *promReport) Add(rec Record) error {
	if r.err != nil {
		return r.err
	}
	var labels string
	switch {
	case rec.Status == Error:
		r.errors++
		labels = sourceLabels(rec.Path)
	case rec.Kind == CRL:
		labels = crlLabels(rec)
	default:
		labels = certLabels(rec)
	}
	if rec.Path != r.lastPath {
		r.lastPath = rec.Path
		clear(r.seen)
	}
	key := labels
	if rec.Status == Error {
		key = "error " + labels
	}
	if r.seen[key] {
		return nil
	}
	r.seen[key] = true
	if rec.Status == Error {
		r.sample("x509_cert_error", labels, 1)
		return nil
	}
	past := boolValue(!r.p.At.Before(rec.NotAfter) && !rec.NotAfter.IsZero())
	if rec.Kind == CRL {
		if !rec.NotAfter.IsZero() {
			r.sample("x509_crl_next_update", labels, rec.NotAfter.Unix())
		}
		r.sample("x509_crl_this_update", labels, rec.NotBefore.Unix())
		r.sample("x509_crl_stale", labels, past)
		return nil
	}
	r.sample("x509_cert_not_after", labels, rec.NotAfter.Unix())
	r.sample("x509_cert_not_before", labels, rec.NotBefore.Unix())
	r.sample("x509_cert_expired", labels, past)
	return nil
}

func boolValue(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (r *promReport) sample(family, labels string, v int64) {
	f := r.byName[family]
	f.n++
	if _, err := fmt.Fprintf(f.body, "%s{%s} %d\n", family, labels, v); err != nil && r.err == nil {
		r.err = err
	}
}

func (r *promReport) Close(Summary) error {
	defer r.discard()
	if r.err != nil {
		return r.err
	}
	for _, f := range r.families {
		if f.n == 0 {
			continue
		}
		if _, err := fmt.Fprintf(r.w, "# HELP %s %s\n# TYPE %s gauge\n", f.name, f.help, f.name); err != nil {
			return err
		}
		if err := f.body.copyTo(r.w); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(r.w, "# HELP x509_read_errors Number of files or endpoints that could not be read.\n# TYPE x509_read_errors gauge\nx509_read_errors %d\n", r.errors)
	return err
}

func sourceLabels(path string) string {
	var b strings.Builder
	label(&b, "filename", filepath.Base(path))
	label(&b, "filepath", path)
	return strings.TrimSuffix(b.String(), ",")
}

func certLabels(r Record) string {
	var b strings.Builder
	label(&b, "filename", filepath.Base(r.Path))
	label(&b, "filepath", r.Path)
	label(&b, "issuer", r.Issuer())
	nameLabels(&b, "issuer", r.IssuerName())
	label(&b, "serial_number", decimalSerial(r.Serial))
	label(&b, "subject", r.Subject())
	nameLabels(&b, "subject", r.SubjectName())
	return strings.TrimSuffix(b.String(), ",")
}

func crlLabels(r Record) string {
	var b strings.Builder
	label(&b, "filename", filepath.Base(r.Path))
	label(&b, "filepath", r.Path)
	label(&b, "issuer", r.Issuer())
	nameLabels(&b, "issuer", r.IssuerName())
	label(&b, "crl_number", decimalSerial(r.Serial))
	return strings.TrimSuffix(b.String(), ",")
}

// nameLabels writes the exporter's per-attribute labels (first value of
// each attribute, empty when absent).
func nameLabels(b *strings.Builder, prefix string, n pkix.Name) {
	first := func(v []string) string {
		if len(v) == 0 {
			return ""
		}
		return v[0]
	}
	label(b, prefix+"_C", first(n.Country))
	label(b, prefix+"_CN", n.CommonName)
	label(b, prefix+"_L", first(n.Locality))
	label(b, prefix+"_O", first(n.Organization))
	label(b, prefix+"_OU", first(n.OrganizationalUnit))
	label(b, prefix+"_ST", first(n.Province))
}

func label(b *strings.Builder, name, value string) {
	b.WriteString(name)
	b.WriteString(`="`)
	for _, c := range value {
		switch c {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteString(`",`)
}

func decimalSerial(hexSerial string) string {
	if hexSerial == "" {
		return ""
	}
	n, ok := new(big.Int).SetString(hexSerial, 16)
	if !ok {
		return hexSerial
	}
	return n.String()
}
