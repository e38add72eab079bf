package issue

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/libvirtcert"
	"github.com/virt-pki/virt-pki/templates"
)

func parseTemplate(t *testing.T, text string) *templates.Template {
	t.Helper()
	tmpl, err := templates.Parse("server.info", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func TestIssueRefusesUnusableCertificates(t *testing.T) {
	now := time.Now()
	past := now.AddDate(0, 0, -10).UTC().Format("2006-01-02 15:04:05")
	future := now.AddDate(0, 0, 10).UTC().Format("2006-01-02 15:04:05")
	var many strings.Builder
	many.WriteString("cn = big.example.org\n")
	for i := range 30000 {
		fmt.Fprintf(&many, "dns_name = host%d.example.org\n", i)
	}
	cases := []struct {
		name, template, want string
	}{
		{"expired", "cn = a.example.org\nactivation_date = \"2001-01-01 00:00:00\"\nexpiration_date = \"" + past + "\"\n", "already be expired"},
		{"zero validity", "cn = a.example.org\nactivation_date = \"" + future + "\"\nexpiration_date = \"" + future + "\"\n", "no validity"},
		{"over libvirt's cap", many.String(), "larger than the 65536 bytes"},
		{"empty server", "", ""}, // built below: parsing rejects nothing here
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tmpl *templates.Template
			if c.name == "empty server" {
				tmpl = &templates.Template{Name: "server.info"}
				c.want = "empty subject and no DNS name"
			} else {
				tmpl = parseTemplate(t, c.template)
			}
			res, err := Issue(Request{Role: libvirtcert.RoleServer, Template: tmpl, KeyParams: ecKey, CA: testCA(t), Now: now})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Issue = %v, %v; want an error containing %q", res, err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "server.info: ") {
				t.Errorf("error %q does not name the template", err)
			}
		})
	}
}

func TestIssueRefusesTheCAKey(t *testing.T) {
	authority := testCA(t)
	tmpl, err := TemplateFromFlags(libvirtcert.RoleClient, Flags{CN: "client1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Issue(Request{Role: libvirtcert.RoleClient, Template: tmpl, Key: authority.Key, CA: authority})
	if err == nil || !strings.Contains(err.Error(), "the CA's own key") {
		t.Fatalf("Issue with the CA key: %v", err)
	}
}

func findingsWithID(l finding.List, id string) []finding.Finding {
	var out []finding.Finding
	for _, f := range l {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

func TestPrepareWarnsAboutDroppedEmails(t *testing.T) {
	tmpl := parseTemplate(t, "cn = a.example.org\nemail = admin@example.org\n")
	got, err := Prepare(libvirtcert.RoleServer, tmpl, DefaultKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := findingsWithID(got, "issue-email-dropped")
	if len(w) != 1 || w[0].Status != finding.Warn || !strings.Contains(w[0].Message, "admin@example.org") {
		t.Errorf("findings %v: want one issue-email-dropped warning naming the address", got)
	}
}

func TestPrepareAggregatesShortNameWarnings(t *testing.T) {
	var text strings.Builder
	text.WriteString("cn = h0.example.org\n")
	for i := range 1000 {
		fmt.Fprintf(&text, "dns_name = h%d.example.org\n", i)
	}
	got, err := Prepare(libvirtcert.RoleServer, parseTemplate(t, text.String()), DefaultKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := findingsWithID(got, "issue-san-missing-short")
	if len(w) != 1 {
		t.Fatalf("%d short-name warnings, want 1", len(w))
	}
	if !strings.Contains(w[0].Message, "1000 DNS names") || !strings.Contains(w[0].Message, "h0, h1, h2 and 997 more") {
		t.Errorf("message %q", w[0].Message)
	}
}

func TestPrepareWarnsAboutInvalidDNSNames(t *testing.T) {
	for _, name := range []string{"bad name!", "a b", "-x.example.org", "a..b"} {
		tmpl, err := TemplateFromFlags(libvirtcert.RoleServer, Flags{CN: name})
		if err != nil {
			t.Fatal(err)
		}
		got, err := Prepare(libvirtcert.RoleServer, tmpl, DefaultKey, nil)
		if err != nil {
			t.Fatal(err)
		}
		if w := findingsWithID(got, "issue-invalid-dns-name"); len(w) != 1 {
			t.Errorf("%q: findings %v lack issue-invalid-dns-name", name, ids(got))
		}
	}
	for _, name := range []string{"compute1", "compute1.example.org", "*.example.org", "x_y.example.org."} {
		tmpl, _ := TemplateFromFlags(libvirtcert.RoleServer, Flags{CN: name})
		got, _ := Prepare(libvirtcert.RoleServer, tmpl, DefaultKey, nil)
		if w := findingsWithID(got, "issue-invalid-dns-name"); len(w) != 0 {
			t.Errorf("%q: unexpected %v", name, w)
		}
	}
}

func TestFlagFindingsWarnsAboutReversedDN(t *testing.T) {
	got := FlagFindings("--dn", Flags{DN: "CN=client1,O=Example,C=GB"})
	if len(got) != 1 || got[0].ID != "issue-dn-looks-reversed" || !strings.Contains(got[0].Fix, "--dn 'C=GB,O=Example,CN=client1'") {
		t.Errorf("reversed DN: %+v", got)
	}
	if got := FlagFindings("--dn", Flags{DN: "C=GB,O=Example,CN=client1"}); len(got) != 0 {
		t.Errorf("libvirt order: unexpected %+v", got)
	}
}
