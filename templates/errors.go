package templates

import (
	"fmt"
	"unicode/utf8"
)

// Error is a template error. Its text is one line, "NAME:LINE: message"
// ("NAME: message" when it is not tied to a line).
type Error struct {
	Name    string // file name as given to Parse
	Line    int    // 1-based; 0 when not tied to a line
	Message string
}

// maxMessage caps message length so that hostile input cannot make an
// error line unreadable.
const maxMessage = 400

// clip shortens s to at most maxMessage bytes on a UTF-8 boundary.
func clip(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	i := maxMessage
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Name, e.Message)
}

// Warning is a non-fatal problem in a template.
type Warning struct {
	Name    string // file name as given to Parse
	Line    int    // 1-based; 0 when not tied to a line
	Message string
}

// String renders the warning as one line: "NAME:LINE: warning: message".
func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("%s:%d: warning: %s", w.Name, w.Line, w.Message)
	}
	return fmt.Sprintf("%s: warning: %s", w.Name, w.Message)
}
