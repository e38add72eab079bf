package expiry

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"time"
)

// Report renders records as they arrive; Close finishes the document. A
// report keeps nothing per record in memory: formats that need totals
// before the records (JUnit) or records grouped by metric (Prometheus)
// stage their body in a temporary file.
type Report interface {
	Add(r Record) error
	Close(sum Summary) error
}

// Problem is a stable identifier for why r is not OK, for machine readers
// (JUnit failure types): "not-yet-valid", "expired", "crl-stale",
// "within-fail", "within-warn", "unreadable"; "" for OK.
func (p Policy) Problem(r Record) string {
	switch r.Status {
	case Error:
		return "unreadable"
	case Warn:
		return "within-warn"
	case Fail:
		switch {
		case !r.NotBefore.IsZero() && p.At.Before(r.NotBefore):
			return "not-yet-valid"
		case !r.NotAfter.IsZero() && !p.At.Before(r.NotAfter):
			if r.Kind == CRL {
				return "crl-stale"
			}
			return "expired"
		}
		return "within-fail"
	}
	return ""
}

// rfc3339 formats t for reports; "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// spool is a temporary file that stages part of a report.
type spool struct {
	f *os.File
	*bufio.Writer
}

func newSpool() (*spool, error) {
	f, err := os.CreateTemp("", "virt-pki-expiry-*")
	if err != nil {
		return nil, fmt.Errorf("staging the report: %w", err)
	}
	return &spool{f: f, Writer: bufio.NewWriterSize(f, 64<<10)}, nil
}

// copyTo appends the staged content to w and removes the file.
func (s *spool) copyTo(w io.Writer) error {
	defer s.discard()
	if err := s.Flush(); err != nil {
		return fmt.Errorf("staging the report: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("staging the report: %w", err)
	}
	_, err := io.Copy(w, s.f)
	return err
}

func (s *spool) discard() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f = nil
	}
}
