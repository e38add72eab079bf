// Package finding is the structured result every virt-pki check returns:
// a stable id, a status, a message and the command that fixes it. Libraries
// produce findings; only the CLI renders them (colored text or JSON).
package finding

// Status is the verdict of one check. The JSON form is the upper-case word.
type Status string

// The four verdicts, in increasing order of severity (Skip sorts first).
const (
	Skip Status = "SKIP"
	Pass Status = "PASS"
	Warn Status = "WARN"
	Fail Status = "FAIL"
)

// Rank orders statuses by severity: Skip < Pass < Warn < Fail.
func (s Status) Rank() int {
	switch s {
	case Pass:
		return 1
	case Warn:
		return 2
	case Fail:
		return 3
	}
	return 0
}

// Finding is one check's result. ID is stable across releases (pipelines key
// on it); Message says what was checked and, for WARN and FAIL, why; Fix is
// the exact command or edit that repairs it (empty for PASS and SKIP); Path
// is the file or directory the check looked at, if any. In JSON, fix and
// path are always present (possibly empty) so consumers need no key tests;
// scope is present where the command has scopes.
type Finding struct {
	ID      string `json:"id"`
	Scope   string `json:"scope,omitempty"`
	Status  Status `json:"status"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
	Path    string `json:"path"`
}

// List is an ordered set of findings.
type List []Finding

// Summary counts findings by status.
type Summary struct {
	Pass int `json:"pass"`
	Warn int `json:"warn"`
	Fail int `json:"fail"`
	Skip int `json:"skip"`
}

// Summary counts l by status.
func (l List) Summary() Summary {
	var s Summary
	for _, f := range l {
		switch f.Status {
		case Pass:
			s.Pass++
		case Warn:
			s.Warn++
		case Fail:
			s.Fail++
		case Skip:
			s.Skip++
		}
	}
	return s
}

// Worst is the most severe status in l (Skip for an empty list).
func (l List) Worst() Status {
	w := Skip
	for _, f := range l {
		if f.Status.Rank() > w.Rank() {
			w = f.Status
		}
	}
	return w
}
