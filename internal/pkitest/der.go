package pkitest

// TLV encodes one DER element with a single-octet tag and a definite
// length, for tests that hand-build (also malformed) structures. content
// must be shorter than 64 KiB.
func TLV(tag byte, content []byte) []byte {
	var l []byte
	switch n := len(content); {
	case n < 0x80:
		l = []byte{byte(n)}
	case n < 0x100:
		l = []byte{0x81, byte(n)}
	case n < 0x10000:
		l = []byte{0x82, byte(n >> 8), byte(n)}
	default:
		panic("pkitest.TLV: content of 64 KiB or more")
	}
	return append(append([]byte{tag}, l...), content...)
}
