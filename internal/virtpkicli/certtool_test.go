package virtpkicli

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCerttoolArgs(t *testing.T) {
	a, err := parseCerttoolArgs(strings.Fields("--generate-certificate --load-privkey k.pem --load-ca-certificate=ca.pem --outfile o.pem -d 3 --no-text"))
	if err != nil {
		t.Fatal(err)
	}
	if a.command != "generate-certificate" || a.values["load-privkey"] != "k.pem" || a.values["load-ca-certificate"] != "ca.pem" ||
		a.values["outfile"] != "o.pem" || a.values["debug"] != "3" || !a.flags["no-text"] {
		t.Errorf("parsed %+v", a)
	}
	if a, err := parseCerttoolArgs([]string{"-p", "--bits", "2048", "-d9"}); err != nil || a.command != "generate-privkey" || a.values["bits"] != "2048" || a.values["debug"] != "9" {
		t.Errorf("short forms: %+v %v", a, err)
	}
	for args, code := range map[string]int{
		"--bogus":               exitFail,
		"-Z":                    exitFail,
		"--outfile":             exitFail,
		"--no-text=yes":         exitFail,
		"stray":                 exitFail,
		"--to-p12":              exitUsage,
		"--inder -i":            exitUsage,
		"-p -s":                 exitUsage,
		"--generate-crl --bits": exitUsage,
	} {
		_, err := parseCerttoolArgs(strings.Fields(args))
		var ce *certtoolError
		if !errors.As(err, &ce) || ce.code != code {
			t.Errorf("%q: got %v, want exit %d", args, err, code)
		}
	}
}

func FuzzParseCerttoolArgs(f *testing.F) {
	f.Add("--generate-privkey --key-type ecdsa --outfile k.pem")
	f.Add("-c --load-privkey=k --template t -d")
	f.Add("--verify --infile - --load-ca-certificate")
	f.Add("-- - --=x -")
	f.Fuzz(func(t *testing.T, line string) {
		a, err := parseCerttoolArgs(strings.Split(line, " "))
		if err == nil {
			if a == nil {
				t.Fatal("nil result without error")
			}
			return
		}
		var ce *certtoolError
		if !errors.As(err, &ce) || (ce.code != exitFail && ce.code != exitUsage) {
			t.Fatalf("error %v is not a certtool error with exit 1 or 2", err)
		}
	})
}
