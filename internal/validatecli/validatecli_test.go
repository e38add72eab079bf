package validatecli

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want flags
	}{
		{"defaults", nil, flags{warnDays: 30, format: "text"}},
		{"scope after options, capitals", []string{"-p", "dir", "SERVER"},
			flags{path: "dir", scope: "server", warnDays: 30, format: "text"}},
		{"options after the scope", []string{"client", "--system", "--warn-days", "7", "--strict"},
			flags{system: true, strict: true, scope: "client", warnDays: 7, format: "text"}},
		{"bare --qemu before the scope", []string{"--qemu", "trust"},
			flags{qemu: multiFlag{vals: []string{""}, set: true}, scope: "trust", warnDays: 30, format: "text"}},
		{"--qemu DIR and --qemu=DIR", []string{"--qemu", "/srv/q", "--qemu=/opt/q", "--qemu"},
			flags{qemu: multiFlag{vals: []string{"/srv/q", "/opt/q", ""}, set: true}, warnDays: 30, format: "text"}},
		{"repeated --hostname", []string{"--hostname", "a.example", "--hostname=192.0.2.1", "--format", "json"},
			flags{hostnames: multiFlag{vals: []string{"a.example", "192.0.2.1"}, set: true}, warnDays: 30, format: "json"}},
		{"--qemu-conf FILE", []string{"--qemu-conf", "/srv/qemu.conf", "server"},
			flags{qemuConf: "/srv/qemu.conf", scope: "server", warnDays: 30, format: "text"}},
		{"-- ends the options", []string{"--", "trust"}, flags{scope: "trust", warnDays: 30, format: "text"}},
	}
	for _, c := range cases {
		got, err := parseArgs(c.args)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, *got, c.want)
		}
	}
}

func TestParseArgsRefuses(t *testing.T) {
	cases := map[string][]string{
		"unknown scope":            {"bogus"},
		"too many arguments":       {"trust", "server"},
		"mutually exclusive":       {"-s", "-p", "dir"},
		"want text or json":        {"--format", "yaml"},
		"must not be empty":        {"--hostname", " "},
		"must not be negative":     {"--warn-days", "-1"},
		"--libvirt-version":        {"--libvirt-version", "nine"},
		"flag needs an argument":   {"--path"},
		"needs an argument: -qemu": {"--qemu-conf"},
		"flag provided but not d":  {"--frobnicate"},
	}
	for want, args := range cases {
		if _, err := parseArgs(args); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one containing %q", args, err, want)
		}
	}
}

// FuzzParseArgs feeds NUL-separated command lines: the parser must not
// panic, and what it accepts must be a valid command line.
func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{"", "-s\x00server", "CLIENT\x00-p\x00dir", "--qemu\x00trust", "--qemu\x00/d\x00--qemu=",
		"--warn-days\x00-1", "--format\x00json\x00--strict", "--\x00trust", "--hostname=\x00x", "-h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var args []string
		if s != "" {
			args = strings.Split(s, "\x00")
		}
		v, err := parseArgs(args)
		if err != nil {
			return
		}
		if v.scope != "" && !isScopeWord(v.scope) || v.scope != strings.ToLower(v.scope) {
			t.Errorf("%q: scope %q", args, v.scope)
		}
		if v.format != "text" && v.format != "json" {
			t.Errorf("%q: format %q", args, v.format)
		}
		if v.warnDays < 0 {
			t.Errorf("%q: warn-days %d", args, v.warnDays)
		}
	})
}

func TestMainMessages(t *testing.T) {
	cases := []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"virt-pki-validate", "--version"}, ExitOK, "virt-pki-validate (virt-pki)\n", ""},
		{[]string{"virt-pki-validate", "-h"}, ExitOK, Usage, ""},
		{[]string{"virt-pki-validate", "--format", "xml"}, ExitUsage, "",
			"virt-pki-validate: validate: --format \"xml\": want text or json (see 'virt-pki-validate --help')\n"},
		{[]string{"/usr/local/bin/anything", "trust", "client"}, ExitUsage, "",
			"virt-pki-validate: validate: too many arguments: trust client (see 'virt-pki-validate --help')\n"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := Main(c.args, &stdout, &stderr)
		if code != c.code || stdout.String() != c.stdout || stderr.String() != c.stderr {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %d, %q, %q", c.args, code, stdout.String(), stderr.String(), c.code, c.stdout, c.stderr)
		}
	}
}

// --qemu-conf names the qemu.conf for the QEMU directories and asks for
// them (as a bare --qemu does).
func TestOptionsQEMUConf(t *testing.T) {
	v, err := parseArgs([]string{"--root", "/img", "--qemu-conf", "/srv/qemu.conf", "--hostname", "h"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := options(v)
	if err != nil {
		t.Fatal(err)
	}
	if o.QEMUConf != "/srv/qemu.conf" || !o.QEMUFromConf {
		t.Errorf("QEMUConf %q, QEMUFromConf %v", o.QEMUConf, o.QEMUFromConf)
	}
	v, _ = parseArgs([]string{"--qemu", "--hostname", "h"})
	if o, _ := options(v); o.QEMUConf != "" || !o.QEMUFromConf {
		t.Errorf("bare --qemu: QEMUConf %q, QEMUFromConf %v", o.QEMUConf, o.QEMUFromConf)
	}
}
