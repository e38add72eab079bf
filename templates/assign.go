package templates

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/virt-pki/virt-pki/libvirtcert"
)

// This file stores each key's value into the Template.

func (p *parser) setBool(key string) error {
	t := p.t
	switch key {
	case "signing_key":
		t.SigningKey = true
	case "encryption_key":
		t.EncryptionKey = true
	case "cert_signing_key":
		t.CertSigningKey = true
	case "crl_signing_key":
		t.CRLSigningKey = true
	case "key_agreement":
		t.KeyAgreement = true
	case "data_encipherment":
		t.DataEncipherment = true
	case "non_repudiation":
		t.NonRepudiation = true
	case "tls_www_server":
		t.TLSWWWServer = true
	case "tls_www_client":
		t.TLSWWWClient = true
	case "code_signing_key":
		t.CodeSigningKey = true
	case "ocsp_signing_key":
		t.OCSPSigningKey = true
	case "time_stamping_key":
		t.TimeStampingKey = true
	case "email_protection_key":
		t.EmailProtectionKey = true
	case "ipsec_ike_key":
		t.IPsecIKEKey = true
	case "ca":
		t.CA = true
	case "honor_crq_extensions":
		t.HonorCRQExtensions = true
	default:
		return fmt.Errorf("internal error: unhandled keyword %s", key)
	}
	return nil
}

// ia5Keys take DNS names, e-mail addresses or URIs (IA5Strings).
var ia5Keys = map[string]bool{
	"dns_name": true, "uri": true, "email": true, "crl_dist_points": true, "ocsp_uri": true, "ca_issuers_uri": true,
	"nc_permit_dns": true, "nc_exclude_dns": true, "nc_permit_email": true, "nc_exclude_email": true,
}

func (p *parser) setValue(k kind, e entry) error {
	t, v := p.t, e.value
	if ia5Keys[e.key] || strings.HasSuffix(e.key, "_url") {
		if err := checkIA5Name(v); err != nil {
			return err
		}
	}
	switch e.key {
	case "country":
		if err := checkString(libvirtcert.PrintableString, v); err != nil {
			return err
		}
	case "dc", "pkcs9_email":
		if err := checkString(libvirtcert.IA5String, v); err != nil {
			return err
		}
	}
	switch e.key {
	case "dn":
		if _, err := parseDNString(v); err != nil {
			return err
		}
		t.DN = v
	case "country":
		t.Country = v
	case "state":
		t.State = v
	case "locality":
		t.Locality = v
	case "organization", "o":
		t.Organization = append(t.Organization, v)
	case "unit", "ou":
		t.Unit = append(t.Unit, v)
	case "cn":
		t.CN = v
	case "uid":
		t.UID = v
	case "dc":
		t.DC = append(t.DC, v)
	case "pkcs9_email":
		t.PKCS9Email = v
	case "dn_oid":
		ov, err := p.oidValue(v)
		if err != nil {
			return err
		}
		st, ok := libvirtcert.AttributeStringType(ov.OID)
		if !ok {
			return fmt.Errorf("%s is not an attribute GnuTLS knows (certtool fails with \"The OID is not supported\")", ov.OID)
		}
		if err := checkString(st, ov.Value); err != nil {
			return err
		}
		t.DNOIDs = append(t.DNOIDs, ov)
	case "serial":
		n, err := parseSerial(v)
		if err != nil {
			return err
		}
		t.Serial = n
	case "crl_number":
		n, err := parseSerial(v)
		if err != nil {
			return err
		}
		t.CRLNumber = n
	case "expiration_days", "crl_next_update":
		n, err := parseInt(v)
		if err != nil {
			return err
		}
		if n != -1 && n < 1 {
			return fmt.Errorf("%d: use a positive number of days, or -1 for no well-defined expiration (certtool turns %d into %s)", n, n, daysQuirk(n))
		}
		if e.key == "expiration_days" {
			t.ExpirationDays = n
		} else {
			t.CRLNextUpdate = n
		}
	case "path_len", "inhibit_anypolicy_skip_certs":
		n, err := parseInt(v)
		if err != nil {
			return err
		}
		if n < -1 {
			return fmt.Errorf("%d: use 0 or more (or -1 for no constraint)", n)
		}
		if n >= 0 {
			if e.key == "path_len" {
				t.PathLen = &n
			} else {
				t.InhibitAnyPolicySkipCerts = &n
			}
		}
	case "activation_date", "expiration_date", "crl_this_update_date", "crl_next_update_date", "crl_revocation_date":
		return p.setDate(e.key, v)
	case "dns_name":
		t.DNSNames = append(t.DNSNames, v)
	case "uri":
		if err := checkURI(v); err != nil {
			return err
		}
		t.URIs = append(t.URIs, v)
	case "email":
		t.Emails = append(t.Emails, v)
	case "xmpp_name":
		t.XMPPNames = append(t.XMPPNames, v)
	case "krb5_principal":
		if _, err := krb5PrincipalDER(v); err != nil {
			return err
		}
		t.KRB5Principals = append(t.KRB5Principals, v)
	case "ip_address":
		ip, err := parseIP(v)
		if err != nil {
			return err
		}
		if strings.Contains(v, ":") && ip.To4() != nil {
			p.warnings = append(p.warnings, Warning{Name: p.name, Line: e.line, Message: fmt.Sprintf(
				"ip_address: %s is written as the IPv4 address %s (certtool writes the 16-byte IPv4-mapped form, which matches no IPv4 peer)", v, ip.To4())})
		}
		t.IPAddresses = append(t.IPAddresses, ip)
	case "other_name", "add_extension", "add_critical_extension":
		first, rest, err := splitPair(v)
		if err != nil {
			return err
		}
		oid, err := parseOID(first)
		if err != nil {
			return err
		}
		var b []byte
		if e.key == "other_name" {
			b, err = parseHexBytes(rest)
			if err == nil {
				if elems, ok := splitDER(b); !ok || len(elems) != 1 {
					err = fmt.Errorf("%q is not one DER-encoded value", rest)
				}
			}
		} else {
			b, err = parseExtensionValue(rest)
		}
		if err != nil {
			return err
		}
		ob := OIDBytes{OID: oid, Value: b}
		switch e.key {
		case "other_name":
			t.OtherNames = append(t.OtherNames, ob)
		case "add_extension":
			t.AddExtensions = append(t.AddExtensions, ob)
		default:
			t.AddCriticalExtensions = append(t.AddCriticalExtensions, ob)
		}
	case "other_name_utf8", "other_name_octet":
		ov, err := p.oidValue(v)
		if err != nil {
			return err
		}
		if e.key == "other_name_utf8" {
			t.OtherNamesUTF8 = append(t.OtherNamesUTF8, ov)
		} else {
			t.OtherNamesOctet = append(t.OtherNamesOctet, ov)
		}
	case "key_purpose_oid", "honor_crq_ext":
		oid, err := parseOID(v)
		if err != nil {
			return err
		}
		if e.key == "key_purpose_oid" {
			t.KeyPurposeOIDs = append(t.KeyPurposeOIDs, oid)
		} else {
			t.HonorCRQExt = append(t.HonorCRQExt, oid)
		}
	case "nc_permit_dns":
		t.NCPermitDNS = append(t.NCPermitDNS, v)
	case "nc_exclude_dns":
		t.NCExcludeDNS = append(t.NCExcludeDNS, v)
	case "nc_permit_email":
		t.NCPermitEmail = append(t.NCPermitEmail, v)
	case "nc_exclude_email":
		t.NCExcludeEmail = append(t.NCExcludeEmail, v)
	case "nc_permit_ip", "nc_exclude_ip":
		n, masked, err := parseCIDR(v)
		if err != nil {
			return err
		}
		if masked {
			p.warnings = append(p.warnings, Warning{Name: p.name, Line: e.line, Message: fmt.Sprintf(
				"%s: %s has host bits set; the constraint is the network %s (as in certtool)", e.key, v, n)})
		}
		if e.key == "nc_permit_ip" {
			t.NCPermitIP = append(t.NCPermitIP, n)
		} else {
			t.NCExcludeIP = append(t.NCExcludeIP, n)
		}
	case "crl_dist_points":
		t.CRLDistPoints = append(t.CRLDistPoints, v)
	case "ocsp_uri":
		t.OCSPURIs = append(t.OCSPURIs, v)
	case "ca_issuers_uri":
		t.CAIssuersURIs = append(t.CAIssuersURIs, v)
	case "tls_feature":
		n, err := parseInt(v)
		if err != nil {
			return err
		}
		if n < 0 || n > 65535 {
			return fmt.Errorf("%d is not a TLS extension number (0..65535; 5 is status_request)", n)
		}
		t.TLSFeatures = append(t.TLSFeatures, n)
	case "subject_unique_id", "issuer_unique_id":
		b, err := parseHexBytes(v)
		if err != nil {
			return err
		}
		if e.key == "subject_unique_id" {
			t.SubjectUniqueID = b
		} else {
			t.IssuerUniqueID = b
		}
	case "challenge_password":
		t.ChallengePassword = v
	case "password":
		t.Password = v
	case "pkcs12_key_name":
		t.PKCS12KeyName = v
	case "proxy_policy_language":
		oid, err := parseOID(v)
		if err != nil {
			return err
		}
		t.ProxyPolicyLanguage = oid
	default:
		if strings.HasPrefix(e.key, "policy") {
			return p.setPolicy(e.key, v)
		}
		return fmt.Errorf("internal error: unhandled key (kind %d)", k)
	}
	return nil
}

func daysQuirk(n int) string {
	if n == -2 {
		return "a certificate that expired two days ago"
	}
	return "365 days"
}

func (p *parser) oidValue(v string) (OIDValue, error) {
	first, rest, err := splitPair(v)
	if err != nil {
		return OIDValue{}, err
	}
	oid, err := parseOID(first)
	if err != nil {
		return OIDValue{}, err
	}
	return OIDValue{OID: oid, Value: rest}, nil
}

func (p *parser) setDate(key, v string) error {
	d, err := parseDate(v)
	now := errors.Is(err, errDateNow)
	if err != nil && !now {
		return err
	}
	t := p.t
	switch key {
	case "activation_date":
		t.ActivationDate = d // zero ("now") means the build time
	case "expiration_date":
		t.ExpirationDate = d
		t.expiresNow = now
	case "crl_this_update_date":
		t.CRLThisUpdateDate = d
	case "crl_next_update_date":
		t.CRLNextUpdateDate = d
	case "crl_revocation_date":
		t.CRLRevocationDate = d
	}
	return nil
}

// setPolicy records policyN, policyN_txt and policyN_url; finish checks
// the numbering.
func (p *parser) setPolicy(key, v string) error {
	rest := strings.TrimPrefix(key, "policy")
	suffix := ""
	if i := strings.IndexByte(rest, '_'); i >= 0 {
		rest, suffix = rest[:i], rest[i:]
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 || n > maxPolicies {
		return fmt.Errorf("internal error: policy number %q", rest)
	}
	switch suffix {
	case "":
		if _, err := parseOID(v); err != nil {
			return err
		}
		p.policyOID[n] = v
	case "_txt":
		p.policyTxt[n] = v
	case "_url":
		p.policyURL[n] = v
	}
	return nil
}

// checkURI accepts a URI SAN only when it parses as an absolute URI (with
// a scheme, such as "spiffe://example.org/host" or "urn:uuid:..."):
// certtool writes any text, which strict parsers (Go's crypto/x509) then
// refuse.
func checkURI(v string) error {
	u, err := url.Parse(v)
	if err != nil {
		return fmt.Errorf("%q is not a URI: %v", v, errors.Unwrap(err))
	}
	if u.Scheme == "" {
		return fmt.Errorf("%q is not a URI: it has no scheme (such as https: or urn:)", v)
	}
	return nil
}
