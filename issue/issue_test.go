package issue

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/ca"
	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/libvirtcert"
	"github.com/virt-pki/virt-pki/templates"
)

var ecKey = keys.Params{Algorithm: keys.ECDSA, Curve: "P-256"}

func ids(l finding.List) []string {
	var s []string
	for _, f := range l {
		s = append(s, f.ID)
	}
	return s
}

func testCA(t *testing.T) *ca.CA {
	t.Helper()
	created, err := ca.Create(ca.DefaultTemplate("Test CA", 30), nil, ca.DefaultKey, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &ca.CA{Cert: created.Cert, Key: created.Key, CertPath: "cacert.pem", KeyPath: "cakey.pem"}
}

func TestIssueClientFromLegacyDN(t *testing.T) {
	const dn = "C=GB,ST=London,L=London,O=Libvirt Project,CN=client1"
	tmpl, err := TemplateFromFlags(libvirtcert.RoleClient, Flags{DN: dn})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Issue(Request{Role: libvirtcert.RoleClient, Template: tmpl, KeyParams: keys.Params{Algorithm: keys.RSA, Bits: 2048}, CA: testCA(t)})
	if err != nil {
		t.Fatal(err)
	}
	if res.DN != dn {
		t.Errorf("DN %q, want %q", res.DN, dn)
	}
	c := res.Cert
	if c.KeyUsage != 1|4 { // digitalSignature | keyEncipherment
		t.Errorf("key usage %b, want digitalSignature+keyEncipherment", c.KeyUsage)
	}
	if len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != 2 { // clientAuth
		t.Errorf("EKU %v", c.ExtKeyUsage)
	}
	if c.SerialNumber.BitLen() < 64 || c.SignatureAlgorithm.String() != "ECDSA-SHA256" {
		t.Errorf("serial %v / signature %v", c.SerialNumber, c.SignatureAlgorithm)
	}
	if d := c.NotAfter.Sub(c.NotBefore); d != DefaultDays*24*time.Hour {
		t.Errorf("validity %v", d)
	}
	// The 30-day CA is outlived by the 365-day leaf: warned.
	if !slices.Contains(ids(res.Findings), "issue-outlives-ca") {
		t.Errorf("findings %v lack issue-outlives-ca", ids(res.Findings))
	}
	// Flag templates are complete: no notes about added keywords.
	for _, f := range res.Findings {
		if f.Status == finding.Pass {
			t.Errorf("unexpected note %s: %s", f.ID, f.Message)
		}
	}
	line, widened := AllowedDNLine(res.DN)
	if line != `tls_allowed_dn_list = ["`+dn+`"]` || widened {
		t.Errorf("line %q widened=%v", line, widened)
	}
}

func TestPrepareServerNames(t *testing.T) {
	host := &Host{FQDN: "compute1.libvirt.org", Short: "compute1", Addresses: []net.IP{net.ParseIP("10.0.0.74").To4(), net.ParseIP("2001:cafe::74")}}
	cases := []struct {
		name  string
		t     *templates.Template
		host  *Host
		want  []string
		avoid []string
	}{
		{"FQDN only", &templates.Template{Name: "s.info", CN: "compute1.libvirt.org"}, host,
			[]string{"issue-added-cn-san", "issue-san-missing-short", "issue-san-missing-address", "issue-added-tls-www-server"}, nil},
		{"short only", &templates.Template{Name: "s.info", CN: "compute1", TLSWWWServer: true}, host,
			[]string{"issue-san-missing-fqdn", "issue-san-missing-address"}, []string{"issue-san-missing-short"}},
		{"complete", &templates.Template{Name: "s.info", CN: "compute1.libvirt.org", TLSWWWServer: true, SigningKey: true,
			DNSNames: []string{"compute1", "compute1.libvirt.org"}, IPAddresses: host.Addresses}, host,
			nil, []string{"issue-san-missing-short", "issue-san-missing-fqdn", "issue-san-missing-address", "issue-added-cn-san"}},
		{"address as dns_name", &templates.Template{Name: "s.info", CN: "x", DNSNames: []string{"10.0.0.1"}}, nil,
			[]string{"issue-dns-is-address"}, nil},
		{"other host", &templates.Template{Name: "s.info", CN: "web.example.com", TLSWWWServer: true, DNSNames: []string{"web"}}, nil,
			[]string{"issue-added-cn-san"}, []string{"issue-san-missing-address", "issue-san-missing-short"}},
	}
	for _, c := range cases {
		got, err := Prepare(libvirtcert.RoleServer, c.t, ecKey, c.host)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		gotIDs := ids(got)
		for _, w := range append(c.want, "issue-ec-leaf-libvirt9") {
			if !slices.Contains(gotIDs, w) {
				t.Errorf("%s: findings %v lack %s", c.name, gotIDs, w)
			}
		}
		for _, a := range c.avoid {
			if slices.Contains(gotIDs, a) {
				t.Errorf("%s: unexpected %s in %v", c.name, a, gotIDs)
			}
		}
		if c.t.CN != "" && net.ParseIP(c.t.CN) == nil && !slices.Contains(c.t.DNSNames, c.t.CN) {
			t.Errorf("%s: CN %s not added to DNS names %v", c.name, c.t.CN, c.t.DNSNames)
		}
	}
}

func TestPrepareRefusals(t *testing.T) {
	rsa := keys.Params{Algorithm: keys.RSA, Bits: 3072}
	for name, c := range map[string]struct {
		role libvirtcert.Role
		t    *templates.Template
		key  keys.Params
		want string
	}{
		"CA template":   {libvirtcert.RoleServer, &templates.Template{Name: "ca.info", CN: "x", CA: true}, rsa, "ca.info: the template makes a CA"},
		"Ed25519 leaf":  {libvirtcert.RoleClient, &templates.Template{Name: "c.info", CN: "x"}, keys.Params{Algorithm: keys.Ed25519}, "Ed25519 client certificates are refused"},
		"weak RSA":      {libvirtcert.RoleClient, &templates.Template{Name: "c.info", CN: "x"}, keys.Params{Algorithm: keys.RSA, Bits: 1024}, "below 2048"},
		"empty subject": {libvirtcert.RoleClient, &templates.Template{Name: "c.info", TLSWWWClient: true}, rsa, "c.info: the client certificate would have an empty subject"},
	} {
		_, err := Prepare(c.role, c.t, c.key, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", name, err, c.want)
		}
	}
	// The guide's client.info with an RSA key gains encryption_key, said so.
	tmpl := mustParse(t, "client.info", "country = GB\ncn = client1\ntls_www_client\nsigning_key\n")
	got, err := Prepare(libvirtcert.RoleClient, tmpl, rsa, nil)
	if err != nil || !tmpl.EncryptionKey || !slices.Contains(ids(got), "issue-added-encryption-key") {
		t.Errorf("encryption_key not added: %v %v %v", err, tmpl.EncryptionKey, ids(got))
	}
}

func mustParse(t *testing.T, name, text string) *templates.Template {
	t.Helper()
	tmpl, err := templates.Parse(name, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func TestTemplateFromFlagsErrors(t *testing.T) {
	for _, f := range []Flags{{}, {DN: "CN=a", CN: "b"}, {CN: "a", IPs: []string{"10.0.0.0/8"}}, {DN: "C=GB+O=x"}} {
		if _, err := TemplateFromFlags(libvirtcert.RoleClient, f); err == nil {
			t.Errorf("%+v: want an error", f)
		}
	}
	tmpl, err := TemplateFromFlags(libvirtcert.RoleServer, Flags{CN: "h", IPs: []string{"::ffff:10.0.0.1", "fe80::1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tmpl.IPAddresses[0]) != 4 || len(tmpl.IPAddresses[1]) != 16 {
		t.Errorf("IP encodings %v", tmpl.IPAddresses)
	}
}

func TestFilesAndAllowedDN(t *testing.T) {
	r := &Result{Role: libvirtcert.RoleServer, KeyPEM: []byte("k"), CertPEM: []byte("c")}
	files := r.Files("out")
	if len(files) != 2 || files[0].Path != filepath.Join("out", "serverkey.pem") || files[0].Mode != 0o600 ||
		files[1].Path != filepath.Join("out", "servercert.pem") || files[1].Mode != 0o644 {
		t.Errorf("files %+v", files)
	}
	r.KeyPEM = nil
	if len(r.Files("out")) != 1 {
		t.Error("a brought key is written again")
	}
	if line, widened := AllowedDNLine(`O=A\, "B"*,CN=x`); line != `tls_allowed_dn_list = ['O=A\, "B"*,CN=x']` || !widened {
		t.Errorf("got %q %v", line, widened)
	}
}

func TestThisHost(t *testing.T) {
	h := ThisHost()
	name, _ := os.Hostname()
	if h.Short == "" || !strings.HasPrefix(h.FQDN, h.Short) || !strings.HasPrefix(name, h.Short) {
		t.Errorf("host %+v for hostname %q", h, name)
	}
	for _, a := range h.Addresses {
		if a.IsLoopback() || a.IsLinkLocalUnicast() {
			t.Errorf("address %v should not be listed", a)
		}
	}
}
