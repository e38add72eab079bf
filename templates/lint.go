package templates

import "sort"

// Lint returns the warnings about settings certtool (and Certificate)
// silently ignore, computed from t's current fields; line numbers are those
// of the parsed file (0 for fields set programmatically). Parse stores its
// result in Warnings; call Lint again after changing fields.
func (t *Template) Lint() []Warning {
	var ws []Warning
	warn := func(key, msg string) {
		ws = append(ws, Warning{Name: t.Name, Line: t.lines[key], Message: msg})
	}
	if t.TLSWWWServer && len(t.Emails) > 0 {
		warn("email", "email is ignored because tls_www_server is set (certtool drops email SANs from server certificates)")
	}
	if !t.CA {
		if t.PathLen != nil {
			warn("path_len", "path_len is ignored without ca")
		}
		if t.hasNameConstraints() {
			warn(firstSet(t.lines, "nc_permit_dns", "nc_exclude_dns", "nc_permit_ip", "nc_exclude_ip", "nc_permit_email", "nc_exclude_email"),
				"nc_* name constraints are ignored without ca")
		}
		if t.CertSigningKey {
			warn("cert_signing_key", "cert_signing_key is ignored without ca")
		}
		if t.CRLSigningKey {
			warn("crl_signing_key", "crl_signing_key is ignored without ca")
		}
	}
	if t.subjectEmpty() {
		ws = append(ws, Warning{Name: t.Name, Message: "the subject is empty (no cn, dn, organization, ...): virt-pki-query-dn fails on it and no tls_allowed_dn_list entry can match it"})
	}
	sortWarnings(ws)
	return ws
}

func (t *Template) subjectEmpty() bool {
	return t.DN == "" && t.Country == "" && t.State == "" && t.Locality == "" &&
		len(t.Organization) == 0 && len(t.Unit) == 0 && t.CN == "" && t.UID == "" &&
		len(t.DC) == 0 && len(t.DNOIDs) == 0 && t.PKCS9Email == ""
}

// firstSet returns the key among keys seen on the earliest line.
func firstSet(lines map[string]int, keys ...string) string {
	best := keys[0]
	for _, k := range keys {
		if l, ok := lines[k]; ok && (lines[best] == 0 || l < lines[best]) {
			best = k
		}
	}
	return best
}

// sortWarnings orders warnings by line, keeping the order of equal lines.
func sortWarnings(ws []Warning) {
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].Line < ws[j].Line })
}
