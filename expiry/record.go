// Package expiry finds certificates and CRLs (files, directories, globs,
// live TLS endpoints, or every libvirt and QEMU layout of a host) and
// judges how long each stays valid against --warn and --fail thresholds.
//
// It streams: a bounded pool of workers reads and parses, and each
// certificate becomes a small Record (names, serial, dates, verdict; never
// the certificate itself), so memory is bounded by the number of records
// the caller keeps. Report writers for JSON, JUnit XML and the Prometheus
// text format live here too; the command line renders the table.
package expiry

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"sort"
	"time"

	"github.com/virt-pki/virt-pki/libvirtcert"
)

// Status is the verdict on one certificate, CRL or unreadable source.
type Status string

// The verdicts, in increasing order of severity.
const (
	OK    Status = "ok"
	Warn  Status = "warn"  // ends at or before the --warn deadline
	Fail  Status = "fail"  // ends at or before the --fail deadline, has expired, or is not valid yet
	Error Status = "error" // the source could not be read or holds no certificate
)

// Kind says what a record describes.
type Kind string

// The kinds of records.
const (
	Certificate Kind = "certificate"
	CRL         Kind = "crl"
	// Source is a record about a file or endpoint that yielded nothing
	// usable; its Status is Error.
	Source Kind = "source"
)

// Record is everything the reports need about one certificate or CRL, kept
// small so that a scan of a large tree stays cheap: DER names (not the
// certificate), the serial, and the validity period. For a CRL NotBefore is
// thisUpdate and NotAfter is nextUpdate (zero when absent).
type Record struct {
	// Path is the file, or the endpoint as given for a live probe.
	Path string
	// Index is the position in the file or the server's chain (0 = leaf),
	// counting certificates and CRLs; Count is how many the source held.
	Index, Count int
	Kind         Kind
	// RawSubject and RawIssuer are DER-encoded names (empty for CRLs'
	// subject and for Source records).
	RawSubject, RawIssuer []byte
	// Serial is the serial number in lower-case hex, as certtool prints it.
	Serial              string
	NotBefore, NotAfter time.Time
	Status              Status
	// Reason explains Status in one line; empty for OK.
	Reason string
}

// Subject returns the subject in libvirt's DN format (what virt-pki dn and
// virt-pki-query-dn print); names GnuTLS cannot print fall back to RFC 4514.
func (r Record) Subject() string { return formatName(r.RawSubject) }

// Issuer returns the issuer in libvirt's DN format.
func (r Record) Issuer() string { return formatName(r.RawIssuer) }

// SubjectName and IssuerName decode the names into their attributes.
func (r Record) SubjectName() pkix.Name { return decodeName(r.RawSubject) }

// IssuerName decodes the issuer into its attributes.
func (r Record) IssuerName() pkix.Name { return decodeName(r.RawIssuer) }

// DaysLeft is the whole number of days from at until NotAfter, truncated
// toward zero (negative once expired by a day or more; see daysLeft); ok
// is false when there is no end date.
func (r Record) DaysLeft(at time.Time) (days int64, ok bool) {
	if r.NotAfter.IsZero() {
		return 0, false
	}
	return daysLeft(at, r.NotAfter), true
}

// Label names the record for people: the path, followed by "#N"
// (1-based) when the source held more than one item.
func (r Record) Label() string {
	if r.Count > 1 {
		return fmt.Sprintf("%s#%d", r.Path, r.Index+1)
	}
	return r.Path
}

func formatName(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	if s, err := libvirtcert.FormatDN(raw); err == nil {
		return s
	}
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return ""
	}
	return seq.String()
}

func decodeName(raw []byte) pkix.Name {
	var n pkix.Name
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err == nil {
		n.FillFromRDNSequence(&seq)
	}
	return n
}

// Summary counts records by status.
type Summary struct {
	OK    int `json:"ok"`
	Warn  int `json:"warn"`
	Fail  int `json:"fail"`
	Error int `json:"error"`
}

// Add counts one record.
func (s *Summary) Add(r Record) {
	switch r.Status {
	case OK:
		s.OK++
	case Warn:
		s.Warn++
	case Fail:
		s.Fail++
	default:
		s.Error++
	}
}

// Total is the number of records counted.
func (s Summary) Total() int { return s.OK + s.Warn + s.Fail + s.Error }

// Checked counts the certificates and CRLs that were judged; Error records
// are sources that gave none.
func (s Summary) Checked() int { return s.OK + s.Warn + s.Fail }

// Sort orders records for reports: unreadable sources first, then by end of
// validity (soonest first; CRLs without a next update last), then by path
// and position.
func Sort(recs []Record) {
	sort.SliceStable(recs, func(i, j int) bool { return less(&recs[i], &recs[j]) })
}

func less(a, b *Record) bool {
	if ae, be := a.Status == Error, b.Status == Error; ae != be {
		return ae
	}
	if az, bz := a.NotAfter.IsZero(), b.NotAfter.IsZero(); az != bz {
		return bz
	}
	if !a.NotAfter.Equal(b.NotAfter) {
		return a.NotAfter.Before(b.NotAfter)
	}
	if a.Path != b.Path {
		return a.Path < b.Path
	}
	return a.Index < b.Index
}
