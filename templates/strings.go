package templates

import (
	"fmt"
	"unicode/utf8"

	"github.com/virt-pki/virt-pki/libvirtcert"
)

// ASN.1 restricted string checks. certtool writes whatever bytes it is
// given, which yields certificates that Go (and other strict parsers)
// cannot read, so values that do not fit their string type are errors.

// isPrintableString reports whether s is a valid X.680 PrintableString.
func isPrintableString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == ' ' || c == '\'' || c == '(' || c == ')' || c == '+' || c == ',' ||
			c == '-' || c == '.' || c == '/' || c == ':' || c == '=' || c == '?':
		default:
			return false
		}
	}
	return true
}

func isIA5String(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isNumericString(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != ' ' {
			return false
		}
	}
	return true
}

// checkString reports a value that cannot be encoded as st.
func checkString(st libvirtcert.StringType, v string) error {
	switch st {
	case libvirtcert.PrintableString:
		if !isPrintableString(v) {
			return fmt.Errorf("%q must be a PrintableString (letters, digits, space and '()+,-./:=?)", v)
		}
	case libvirtcert.IA5String:
		if !isIA5String(v) {
			return fmt.Errorf("%q must be ASCII (IA5String)", v)
		}
	case libvirtcert.NumericString:
		if !isNumericString(v) {
			return fmt.Errorf("%q must be digits (NumericString)", v)
		}
	default:
		if !utf8.ValidString(v) {
			return fmt.Errorf("%q is not valid UTF-8", v)
		}
	}
	return nil
}

// checkIA5Name checks a DNS name, e-mail address or URI: these are
// IA5Strings, so internationalized names must be given in punycode.
func checkIA5Name(v string) error {
	if !isIA5String(v) {
		return fmt.Errorf("%q must be ASCII; write internationalized domain names in their xn-- (punycode) form", v)
	}
	return nil
}
