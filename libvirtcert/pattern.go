package libvirtcert

// MatchDNPattern reports whether dn matches one tls_allowed_dn_list pattern
// exactly as GLib's g_pattern_match_simple does, which libvirt uses: the
// pattern must match the whole string; '*' matches any run of bytes
// (including none); '?' matches one UTF-8 character (GLib steps over it
// with g_utf8_next_char, so a multi-byte character counts once); every
// other byte, including '\\', '[' and ']', matches only itself. There is no
// escaping: a DN containing a literal '*' or '?' can only be matched by the
// wildcard itself.
func MatchDNPattern(pattern, dn string) bool {
	_, ok := globMatch(pattern, dn)
	return ok
}

// globMatch is a port of GLib's g_pattern_ph_match. The first result
// reports whether a '*' was reached, which GLib uses to stop useless
// backtracking.
func globMatch(pattern, s string) (wildcardReached, ok bool) {
	p, i := 0, 0
	for p < len(pattern) {
		ch := pattern[p]
		p++
		switch ch {
		case '?':
			if i >= len(s) {
				return wildcardReached, false
			}
			i = nextUTF8(s, i)
		case '*':
			wildcardReached = true
			for {
				if p >= len(pattern) {
					return true, true
				}
				ch = pattern[p]
				p++
				if ch == '?' {
					if i >= len(s) {
						return true, false
					}
					i = nextUTF8(s, i)
					continue
				}
				if ch != '*' {
					break
				}
			}
			for {
				for i < len(s) && s[i] != ch {
					i = nextUTF8(s, i)
				}
				if i >= len(s) {
					return true, false
				}
				i++
				next, matched := globMatch(pattern[p:], s[i:])
				if matched {
					return true, true
				}
				if next {
					return true, false
				}
				if i >= len(s) {
					return true, false
				}
			}
		default:
			if i < len(s) && s[i] == ch {
				i++
			} else {
				return wildcardReached, false
			}
		}
	}
	return wildcardReached, i == len(s)
}

// nextUTF8 advances over one character the way g_utf8_next_char does: by
// the length its first byte announces (1 for ASCII and stray continuation
// bytes), never past the end.
func nextUTF8(s string, i int) int {
	c := s[i]
	n := 1
	switch {
	case c >= 0xfc && c <= 0xfd:
		n = 6
	case c >= 0xf8:
		if c <= 0xfb {
			n = 5
		}
	case c >= 0xf0:
		n = 4
	case c >= 0xe0:
		n = 3
	case c >= 0xc0:
		n = 2
	}
	if i+n > len(s) {
		return len(s)
	}
	return i + n
}
