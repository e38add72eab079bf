package expiry

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// sampleRecords covers every status and kind, with a certificate repeated
// in one file and characters that need escaping in every format.
func sampleRecords(t *testing.T) []Record {
	f := newFixtures(t)
	var recs []Record
	recs = append(recs, ParseFile(`/pki/we"ird <&> \dir/bundle.pem`, append(append(f.ca.CertPEM(), f.ca.CertPEM()...), f.soon.CertPEM()...), policy(), false)...)
	recs = append(recs, ParseFile("/pki/warn.pem", f.warn.CertPEM(), policy(), false)...)
	recs = append(recs, ParseFile("/pki/expired.pem", f.expired.CertPEM(), policy(), false)...)
	recs = append(recs, ParseFile("/pki/future.pem", f.future.CertPEM(), policy(), false)...)
	recs = append(recs, ParseFile("/pki/garbage.crt", []byte("\x00\x01garbage\n"), policy(), false)...)
	recs = append(recs, ParseFile("/pki/garbage2.crt", []byte("more garbage"), policy(), false)...)
	Sort(recs)
	return recs
}

func render(t *testing.T, recs []Record, mk func(*bytes.Buffer) (Report, error)) []byte {
	t.Helper()
	var buf bytes.Buffer
	rep, err := mk(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var sum Summary
	for _, r := range recs {
		sum.Add(r)
		if err := rep.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := rep.Close(sum); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestJSONReportShape(t *testing.T) {
	recs := sampleRecords(t)
	out := render(t, recs, func(b *bytes.Buffer) (Report, error) { return NewJSON(b, policy()), nil })
	var doc JSONReport
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, out)
	}
	if len(doc.Certificates) != len(recs) || doc.At != "2030-01-01T00:00:00Z" || doc.Warn != "30d" || doc.Fail != "7d" {
		t.Fatalf("doc = %+v", doc)
	}
	if doc.Summary != (Summary{OK: 2, Warn: 1, Fail: 3, Error: 2}) {
		t.Errorf("summary = %+v", doc.Summary)
	}
	var generic map[string][]map[string]any
	_ = json.Unmarshal(out, &generic)
	for _, key := range []string{"path", "subject", "issuer", "serial", "not_after", "days_left", "status", "reason"} {
		if _, ok := generic["certificates"][0][key]; !ok {
			t.Errorf("certificate objects lack %q", key)
		}
	}
	empty := render(t, nil, func(b *bytes.Buffer) (Report, error) { return NewJSON(b, policy()), nil })
	if err := json.Unmarshal(empty, &doc); err != nil || len(doc.Certificates) != 0 {
		t.Errorf("empty report: %v\n%s", err, empty)
	}
}

func TestPrometheusReportParsesWithExporterNames(t *testing.T) {
	recs := sampleRecords(t)
	out := render(t, recs, func(b *bytes.Buffer) (Report, error) { return NewPrometheus(b, policy()) })
	// The legacy scheme is what node exporter's textfile collector and
	// older Prometheus servers accept.
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("expfmt rejects the output: %v\n%s", err, out)
	}
	var names []string
	for n := range fams {
		names = append(names, n)
	}
	sort.Strings(names)
	if got := strings.Join(names, " "); got != "x509_cert_error x509_cert_expired x509_cert_not_after x509_cert_not_before x509_read_errors" {
		t.Fatalf("families = %s", got)
	}
	wantLabels := "filename filepath issuer issuer_C issuer_CN issuer_L issuer_O issuer_OU issuer_ST serial_number subject subject_C subject_CN subject_L subject_O subject_OU subject_ST"
	for _, name := range []string{"x509_cert_not_after", "x509_cert_not_before", "x509_cert_expired"} {
		fam := fams[name]
		// bundle.pem repeats the CA: exported once, so 5 certificates.
		if len(fam.Metric) != 5 {
			t.Errorf("%s has %d series, want 5", name, len(fam.Metric))
		}
		for _, m := range fam.Metric {
			var got []string
			for _, l := range m.Label {
				got = append(got, l.GetName())
			}
			if strings.Join(got, " ") != wantLabels {
				t.Errorf("%s labels = %v", name, got)
			}
		}
	}
	series := map[string]float64{}
	for _, m := range fams["x509_cert_expired"].Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		series[labels["subject_CN"]+"/"+labels["serial_number"]] = m.GetGauge().GetValue()
		if labels["subject_CN"] == "soon" {
			if labels["filepath"] != `/pki/we"ird <&> \dir/bundle.pem` || labels["filename"] != "bundle.pem" || labels["subject_O"] != "Example" || labels["issuer_CN"] != "Test CA" {
				t.Errorf("labels = %v", labels)
			}
		}
	}
	if series["expired/4"] != 1 || series["soon/2"] != 0 || series["future/5"] != 0 {
		t.Errorf("x509_cert_expired = %v", series)
	}
	for _, m := range fams["x509_cert_not_after"].Metric {
		for _, l := range m.Label {
			if l.GetName() == "serial_number" && l.GetValue() == "2" && m.GetGauge().GetValue() != float64(day(2030, 1, 5).Unix()) {
				t.Errorf("not_after of soon = %v", m.GetGauge().GetValue())
			}
		}
	}
	if v := fams["x509_read_errors"].Metric[0].GetGauge().GetValue(); v != 2 {
		t.Errorf("x509_read_errors = %v", v)
	}
	if n := len(fams["x509_cert_error"].Metric); n != 2 {
		t.Errorf("x509_cert_error has %d series", n)
	}
	for _, fam := range fams {
		if fam.GetType().String() != "GAUGE" {
			t.Errorf("%s is %s", fam.GetName(), fam.GetType())
		}
		for _, m := range fam.Metric {
			for _, l := range m.Label {
				if !model.LabelName(l.GetName()).IsValidLegacy() {
					t.Errorf("label name %q is not a legacy Prometheus name", l.GetName())
				}
			}
		}
	}
}

// TestJUnitReportValidatesAgainstSchema checks the JUnit report against the
// Jenkins xUnit plugin's junit-10.xsd with xmllint (skipped only when
// xmllint is not installed; CI installs libxml2-utils).
func TestJUnitReportValidatesAgainstSchema(t *testing.T) {
	recs := sampleRecords(t)
	out := render(t, recs, func(b *bytes.Buffer) (Report, error) { return NewJUnit(b, policy()) })
	s := string(out)
	for _, want := range []string{
		`<testsuites name="virt-pki expiry" tests="8" failures="3" errors="2" time="0">`,
		`skipped="1"`,
		`<failure type="expired" message="certificate expired 2020-01-01 00:00 UTC (3653 days ago)">`,
		`<failure type="not-yet-valid"`,
		`<failure type="within-fail"`,
		`<skipped type="within-warn" message="certificate expires 2030-01-20 00:00 UTC (in 19 days), within --warn 30d">`,
		`<error type="unreadable"`,
		`classname="/pki/we&quot;ird &lt;&amp;&gt; \dir/bundle.pem"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("JUnit output lacks %s", want)
		}
	}
	if got := escapeXML("a\x00b\n\"<", true); got != "a\uFFFDb&#xA;&quot;&lt;" {
		t.Errorf("escapeXML = %q", got)
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (apt-get install libxml2-utils); schema validation skipped")
	}
	for name, doc := range map[string][]byte{
		"sample": out,
		"empty":  render(t, nil, func(b *bytes.Buffer) (Report, error) { return NewJUnit(b, policy()) }),
	} {
		file := filepath.Join(t.TempDir(), name+".xml")
		if err := os.WriteFile(file, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(xmllint, "--noout", "--schema", filepath.Join("..", "golden", "testdata", "expiry", "junit-10.xsd"), file)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s report does not validate: %v\n%s\n%s", name, err, msg, doc)
		}
	}
	// The schema check itself rejects a broken document.
	bad := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(bad, []byte(strings.Replace(s, `<testsuite name=`, `<testsuite nom=`, 1)), 0o644)
	if err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("..", "golden", "testdata", "expiry", "junit-10.xsd"), bad).Run(); err == nil {
		t.Error("xmllint accepted a testsuite without a name")
	}
}
