package certtext

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"net"
	"strings"

	"github.com/virt-pki/virt-pki/libvirtcert"
	"github.com/virt-pki/virt-pki/x509oid"
)

func critText(c bool) string {
	if c {
		return "critical"
	}
	return "not critical"
}

func writeExtension(b *strings.Builder, e pkix.Extension) {
	crit := critText(e.Critical)
	ok := true
	switch {
	case e.Id.Equal(x509oid.BasicConstraints):
		var bc struct {
			IsCA       bool `asn1:"optional"`
			MaxPathLen int  `asn1:"optional,default:-1"`
		}
		if _, err := asn1.Unmarshal(e.Value, &bc); err != nil {
			ok = false
			break
		}
		fmt.Fprintf(b, "\t\tBasic Constraints (%s):\n", crit)
		fmt.Fprintf(b, "\t\t\tCertificate Authority (CA): %s\n", strings.ToUpper(fmt.Sprint(bc.IsCA)))
		if bc.IsCA && bc.MaxPathLen >= 0 {
			fmt.Fprintf(b, "\t\t\tPath Length Constraint: %d\n", bc.MaxPathLen)
		}
	case e.Id.Equal(x509oid.KeyUsage):
		var bits asn1.BitString
		if _, err := asn1.Unmarshal(e.Value, &bits); err != nil {
			ok = false
			break
		}
		fmt.Fprintf(b, "\t\tKey Usage (%s):\n", crit)
		names := []string{"Digital signature.", "Non repudiation.", "Key encipherment.", "Data encipherment.",
			"Key agreement.", "Certificate signing.", "CRL signing.", "Key encipher only.", "Key decipher only."}
		for i, n := range names {
			if bits.At(i) != 0 {
				b.WriteString("\t\t\t" + n + "\n")
			}
		}
	case e.Id.Equal(x509oid.ExtKeyUsage):
		var oids []asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(e.Value, &oids); err != nil {
			ok = false
			break
		}
		fmt.Fprintf(b, "\t\tKey Purpose (%s):\n", crit)
		for _, o := range oids {
			if n, known := libvirtcert.KeyPurposeName(o.String()); known {
				b.WriteString("\t\t\t" + n + ".\n")
			} else {
				b.WriteString("\t\t\t" + o.String() + "\n")
			}
		}
	case e.Id.Equal(x509oid.SubjectAltName):
		lines, err := generalNames(e.Value)
		if err != nil {
			ok = false
			break
		}
		fmt.Fprintf(b, "\t\tSubject Alternative Name (%s):\n", crit)
		for _, l := range lines {
			b.WriteString("\t\t\t" + l + "\n")
		}
	case e.Id.Equal(x509oid.SubjectKeyID):
		var id []byte
		if _, err := asn1.Unmarshal(e.Value, &id); err != nil {
			ok = false
			break
		}
		fmt.Fprintf(b, "\t\tSubject Key Identifier (%s):\n\t\t\t%s\n", crit, hex.EncodeToString(id))
	case e.Id.Equal(x509oid.AuthorityKeyID):
		var aki struct {
			ID []byte `asn1:"optional,tag:0"`
		}
		if _, err := asn1.Unmarshal(e.Value, &aki); err != nil {
			ok = false
			break
		}
		fmt.Fprintf(b, "\t\tAuthority Key Identifier (%s):\n\t\t\t%s\n", crit, hex.EncodeToString(aki.ID))
	case e.Id.Equal(x509oid.CRLDistributionPoints):
		uris, err := crlDistributionPoints(e.Value)
		if err != nil {
			ok = false
			break
		}
		fmt.Fprintf(b, "\t\tCRL Distribution points (%s):\n", crit)
		for _, u := range uris {
			b.WriteString("\t\t\tURI: " + u + "\n")
		}
	case e.Id.Equal(x509oid.AuthorityInfoAccess):
		var aia []struct {
			Method   asn1.ObjectIdentifier
			Location asn1.RawValue
		}
		if _, err := asn1.Unmarshal(e.Value, &aia); err != nil {
			ok = false
			break
		}
		fmt.Fprintf(b, "\t\tAuthority Information Access (%s):\n", crit)
		for _, a := range aia {
			m := a.Method.String()
			switch {
			case a.Method.Equal(x509oid.AccessOCSP):
				m += " (id-ad-ocsp)"
			case a.Method.Equal(x509oid.AccessCAIssuers):
				m += " (id-ad-caIssuers)"
			}
			fmt.Fprintf(b, "\t\t\tAccess Method: %s\n", m)
			if a.Location.Tag == 6 {
				fmt.Fprintf(b, "\t\t\tAccess Location URI: %s\n", a.Location.Bytes)
			}
		}
	case e.Id.Equal(x509oid.TLSFeature):
		var feats []int
		if _, err := asn1.Unmarshal(e.Value, &feats); err != nil {
			ok = false
			break
		}
		fmt.Fprintf(b, "\t\tTLS Features (%s):\n", crit)
		for _, f := range feats {
			if f == 5 {
				b.WriteString("\t\t\tOCSP Status Request(5)\n")
			} else {
				fmt.Fprintf(b, "\t\t\tUnknown(%d)\n", f)
			}
		}
	default:
		ok = false
	}
	if !ok {
		fmt.Fprintf(b, "\t\tUnknown extension %s (%s):\n", e.Id, crit)
		if printable(e.Value) {
			fmt.Fprintf(b, "\t\t\tASCII: %s\n", e.Value)
		} else {
			fmt.Fprintf(b, "\t\t\tASCII: %s\n", asciiDots(e.Value))
		}
		fmt.Fprintf(b, "\t\t\tHexdump: %s\n", hex.EncodeToString(e.Value))
	}
}

func asciiDots(data []byte) string {
	out := make([]byte, len(data))
	for i, c := range data {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}

// generalNames renders a GeneralNames SEQUENCE as certtool does.
func generalNames(der []byte) ([]string, error) {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return nil, err
	}
	var lines []string
	rest := seq.Bytes
	for len(rest) > 0 {
		var gn asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &gn); err != nil {
			return nil, err
		}
		switch gn.Tag {
		case 1:
			lines = append(lines, "RFC822Name: "+string(gn.Bytes))
		case 2:
			lines = append(lines, "DNSname: "+string(gn.Bytes))
		case 6:
			lines = append(lines, "URI: "+string(gn.Bytes))
		case 7:
			lines = append(lines, "IPAddress: "+net.IP(gn.Bytes).String())
		case 0:
			lines = append(lines, otherName(gn.Bytes)...)
		default:
			lines = append(lines, fmt.Sprintf("Unknown name type %d: %x", gn.Tag, gn.Bytes))
		}
	}
	return lines, nil
}

func otherName(content []byte) []string {
	var oid asn1.ObjectIdentifier
	rest, err := asn1.Unmarshal(content, &oid)
	if err != nil {
		return []string{"otherName: (malformed)"}
	}
	var val asn1.RawValue
	if _, err := asn1.Unmarshal(rest, &val); err != nil {
		return []string{"otherName OID: " + oid.String()}
	}
	switch {
	case oid.Equal(x509oid.XMPPAddr):
		var s string
		if _, err := asn1.Unmarshal(val.Bytes, &s); err == nil {
			return []string{"XMPP Address: " + s}
		}
	case oid.Equal(x509oid.UserPrincipalName):
		var s string
		if _, err := asn1.UnmarshalWithParams(val.Bytes, &s, "utf8"); err == nil {
			return []string{"User Principal Name: " + s}
		}
	}
	lines := []string{"otherName OID: " + oid.String(), "otherName DER: " + hex.EncodeToString(val.Bytes)}
	var s string
	if _, err := asn1.Unmarshal(val.Bytes, &s); err == nil {
		lines = append(lines, "otherName ASCII: "+s)
	}
	return lines
}

func crlDistributionPoints(der []byte) ([]string, error) {
	var dps []struct {
		Name asn1.RawValue `asn1:"optional,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &dps); err != nil {
		return nil, err
	}
	var uris []string
	for _, dp := range dps {
		var full asn1.RawValue
		if _, err := asn1.Unmarshal(dp.Name.Bytes, &full); err != nil {
			continue
		}
		rest := full.Bytes
		for len(rest) > 0 {
			var gn asn1.RawValue
			var err error
			if rest, err = asn1.Unmarshal(rest, &gn); err != nil {
				break
			}
			if gn.Tag == 6 {
				uris = append(uris, string(gn.Bytes))
			}
		}
	}
	return uris, nil
}
