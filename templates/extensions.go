package templates

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/virt-pki/virt-pki/x509oid"
)

// GnuTLS key usage bits (gnutls_x509_crt_set_key_usage), first byte of the
// BIT STRING.
const (
	kuDigitalSignature = 0x80
	kuNonRepudiation   = 0x40
	kuKeyEncipherment  = 0x20
	kuDataEncipherment = 0x10
	kuKeyAgreement     = 0x08
	kuKeyCertSign      = 0x04
	kuCRLSign          = 0x02
)

// extList is the certificate's extensions in creation order. Like GnuTLS,
// setting an extension that exists replaces it in place; the "list"
// extensions (SAN, EKU, policies, AIA, CRL DP) append to an existing one.
type extList struct {
	exts []pkix.Extension
}

func (l *extList) find(oid asn1.ObjectIdentifier) int {
	for i, e := range l.exts {
		if e.Id.Equal(oid) {
			return i
		}
	}
	return -1
}

// set adds or replaces an extension.
func (l *extList) set(oid asn1.ObjectIdentifier, critical bool, value []byte) {
	e := pkix.Extension{Id: oid, Critical: critical, Value: value}
	if i := l.find(oid); i >= 0 {
		l.exts[i] = e
		return
	}
	l.exts = append(l.exts, e)
}

// appendSeq appends elements to the SEQUENCE OF extension oid, creating it
// when absent.
func (l *extList) appendSeq(oid asn1.ObjectIdentifier, critical bool, elems ...[]byte) error {
	if len(elems) == 0 {
		return nil
	}
	var old [][]byte
	if i := l.find(oid); i >= 0 {
		var raw asn1.RawValue
		rest, err := asn1.Unmarshal(l.exts[i].Value, &raw)
		if err != nil || len(rest) > 0 || raw.Tag != asn1.TagSequence || !raw.IsCompound {
			return fmt.Errorf("add_extension %s: value is not a DER SEQUENCE, so the template's entries cannot be added to it", oid)
		}
		var ok bool
		if old, ok = splitDER(raw.Bytes); !ok {
			return fmt.Errorf("add_extension %s: malformed DER", oid)
		}
	}
	l.set(oid, critical, seq(append(old, elems...)...))
	return nil
}

// generalName kinds ([n] IMPLICIT tags).
const (
	gnOtherName = 0
	gnRFC822    = 1
	gnDNS       = 2
	gnURI       = 6
	gnIP        = 7
)

func gnString(tag int, s string) []byte { return ctx(tag, false, []byte(s)) }

// otherName encodes an otherName GeneralName whose value is the DER value.
func otherName(oid asn1.ObjectIdentifier, value []byte) []byte {
	return ctx(gnOtherName, true, concat(oidDER(oid), ctx(0, true, value)))
}

// ipBytes is the SAN encoding of ip: 4 bytes for IPv4 (also IPv4-mapped
// IPv6 given as net.IP), 16 for IPv6.
func ipBytes(ip net.IP) ([]byte, error) {
	if v4 := ip.To4(); v4 != nil {
		return v4, nil
	}
	if len(ip) == net.IPv6len {
		return ip, nil
	}
	return nil, fmt.Errorf("invalid IP address %v", ip)
}

// krb5PrincipalDER encodes a KRB5PrincipalName (RFC 4556) the way GnuTLS
// does (lib/x509/krb5.c): "comp/comp@REALM" gives name-type 1
// (NT-PRINCIPAL, 2 for krbtgt/REALM), a name with several '@' is an
// enterprise name (type 10) whose realm follows the last '@'.
func krb5PrincipalDER(name string) ([]byte, error) {
	at := strings.LastIndexByte(name, '@')
	if at < 0 {
		return nil, fmt.Errorf("%q is not a Kerberos principal (user@REALM)", name)
	}
	realm, local := name[at+1:], name[:at]
	var comps []string
	nameType := 1
	if strings.IndexByte(name, '@') == at {
		for _, c := range strings.Split(local, "/") {
			if c != "" {
				comps = append(comps, c)
			}
		}
		if len(comps) > 6 {
			return nil, fmt.Errorf("%q has more than 6 components", name)
		}
		if len(comps) == 2 && comps[0] == "krbtgt" {
			nameType = 2
		}
	} else {
		comps = []string{local}
		nameType = 10
	}
	var strs [][]byte
	for _, c := range comps {
		strs = append(strs, tlv(tagGeneralString, []byte(c)))
	}
	principal := seq(ctx(0, true, intDER(nameType)), ctx(1, true, seq(strs...)))
	return seq(ctx(0, true, tlv(tagGeneralString, []byte(realm))), ctx(1, true, principal)), nil
}

// sanEntries returns the template's GeneralNames in certtool's order up to
// (not including) the email addresses, which certtool adds later.
func (t *Template) sanEntries() ([][]byte, error) {
	var out [][]byte
	for _, d := range t.DNSNames {
		if d == "" {
			return nil, errors.New("dns_name is empty")
		}
		out = append(out, gnString(gnDNS, d))
	}
	for _, u := range t.URIs {
		if u == "" {
			return nil, errors.New("uri is empty")
		}
		out = append(out, gnString(gnURI, u))
	}
	for _, ip := range t.IPAddresses {
		b, err := ipBytes(ip)
		if err != nil {
			return nil, fmt.Errorf("ip_address: %v", err)
		}
		out = append(out, ctx(gnIP, false, b))
	}
	for _, o := range t.OtherNames {
		if len(o.Value) == 0 {
			return nil, fmt.Errorf("other_name %s has an empty value", o.OID)
		}
		out = append(out, otherName(o.OID, o.Value))
	}
	for _, o := range t.OtherNamesOctet {
		out = append(out, otherName(o.OID, tlv(tagOctetString, []byte(o.Value))))
	}
	for _, o := range t.OtherNamesUTF8 {
		out = append(out, otherName(o.OID, tlv(tagUTF8String, []byte(o.Value))))
	}
	for _, x := range t.XMPPNames {
		out = append(out, otherName(x509oid.XMPPAddr, tlv(tagUTF8String, []byte(x))))
	}
	for _, k := range t.KRB5Principals {
		der, err := krb5PrincipalDER(k)
		if err != nil {
			return nil, fmt.Errorf("krb5_principal: %v", err)
		}
		out = append(out, otherName(x509oid.KRB5PrincipalName, der))
	}
	return out, nil
}

// basicConstraints encodes BasicConstraints; pathLen < 0 means none.
func basicConstraints(ca bool, pathLen int) []byte {
	if !ca {
		return seq()
	}
	body := []byte{tagBoolean, 1, 0xff}
	if pathLen >= 0 {
		body = append(body, intDER(pathLen)...)
	}
	return tlv(tagSequence, body)
}

// keyUsage encodes the KeyUsage BIT STRING in DER (trailing zero bits
// removed); bits must not be zero.
func keyUsage(bits byte) []byte {
	unused := byte(0)
	for bits&(1<<unused) == 0 {
		unused++
	}
	return tlv(tagBitString, []byte{unused, bits})
}

// nameConstraints encodes the NameConstraints extension.
func (t *Template) nameConstraints() []byte {
	subtrees := func(ips []*net.IPNet, dns, emails []string) []byte {
		var out [][]byte
		for _, n := range ips {
			out = append(out, seq(ctx(gnIP, false, concat(n.IP, n.Mask))))
		}
		for _, d := range dns {
			out = append(out, seq(gnString(gnDNS, d)))
		}
		for _, e := range emails {
			out = append(out, seq(gnString(gnRFC822, e)))
		}
		return concat(out...)
	}
	var body []byte
	if p := subtrees(t.NCPermitIP, t.NCPermitDNS, t.NCPermitEmail); len(p) > 0 {
		body = append(body, ctx(0, true, p)...)
	}
	if x := subtrees(t.NCExcludeIP, t.NCExcludeDNS, t.NCExcludeEmail); len(x) > 0 {
		body = append(body, ctx(1, true, x)...)
	}
	return tlv(tagSequence, body)
}

func (t *Template) hasNameConstraints() bool {
	return len(t.NCPermitDNS)+len(t.NCExcludeDNS)+len(t.NCPermitEmail)+len(t.NCExcludeEmail)+
		len(t.NCPermitIP)+len(t.NCExcludeIP) > 0
}

// policyInfo encodes one PolicyInformation.
func policyInfo(p Policy) []byte {
	var quals [][]byte
	if p.Text != "" {
		quals = append(quals, seq(oidDER(x509oid.QualifierUserNotice), seq(tlv(tagUTF8String, []byte(p.Text)))))
	}
	if p.URL != "" {
		quals = append(quals, seq(oidDER(x509oid.QualifierCPS), tlv(tagIA5String, []byte(p.URL))))
	}
	if len(quals) == 0 {
		return seq(oidDER(p.OID))
	}
	return seq(oidDER(p.OID), seq(quals...))
}

// crlDistributionPoint encodes the DistributionPoint GnuTLS writes for
// crl_dist_points: one point whose fullName lists every URI.
func crlDistributionPoint(uris []string) []byte {
	var names [][]byte
	for _, u := range uris {
		names = append(names, gnString(gnURI, u))
	}
	return seq(ctx(0, true, ctx(0, true, concat(names...))))
}

func accessDescription(method asn1.ObjectIdentifier, uri string) []byte {
	return seq(oidDER(method), gnString(gnURI, uri))
}
