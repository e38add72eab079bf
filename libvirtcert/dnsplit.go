package libvirtcert

// SplitDN splits a DN string in GnuTLS's legacy or RFC 4514 form
// ("C=GB,O=Test Org,CN=client1") at each sep byte that a backslash does
// not escape: SplitDN(s, ',') gives the RDNs, SplitDN(rdn, '+') the
// attributes of a multi-valued RDN. Escapes stay in the parts as written
// ("CN=a\,b" stays one part); the empty string gives one empty part.
func SplitDN(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}
