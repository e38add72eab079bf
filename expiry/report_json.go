package expiry

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"time"
)

// JSONRecord is one element of the JSON report's "certificates" array.
// Dates are RFC 3339 UTC; not_before, not_after and days_left are null when
// unknown (Error records, CRLs without a next update).
type JSONRecord struct {
	Path      string  `json:"path"`
	Index     int     `json:"index"`
	Kind      Kind    `json:"kind"`
	Subject   string  `json:"subject"`
	Issuer    string  `json:"issuer"`
	Serial    string  `json:"serial"`
	NotBefore *string `json:"not_before"`
	NotAfter  *string `json:"not_after"`
	DaysLeft  *int64  `json:"days_left"`
	Status    Status  `json:"status"`
	Reason    string  `json:"reason"`
}

// JSONReport is the whole JSON document, for readers of the report.
type JSONReport struct {
	At           string       `json:"at"`
	Warn         string       `json:"warn"`
	Fail         string       `json:"fail"`
	Certificates []JSONRecord `json:"certificates"`
	Summary      Summary      `json:"summary"`
}

// ToJSON converts r for the JSON report, judged at at.
func ToJSON(r Record, at time.Time) JSONRecord {
	j := JSONRecord{
		Path: r.Path, Index: r.Index, Kind: r.Kind,
		Subject: r.Subject(), Issuer: r.Issuer(), Serial: r.Serial,
		Status: r.Status, Reason: r.Reason,
	}
	if s := rfc3339(r.NotBefore); s != "" {
		j.NotBefore = &s
	}
	if s := rfc3339(r.NotAfter); s != "" {
		j.NotAfter = &s
	}
	if d, ok := r.DaysLeft(at); ok {
		j.DaysLeft = &d
	}
	return j
}

type jsonReport struct {
	w     *bufio.Writer
	p     Policy
	n     int
	buf   bytes.Buffer
	enc   *json.Encoder
	err   error
	begun bool
}

// NewJSON returns a report that streams the JSON document
// {"at","warn","fail","certificates":[...],"summary":{ok,warn,fail,error}}
// to w, one record as it is added.
func NewJSON(w io.Writer, p Policy) Report {
	r := &jsonReport{w: bufio.NewWriterSize(w, 64<<10), p: p}
	r.enc = json.NewEncoder(&r.buf)
	r.enc.SetEscapeHTML(false)
	r.enc.SetIndent("    ", "  ")
	return r
}

func (r *jsonReport) header() {
	if r.begun {
		return
	}
	r.begun = true
	r.buf.Reset()
	r.buf.WriteString("{\n  \"at\": ")
	r.str(rfc3339(r.p.At))
	r.buf.WriteString(",\n  \"warn\": ")
	r.str(r.p.Warn.String())
	r.buf.WriteString(",\n  \"fail\": ")
	r.str(r.p.Fail.String())
	r.buf.WriteString(",\n  \"certificates\": [")
	r.flush()
}

func (r *jsonReport) str(s string) {
	b, _ := json.Marshal(s)
	r.buf.Write(b)
}

func (r *jsonReport) flush() {
	if r.err == nil {
		_, r.err = r.w.Write(r.buf.Bytes())
	}
	r.buf.Reset()
}

func (r *jsonReport) Add(rec Record) error {
	r.header()
	if r.n > 0 {
		r.buf.WriteString(",")
	}
	r.buf.WriteString("\n    ")
	if err := r.enc.Encode(ToJSON(rec, r.p.At)); err != nil {
		return err
	}
	r.buf.Truncate(r.buf.Len() - 1) // Encode's newline
	r.n++
	r.flush()
	return r.err
}

func (r *jsonReport) Close(sum Summary) error {
	r.header()
	if r.n > 0 {
		r.buf.WriteString("\n  ")
	}
	r.buf.WriteString("],\n  \"summary\": ")
	b, _ := json.MarshalIndent(sum, "  ", "  ")
	r.buf.Write(b)
	r.buf.WriteString("\n}\n")
	r.flush()
	if r.err != nil {
		return r.err
	}
	return r.w.Flush()
}
