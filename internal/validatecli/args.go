package validatecli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/virt-pki/virt-pki/validate"
)

// flags is the parsed command line.
type flags struct {
	system, user, strict bool
	path, root, conf     string
	qemuConf             string
	qemuGroup            string
	format, version      string
	warnDays             int
	hostnames, qemu      multiFlag
	scope                string
	help                 bool
}

// multiFlag is a repeatable string flag.
type multiFlag struct {
	vals []string
	set  bool
}

func (m *multiFlag) String() string     { return strings.Join(m.vals, ",") }
func (m *multiFlag) Set(s string) error { m.vals = append(m.vals, s); m.set = true; return nil }

// parseArgs parses libvirt's virt-pki-validate command line plus virt-pki's
// options: options and the scope word in any order (getopt style). A bare
// --qemu takes no value.
func parseArgs(args []string) (*flags, error) {
	v := &flags{warnDays: 30, format: "text"}
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, n := range []string{"s", "system"} {
		fs.BoolVar(&v.system, n, false, "")
	}
	for _, n := range []string{"u", "user"} {
		fs.BoolVar(&v.user, n, false, "")
	}
	for _, n := range []string{"p", "path"} {
		fs.StringVar(&v.path, n, "", "")
	}
	for _, n := range []string{"h", "help"} {
		fs.BoolVar(&v.help, n, false, "")
	}
	fs.StringVar(&v.root, "root", "", "")
	fs.StringVar(&v.conf, "libvirtd-conf", "", "")
	fs.Var(&v.qemu, "qemu", "")
	fs.StringVar(&v.qemuConf, "qemu-conf", "", "")
	fs.StringVar(&v.qemuGroup, "qemu-group", "", "")
	fs.Var(&v.hostnames, "hostname", "")
	fs.IntVar(&v.warnDays, "warn-days", 30, "")
	fs.StringVar(&v.version, "libvirt-version", "", "")
	fs.StringVar(&v.format, "format", "text", "")
	fs.BoolVar(&v.strict, "strict", false, "")

	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--qemu" || a == "-qemu" {
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && !isScopeWord(args[i+1]) {
				rest = append(rest, "--qemu="+args[i+1])
				i++
			} else {
				rest = append(rest, "--qemu=")
			}
			continue
		}
		rest = append(rest, a)
	}
	var positional []string
	for {
		if err := fs.Parse(rest); err != nil {
			return nil, err
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			positional = append(positional, rest[1:]...)
			break
		}
		positional = append(positional, rest[0])
		rest = rest[1:]
	}
	switch len(positional) {
	case 0:
	case 1:
		if !isScopeWord(positional[0]) {
			return nil, fmt.Errorf("unknown scope %q (want trust, server or client)", positional[0])
		}
		v.scope = strings.ToLower(positional[0])
	default:
		return nil, fmt.Errorf("too many arguments: %s", strings.Join(positional, " "))
	}
	n := 0
	for _, b := range []bool{v.system, v.user, v.path != ""} {
		if b {
			n++
		}
	}
	if n > 1 {
		return nil, errors.New("--system, --user and --path are mutually exclusive")
	}
	if v.format != "text" && v.format != "json" {
		return nil, fmt.Errorf("--format %q: want text or json", v.format)
	}
	for _, h := range v.hostnames.vals {
		if strings.TrimSpace(h) == "" {
			return nil, errors.New("--hostname: the name must not be empty")
		}
	}
	if v.warnDays < 0 {
		return nil, fmt.Errorf("--warn-days %d: must not be negative", v.warnDays)
	}
	if v.version != "" {
		if _, err := validate.ParseVersion(v.version); err != nil {
			return nil, fmt.Errorf("--libvirt-version: %v", err)
		}
	}
	return v, nil
}

func isScopeWord(s string) bool {
	switch strings.ToLower(s) {
	case "trust", "server", "client":
		return true
	}
	return false
}
