package libvirtcert

import "testing"

func TestMatchDNPattern(t *testing.T) {
	cases := []struct {
		pattern, dn string
		want        bool
	}{
		{"C=GB,ST=London,L=London,O=Libvirt Project,CN=client1", "C=GB,ST=London,L=London,O=Libvirt Project,CN=client1", true},
		{"C=GB,*", "C=GB,ST=London,CN=client1", true},
		{"*CN=client1", "C=GB,CN=client1", true},
		{"*CN=client1", "C=GB,CN=client10", false}, // whole string
		{"CN=client?", "CN=client1", true},
		{"CN=client?", "CN=client", false},
		{"CN=client?", "CN=client12", false},
		{"CN=?", "CN=é", true},   // one UTF-8 character
		{"CN=??", "CN=é", false}, // not two bytes
		{"*", "", true},
		{"", "", true},
		{"", "x", false},
		{"?", "", false},
		{"**a**", "xa", true},
		{"*?", "", false},
		{"*?x", "ax", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"CN=[ab]", "CN=a", false}, // no character classes
		{"CN=[ab]", "CN=[ab]", true},
		{`CN=a\*`, `CN=a\b`, true}, // backslash is literal, * still a wildcard
		{`CN=a\*`, `CN=a*`, false},
		{"O=A\\+B*", "O=A\\+B,CN=x", true}, // the DN's escapes are literal text
		{"O=A+B*", "O=A\\+B,CN=x", false},
		{"cn=client1", "CN=client1", false}, // case-sensitive
	}
	for _, c := range cases {
		if got := MatchDNPattern(c.pattern, c.dn); got != c.want {
			t.Errorf("MatchDNPattern(%q, %q) = %v, want %v", c.pattern, c.dn, got, c.want)
		}
	}
}

func TestMatchDNPatternManyStarsIsFast(t *testing.T) {
	// GLib's early exit keeps patterns with many stars polynomial; this
	// would take ages with naive backtracking.
	pattern := "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"
	dn := ""
	for i := 0; i < 200; i++ {
		dn += "a"
	}
	if MatchDNPattern(pattern, dn) {
		t.Fatal("matched a string without b")
	}
}

func FuzzMatchDNPattern(f *testing.F) {
	f.Add("C=GB,*,CN=?", "C=GB,O=x,CN=a")
	f.Add("*?*", "é")
	f.Fuzz(func(t *testing.T, pattern, dn string) {
		got := MatchDNPattern(pattern, dn)
		if pattern == dn && !got {
			t.Fatalf("a string does not match itself: %q", dn)
		}
		if pattern == "*" && !got {
			t.Fatalf("* does not match %q", dn)
		}
	})
}
