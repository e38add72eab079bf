package virtpkicli

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/virt-pki/virt-pki/internal/fileread"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// The `info` command summarises certificates in the spirit of certtool -i,
// with what libvirt makes of them.

func init() {
	commands = append(commands, &cli.Command{
		Name:      "info",
		Usage:     "show certificates as libvirt sees them (both DN orders, extensions with criticality, libvirt's verdict)",
		ArgsUsage: "FILE...",
		Description: "Summarises every certificate in each PEM FILE: subject in the order libvirt matches\n" +
			"against tls_allowed_dn_list and in the RFC 4514 order certtool -i prints, issuer, serial,\n" +
			"validity with days left, alternative names, key, key usage and key purpose with their\n" +
			"criticality, basic constraints, key identifiers, fingerprints, and libvirt's verdict for\n" +
			"the certificate as CA, server and client certificate.",
		Flags: append(formatFlags(),
			&cli.StringFlag{Name: "at", Usage: "evaluate validity and libvirt's rules at `TIME` (RFC 3339) instead of now"},
			&cli.BoolFlag{Name: "rfc8813", Usage: "apply newer libvirt's rule that EC keys need no keyEncipherment (libvirt 9.0 lacks it)"},
		),
		Action: runInfo,
	})
}

// infoResult is the JSON document of `info --format json` (or --json).
type infoResult struct {
	Certificates []libvirtcert.Info `json:"certificates"`
}

func runInfo(c *cli.Context) error {
	if err := checkFormat(c); err != nil {
		return err
	}
	if c.NArg() == 0 {
		return usagef("info needs at least one FILE")
	}
	at := time.Now()
	if s := c.String("at"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return usagef("--at %q is not an RFC 3339 time such as 2027-01-31T12:00:00Z", s)
		}
		at = t
	}
	opts := libvirtcert.Options{ECExemptFromKeyEncipherment: c.Bool("rfc8813")}
	res := infoResult{Certificates: []libvirtcert.Info{}}
	failed := false
	for _, path := range c.Args().Slice() {
		pcs, err := readInfoCertificates(path, c.App.ErrWriter)
		if err != nil {
			// Report the file and go on: every readable file is shown.
			fmt.Fprintf(c.App.ErrWriter, "virt-pki: %v\n", err)
			failed = true
			continue
		}
		for i, pc := range pcs {
			res.Certificates = append(res.Certificates, libvirtcert.Describe(pc.Cert, path, i+1, pc.Line, at, opts))
		}
	}
	if jsonRequested(c) {
		if err := writeJSON(c.App.Writer, res); err != nil {
			return err
		}
	} else {
		writeInfoText(c.App.Writer, res.Certificates, newPainter(c.App.Writer))
	}
	if failed {
		return exitWith(1)
	}
	return nil
}

// readInfoCertificates reads the certificates of a PEM file, or the one
// certificate of a DER file (as certtool -i --inder does; a note on stderr
// says that libvirt cannot read it). Errors name the file.
func readInfoCertificates(path string, stderr io.Writer) ([]libvirtcert.PEMCertificate, error) {
	pcs, err := libvirtcert.ReadPEMCertificates(path)
	if err == nil || !errors.Is(err, libvirtcert.ErrDER) {
		return pcs, err
	}
	data, rerr := fileread.ReadCapped(path, libvirtcert.MaxFileSize)
	if rerr != nil {
		return nil, err
	}
	cert, perr := x509.ParseCertificate(data)
	if perr != nil {
		return nil, fmt.Errorf("%s: malformed DER certificate: %v", path, perr)
	}
	fmt.Fprintf(stderr, "note: %s is a DER certificate; libvirt reads only PEM (convert it: %s)\n", path, libvirtcert.DERConvertCommand(path))
	return []libvirtcert.PEMCertificate{{Cert: cert}}, nil
}

const infoTimeLayout = "Mon Jan 02 15:04:05 UTC 2006"

func writeInfoText(w io.Writer, infos []libvirtcert.Info, p painter) {
	for i, in := range infos {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if in.Line > 0 {
			fmt.Fprintf(w, "%s: certificate %d (line %d)\n", in.File, in.Index, in.Line)
		} else { // DER: one certificate, no lines
			fmt.Fprintf(w, "%s: certificate %d (DER)\n", in.File, in.Index)
		}
		infoDN(w, "Subject", in.Subject, true)
		infoDN(w, "Issuer", in.Issuer, false)
		infoField(w, "Serial", in.Serial)
		infoField(w, "Not before", in.NotBefore.Format(infoTimeLayout))
		infoField(w, "Not after", in.NotAfter.Format(infoTimeLayout)+" ("+infoDays(in)+")")
		infoField(w, "Self-signed", infoYesNo(in.SelfSigned))
		infoField(w, "Alt names", infoSANs(in.SANs))
		key := in.PublicKey.Algorithm
		if in.PublicKey.Curve != "" {
			key += " " + in.PublicKey.Curve
		} else if in.PublicKey.Bits != 0 && in.PublicKey.Algorithm == "RSA" {
			key += fmt.Sprintf(" %d bits", in.PublicKey.Bits)
		}
		infoField(w, "Public key", key)
		infoField(w, "Signature", in.SignatureAlgorithm)
		if bc := in.BasicConstraints; bc != nil {
			v := "CA:FALSE"
			if bc.CA {
				v = "CA:TRUE"
				if bc.PathLen != nil {
					v += fmt.Sprintf(", path length %d", *bc.PathLen)
				}
			}
			infoField(w, "Basic constraints", v+" ("+infoCriticality(bc.Critical)+")")
		} else {
			infoField(w, "Basic constraints", "absent")
		}
		if ku := in.KeyUsage; ku != nil {
			infoField(w, "Key usage", infoUsages(ku.Usages)+" ("+infoCriticality(ku.Critical)+")")
		} else {
			infoField(w, "Key usage", "absent (libvirt allows every use)")
		}
		if kp := in.KeyPurposes; kp != nil {
			var names []string
			for _, pu := range kp.Purposes {
				if pu.Name != "" {
					names = append(names, pu.Name)
				} else {
					names = append(names, pu.OID)
				}
			}
			infoField(w, "Key purpose", infoOrNone(strings.Join(names, ", "))+" ("+infoCriticality(kp.Critical)+")")
		} else {
			infoField(w, "Key purpose", "absent (libvirt allows server and client use)")
		}
		infoField(w, "Subject key ID", infoOrNone(in.SubjectKeyID))
		infoField(w, "Authority key ID", infoOrNone(in.AuthorityKeyID))
		infoField(w, "SHA-1", in.SHA1)
		infoField(w, "SHA-256", in.SHA256)
		fmt.Fprintf(w, "  libvirt verdict at %s:\n", in.At.Format(time.RFC3339))
		infoVerdict(w, p, "as CA certificate", in.Libvirt.CA)
		infoVerdict(w, p, "as server certificate", in.Libvirt.Server)
		infoVerdict(w, p, "as client certificate", in.Libvirt.Client)
	}
}

// infoDN prints a DN in libvirt's order and, when different, in RFC 4514
// order; explain adds which one libvirt matches.
func infoDN(w io.Writer, label string, dn libvirtcert.DNInfo, explain bool) {
	if dn.Error != "" {
		infoField(w, label, "(GnuTLS cannot print it: "+dn.Error+")")
		return
	}
	infoField(w, label, dn.Libvirt)
	if explain {
		fmt.Fprintf(w, "  %-18s %s\n", "", "(libvirt order: tls_allowed_dn_list patterns match this)")
	}
	if dn.RFC4514 != dn.Libvirt {
		infoField(w, label+" RFC 4514", dn.RFC4514)
		if explain {
			fmt.Fprintf(w, "  %-18s %s\n", "", "(certtool -i / openssl order: libvirt does not match this)")
		}
	}
}

func infoField(w io.Writer, label, value string) {
	fmt.Fprintf(w, "  %-18s %s\n", label+":", value)
}

func infoDays(in libvirtcert.Info) string {
	switch in.Validity {
	case "expired":
		return fmt.Sprintf("EXPIRED %d days ago", -in.DaysLeft)
	case "not-yet-valid":
		return "NOT YET VALID"
	}
	if in.DaysLeft == 1 {
		return "1 day left"
	}
	return fmt.Sprintf("%d days left", in.DaysLeft)
}

func infoSANs(s libvirtcert.SANInfo) string {
	var parts []string
	for _, v := range s.DNS {
		parts = append(parts, "DNS:"+v)
	}
	for _, v := range s.IP {
		parts = append(parts, "IP:"+v)
	}
	for _, v := range s.Email {
		parts = append(parts, "email:"+v)
	}
	for _, v := range s.URI {
		parts = append(parts, "URI:"+v)
	}
	if len(parts) == 0 {
		return "none (libvirt clients then match the host name against the CN)"
	}
	return strings.Join(parts, ", ")
}

func infoUsages(ids []string) string {
	var names []string
	for _, id := range ids {
		for _, n := range libvirtcert.KeyUsageNames {
			if n.ID == id {
				names = append(names, n.Text)
			}
		}
	}
	return infoOrNone(strings.Join(names, ", "))
}

func infoVerdict(w io.Writer, p painter, label string, v libvirtcert.Verdict) {
	status := map[string]string{"ok": "OK", "warn": "OK with warnings", "refused": "REFUSED"}[v.Status]
	fmt.Fprintf(w, "    %-22s %s\n", label+":", infoVerdictWord(p, v.Status, status))
	for _, pr := range v.Problems {
		kind := "warning"
		if pr.Fatal {
			kind = "error"
		}
		fmt.Fprintf(w, "      %s: %s [%s]\n", kind, pr.Message, pr.ID)
	}
}

// infoVerdictWord colors a verdict with the finding palette when p is on:
// ok as PASS, warn as WARN, refused as FAIL.
func infoVerdictWord(p painter, status, text string) string {
	switch status {
	case "ok":
		return p.Paint(toneGood, text)
	case "warn":
		return p.Paint(toneWarn, text)
	case "refused":
		return p.Paint(toneBad, text)
	}
	return text
}

func infoCriticality(c bool) string {
	if c {
		return "critical"
	}
	return "not critical"
}

func infoYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func infoOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
