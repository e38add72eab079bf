package layout

import (
	"fmt"
	"strings"
)

// ConfString quotes s as a string value of libvirt's configuration syntax,
// which has no escapes: a value stands verbatim between double quotes, or
// between single quotes when it holds a double quote, or between triple
// double quotes when it holds both kinds or a newline. It fails only for a
// value no form can carry (one holding both quote kinds and `"""`, or
// ending in `"` with both kinds inside).
func ConfString(s string) (string, error) {
	switch {
	case !strings.ContainsAny(s, "\"\n"):
		return `"` + s + `"`, nil
	case !strings.ContainsAny(s, "'\n"):
		return "'" + s + "'", nil
	case !strings.Contains(s, `"""`) && !strings.HasSuffix(s, `"`):
		return `"""` + s + `"""`, nil
	}
	return "", fmt.Errorf("%q cannot be written in libvirt's configuration syntax (it has no escapes)", s)
}

// AllowedDNListLine is the libvirtd.conf line setting tls_allowed_dn_list to
// patterns, each quoted with ConfString and listed once, in order.
func AllowedDNListLine(patterns []string) (string, error) {
	var q []string
	seen := map[string]bool{}
	for _, p := range patterns {
		if seen[p] {
			continue
		}
		seen[p] = true
		s, err := ConfString(p)
		if err != nil {
			return "", err
		}
		q = append(q, s)
	}
	return "tls_allowed_dn_list = [" + strings.Join(q, ", ") + "]", nil
}
