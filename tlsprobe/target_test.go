package tlsprobe

import (
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	cases := []struct {
		in        string
		host      string
		port      int
		transport Transport
		pkipath   string
		noVerify  bool
	}{
		{"qemu+tls://root@host1.example:16600/system?pkipath=/etc/x&no_verify=1", "host1.example", 16600, TransportTLS, "/etc/x", true},
		{"qemu://host1.example/system", "host1.example", 16514, TransportTLS, "", false},
		{"test+tls://[::1]/default", "::1", 16514, TransportTLS, "", false},
		{"qemu+tcp://h/system", "h", 16509, TransportTCP, "", false},
		{"h.example", "h.example", 16514, TransportTLS, "", false},
		{"h.example:1234", "h.example", 1234, TransportTLS, "", false},
		{"127.0.0.1", "127.0.0.1", 16514, TransportTLS, "", false},
		{"[::1]:99", "::1", 99, TransportTLS, "", false},
		{"::1", "::1", 16514, TransportTLS, "", false},
		{"qemu+tls://h/system?no_verify=0", "h", 16514, TransportTLS, "", false},
	}
	for _, c := range cases {
		got, err := ParseTarget(c.in)
		if err != nil {
			t.Errorf("ParseTarget(%q): %v", c.in, err)
			continue
		}
		if got.Host != c.host || got.Port != c.port || got.Transport != c.transport || got.PKIPath != c.pkipath || got.NoVerify != c.noVerify {
			t.Errorf("ParseTarget(%q) = %+v", c.in, got)
		}
	}
}

func TestParseTargetErrors(t *testing.T) {
	for in, want := range map[string]string{
		"qemu:///system":            "no host name",
		"qemu+ssh://h/system":       "does not use TCP",
		"qemu+unix:///system":       "does not use TCP",
		"qemu+tls://h:99999/system": "invalid port",
		"h:0":                       "invalid port",
		"":                          "empty",
		"qemu+tls://h/x?pkipath=":   "empty pkipath",
	} {
		_, err := ParseTarget(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTarget(%q) error = %v, want %q", in, err, want)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"qemu+tls://u@h:1/system?pkipath=/x&no_verify=1", "h:1", "[::1]:2", "::1", "qemu:///system", "a+b+c://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			return
		}
		if tg.Host == "" || tg.Port < 1 || tg.Port > 65535 {
			t.Fatalf("ParseTarget(%q) accepted %+v", s, tg)
		}
	})
}
