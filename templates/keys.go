package templates

import (
	"sort"
	"strconv"
	"strings"
)

// kind is how a template key takes its value.
type kind int

const (
	kindString kind = iota // single text value
	kindMulti              // repeatable text value, kept in file order
	kindPair               // repeatable "OID value" pair
	kindBool               // keyword: presence sets it, no value
	kindNumber             // single integer
	kindDate               // single date
	kindSerial             // single decimal or 0x-hex integer
	kindHex                // single hex string
	kindOID                // single dotted OID
)

// maxPolicies is certtool's MAX_POLICIES: policy1..policy8.
const maxPolicies = 8

// keyKinds lists every key certtool 3.7.9 knows (src/certtool-cfg.c).
var keyKinds = map[string]kind{
	// subject
	"dn": kindString, "country": kindString, "state": kindString, "locality": kindString,
	"organization": kindMulti, "o": kindMulti, "unit": kindMulti, "ou": kindMulti,
	"cn": kindString, "uid": kindString, "dc": kindMulti, "dn_oid": kindPair, "pkcs9_email": kindString,
	// serial and validity
	"serial": kindSerial, "expiration_days": kindNumber,
	"activation_date": kindDate, "expiration_date": kindDate,
	// subject alternative names
	"dns_name": kindMulti, "ip_address": kindMulti, "email": kindMulti, "uri": kindMulti,
	"other_name": kindPair, "other_name_utf8": kindPair, "other_name_octet": kindPair,
	"xmpp_name": kindMulti, "krb5_principal": kindMulti,
	// key usage
	"signing_key": kindBool, "encryption_key": kindBool, "cert_signing_key": kindBool,
	"crl_signing_key": kindBool, "key_agreement": kindBool, "data_encipherment": kindBool,
	"non_repudiation": kindBool,
	// key purposes
	"tls_www_server": kindBool, "tls_www_client": kindBool, "code_signing_key": kindBool,
	"ocsp_signing_key": kindBool, "time_stamping_key": kindBool, "email_protection_key": kindBool,
	"ipsec_ike_key": kindBool, "key_purpose_oid": kindMulti,
	// CA
	"ca": kindBool, "path_len": kindNumber,
	"nc_permit_dns": kindMulti, "nc_exclude_dns": kindMulti,
	"nc_permit_ip": kindMulti, "nc_exclude_ip": kindMulti,
	"nc_permit_email": kindMulti, "nc_exclude_email": kindMulti,
	"crl_dist_points": kindMulti, "ocsp_uri": kindMulti, "ca_issuers_uri": kindMulti,
	"inhibit_anypolicy_skip_certs": kindNumber, "tls_feature": kindMulti,
	"add_extension": kindPair, "add_critical_extension": kindPair,
	"subject_unique_id": kindHex, "issuer_unique_id": kindHex,
	// requests, CRLs, PKCS #12, proxies
	"challenge_password": kindString, "password": kindString, "pkcs12_key_name": kindString,
	"proxy_policy_language": kindOID, "honor_crq_extensions": kindBool, "honor_crq_ext": kindMulti,
	"crl_next_update": kindNumber, "crl_number": kindSerial,
	"crl_this_update_date": kindDate, "crl_next_update_date": kindDate, "crl_revocation_date": kindDate,
}

func init() {
	for i := 1; i <= maxPolicies; i++ {
		n := strconv.Itoa(i)
		keyKinds["policy"+n] = kindOID
		keyKinds["policy"+n+"_txt"] = kindString
		keyKinds["policy"+n+"_url"] = kindString
	}
}

// knownKeys is the sorted list of keys, for suggestions.
var knownKeys = func() []string {
	var ks []string
	for k := range keyKinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}()

// closestKey returns the known key nearest to k by edit distance.
func closestKey(k string) string {
	k = strings.ToLower(k)
	if len(k) > 64 {
		k = k[:64]
	}
	best, bestD := "", -1
	for _, c := range knownKeys {
		d := editDistance(k, c)
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
