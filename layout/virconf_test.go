package layout

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseConfValues(t *testing.T) {
	src := "# header comment\n" +
		"listen_tls = 1\n" +
		"tls_port = \"16514\" # trailing comment\n" +
		"key_file='/etc/x/key.pem'; cert_file = \"/etc/x/cert.pem\"\n" +
		"neg = -42\n" +
		"plus = +7\n" +
		"tls_allowed_dn_list = [ \"C=GB,O=a\",\n" +
		"    'C=GB,O=b',\n" +
		"]\n" +
		"empty = []\n" +
		"multi = \"\"\"line1\nline2\"\"\"\n" +
		"unknown_key = \"kept\"\n" +
		"after = 1\n"
	c, err := ParseConf("test.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Name: "listen_tls", Line: 2, Value: Value{Type: Unsigned, Int: 1}},
		{Name: "tls_port", Line: 3, Value: Value{Type: String, Str: "16514"}},
		{Name: "key_file", Line: 4, Value: Value{Type: String, Str: "/etc/x/key.pem"}},
		{Name: "cert_file", Line: 4, Value: Value{Type: String, Str: "/etc/x/cert.pem"}},
		{Name: "neg", Line: 5, Value: Value{Type: Signed, Int: -42}},
		{Name: "plus", Line: 6, Value: Value{Type: Unsigned, Int: 7}},
		{Name: "tls_allowed_dn_list", Line: 7, Value: Value{Type: List, List: []Value{{Type: String, Str: "C=GB,O=a"}, {Type: String, Str: "C=GB,O=b"}}}},
		{Name: "empty", Line: 10, Value: Value{Type: List, List: []Value{}}},
		{Name: "multi", Line: 11, Value: Value{Type: String, Str: "line1\nline2"}},
		{Name: "unknown_key", Line: 13, Value: Value{Type: String, Str: "kept"}},
		{Name: "after", Line: 14, Value: Value{Type: Unsigned, Int: 1}},
	}
	if !reflect.DeepEqual(c.Entries, want) {
		t.Fatalf("entries:\n got %+v\nwant %+v", c.Entries, want)
	}
}

func TestParseConfFirstDuplicateWins(t *testing.T) {
	c, err := ParseConf("x", []byte("ca_file = \"/a\"\nca_file = \"/b\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s, _, _ := c.GetString("ca_file"); s != "/a" {
		t.Fatalf("ca_file = %q, want the first value /a", s)
	}
}

func TestParseConfErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"a = \"unterminated\n", "f.conf:1: unterminated string"},
		{"a = 'x\nb = 1\n", "f.conf:1: unterminated string"},
		{"\n\na = \n", "f.conf:3: expecting a value"},
		{"a = yes\n", "f.conf:1: expecting a value"},
		{"a 1\n", "f.conf:1: expecting an assignment"},
		{"1a = 1\n", "f.conf:1: expecting a name"},
		{"a = 1 b = 2\n", "f.conf:1: expecting a separator"},
		{"a = [ \"x\" \"y\" ]\n", "f.conf:1: expecting a separator in list"},
		{"a = [ \"x\",\n \"y\"\n", "f.conf:3: list is not closed with ]"},
		{"a = [ \"x\", # comment\n ]\n", "f.conf:1: expecting a value"},
		{"a = -\n", "f.conf:1: unterminated number"},
		{"a = \"\"\"never closed\nstill\n", "f.conf:2: unterminated string"},
		{"   \n", "f.conf:2: expecting a name"},
	}
	for _, tc := range cases {
		_, err := ParseConf("f.conf", []byte(tc.src))
		if err == nil {
			t.Errorf("%q: no error, want %q", tc.src, tc.want)
			continue
		}
		var ce *ConfError
		if !errors.As(err, &ce) {
			t.Errorf("%q: error %T is not a *ConfError", tc.src, err)
		}
		if err.Error() != tc.want {
			t.Errorf("%q: error %q, want %q", tc.src, err, tc.want)
		}
	}
}

func TestConfGetters(t *testing.T) {
	c, err := ParseConf("g.conf", []byte("s = \"x\"\nn = 2\nb = 1\nl = [ \"a\", 1 ]\nsl = [ \"a\" ]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.GetString("n"); err == nil || err.Error() != "g.conf:2: expected a string for 'n' parameter" {
		t.Errorf("GetString(n) error = %v", err)
	}
	if _, _, err := c.GetBool("n"); err == nil || err.Error() != "g.conf:2: value for 'n' parameter must be 0 or 1" {
		t.Errorf("GetBool(n) error = %v", err)
	}
	if _, _, err := c.GetBool("s"); err == nil || err.Error() != "g.conf:1: expected a bool for 's' parameter" {
		t.Errorf("GetBool(s) error = %v", err)
	}
	if b, set, err := c.GetBool("b"); !b || !set || err != nil {
		t.Errorf("GetBool(b) = %v %v %v", b, set, err)
	}
	if _, set, err := c.GetBool("absent"); set || err != nil {
		t.Errorf("GetBool(absent) = %v %v", set, err)
	}
	if _, _, err := c.GetStringList("l", false); err == nil || err.Error() != "g.conf:4: expected a string list for 'l' parameter" {
		t.Errorf("GetStringList(l) error = %v", err)
	}
	if _, _, err := c.GetStringList("s", false); err == nil {
		t.Error("GetStringList(s, false) accepted a plain string")
	}
	if l, _, err := c.GetStringList("s", true); err != nil || !reflect.DeepEqual(l, []string{"x"}) {
		t.Errorf("GetStringList(s, true) = %v %v", l, err)
	}
	if l, _, err := c.GetStringList("sl", false); err != nil || !reflect.DeepEqual(l, []string{"a"}) {
		t.Errorf("GetStringList(sl) = %v %v", l, err)
	}
}

// roundTrippable reports whether Format can express v so that ParseConf
// reads it back unchanged (virConf strings have no escapes).
func roundTrippable(v Value) bool {
	switch v.Type {
	case String:
		if strings.ContainsAny(v.Str, "\r") || strings.Contains(v.Str, `"""`) {
			return false
		}
		if strings.Contains(v.Str, "\n") || (strings.Contains(v.Str, `"`) && strings.Contains(v.Str, "'")) {
			return !strings.Contains(v.Str, `"`)
		}
	case List:
		for _, item := range v.List {
			if !roundTrippable(item) {
				return false
			}
		}
	}
	return true
}

func checkConfInvariants(t *testing.T, data []byte) {
	c, err := ParseConf("fuzz.conf", data)
	if err != nil {
		var ce *ConfError
		if !errors.As(err, &ce) || ce.Line < 1 || strings.Contains(err.Error(), "\n") {
			t.Fatalf("bad error %q", err)
		}
		return
	}
	var b strings.Builder
	var kept []Entry
	for _, e := range c.Entries {
		if !roundTrippable(e.Value) {
			continue
		}
		kept = append(kept, e)
		b.WriteString(e.Name + " = " + e.Value.Format() + "\n")
	}
	again, err := ParseConf("again.conf", []byte(b.String()))
	if err != nil {
		t.Fatalf("re-parsing formatted entries: %v\n%s", err, b.String())
	}
	if len(again.Entries) != len(kept) {
		t.Fatalf("round trip: %d entries, want %d", len(again.Entries), len(kept))
	}
	for i := range kept {
		if !reflect.DeepEqual(again.Entries[i].Value, kept[i].Value) || again.Entries[i].Name != kept[i].Name {
			t.Fatalf("round trip entry %d: %+v, want %+v", i, again.Entries[i], kept[i])
		}
	}
}

var confSeeds = []string{
	"",
	"listen_tls = 1\nlisten_tcp = 0\n",
	"ca_file = \"/etc/pki/CA/cacert.pem\"\ncert_file = '/c.pem'\nkey_file = \"/k.pem\"\n",
	"tls_allowed_dn_list = [\"C=GB,O=Example,CN=*\",\n  \"DN2\", ]\n",
	"a = \"\"\"x\ny\"\"\"\n",
	"# only a comment\n",
	"a = 1; b = -2 # c\n",
	"a = [ [ 1 ], \"x\" ]\n",
	"a = 99999999999999999999999\n",
	"a = \"unterminated\n",
	"vnc_tls = 1\nvnc_tls_x509_cert_dir = \"/etc/pki/libvirt-vnc\"\nvnc_tls_x509_verify = 1\n",
	"default_tls_x509_cert_dir = \"/etc/pki/qemu\"\nuser = \"+0\"\ngroup = \"kvm\"\n",
}

func FuzzParseLibvirtdConf(f *testing.F) {
	for _, s := range confSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkConfInvariants(t, data)
		c, err := ParseLibvirtdConf("libvirtd.conf", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "libvirtd.conf") {
				t.Fatalf("error does not name the file: %q", err)
			}
			return
		}
		// The all-or-none rule never panics and is consistent.
		sf, p := EffectiveServerFiles("/r", c)
		if p == nil && sf.Custom && (sf.CACert == "" || sf.ServerCert == "" || sf.ServerKey == "") {
			t.Fatalf("custom server files without a problem but with an empty path: %+v", sf)
		}
	})
}

func FuzzParseQEMUConf(f *testing.F) {
	for _, s := range confSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseQEMUConf("qemu.conf", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "qemu.conf") {
				t.Fatalf("error does not name the file: %q", err)
			}
			return
		}
		dirs, _ := c.CertDirs("/r", func(string) bool { return false })
		if len(dirs) != len(QEMUServices) {
			t.Fatalf("%d service dirs, want %d", len(dirs), len(QEMUServices))
		}
	})
}
