package virtpkicli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
)

// The certtool personality: `virt-pki certtool OPTIONS...`, or the binary
// started through a link named certtool, accepts GnuTLS certtool 3.7's
// command line for the commands the libvirt guide and its users need
// (-p, -s, -c, -q, -i, --verify, -e, --key-id, --fingerprint) with certtool's
// messages and exit codes. Options certtool has but virt-pki does not
// implement exit 2 with "unsupported certtool option X"; options certtool
// does not know are refused as certtool refuses them.

func init() {
	personalities["certtool"] = runCerttool
	commands = append(commands, &cli.Command{
		Name:            "certtool",
		Usage:           "run as GnuTLS certtool (-p, -s, -c, -q, -i, --verify, ...): certtool OPTIONS...",
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			code := runCerttool(append([]string{"certtool"}, c.Args().Slice()...), c.App.Writer, c.App.ErrWriter)
			if code != 0 {
				return exitWith(code)
			}
			return nil
		},
	})
}

// certtoolOption describes one certtool option.
type certtoolOption struct {
	name      string // long name without dashes
	short     byte   // short flag, 0 if none
	arg       bool   // takes a value
	command   bool   // selects the operation
	supported bool
}

var certtoolOptions = []certtoolOption{
	// Operations virt-pki implements.
	{name: "generate-privkey", short: 'p', command: true, supported: true},
	{name: "generate-self-signed", short: 's', command: true, supported: true},
	{name: "generate-certificate", short: 'c', command: true, supported: true},
	{name: "generate-request", short: 'q', command: true, supported: true},
	{name: "certificate-info", short: 'i', command: true, supported: true},
	{name: "verify", command: true, supported: true},
	{name: "verify-chain", short: 'e', command: true, supported: true},
	{name: "key-id", command: true, supported: true},
	{name: "fingerprint", command: true, supported: true},
	// Options virt-pki implements.
	{name: "load-privkey", arg: true, supported: true},
	{name: "load-ca-privkey", arg: true, supported: true},
	{name: "load-ca-certificate", arg: true, supported: true},
	{name: "load-request", arg: true, supported: true},
	{name: "load-certificate", arg: true, supported: true},
	{name: "template", arg: true, supported: true},
	{name: "outfile", arg: true, supported: true},
	{name: "infile", arg: true, supported: true},
	{name: "key-type", arg: true, supported: true},
	{name: "bits", arg: true, supported: true},
	{name: "curve", arg: true, supported: true},
	{name: "sec-param", arg: true, supported: true},
	{name: "hash", arg: true, supported: true},
	{name: "rsa", supported: true},
	{name: "ecc", supported: true},
	{name: "ecdsa", supported: true},
	{name: "text", supported: true},
	{name: "no-text", supported: true},
	{name: "stdout-info", supported: true},
	{name: "debug", short: 'd', arg: true, supported: true},
	{name: "verbose", short: 'V', supported: true},
	{name: "help", short: 'h', command: true, supported: true},
	{name: "version", short: 'v', command: true, supported: true},
	// certtool options virt-pki does not implement.
	{name: "pubkey-info", command: true},
	{name: "generate-proxy", command: true},
	{name: "update-certificate", short: 'u', command: true},
	{name: "v1"},
	{name: "sign-params", arg: true},
	{name: "crq-info", command: true},
	{name: "no-crq-extensions"},
	{name: "p12-info", command: true},
	{name: "p12-name", arg: true},
	{name: "to-p12", command: true},
	{name: "key-info", short: 'k', command: true},
	{name: "p8-info", command: true},
	{name: "to-rsa", command: true},
	{name: "to-p8", command: true},
	{name: "pkcs8", short: '8'},
	{name: "provable"},
	{name: "verify-provable-privkey", command: true},
	{name: "seed", arg: true},
	{name: "crl-info", short: 'l', command: true},
	{name: "generate-crl", command: true},
	{name: "verify-crl", command: true},
	{name: "verify-hostname", arg: true},
	{name: "verify-email", arg: true},
	{name: "verify-purpose", arg: true},
	{name: "verify-allow-broken"},
	{name: "verify-profile", arg: true},
	{name: "p7-generate", command: true},
	{name: "p7-sign", command: true},
	{name: "p7-detached-sign", command: true},
	{name: "p7-include-cert"},
	{name: "no-p7-include-cert"},
	{name: "p7-time"},
	{name: "p7-show-data"},
	{name: "p7-info", command: true},
	{name: "p7-verify", command: true},
	{name: "smime-to-p7", command: true},
	{name: "get-dh-params", command: true},
	{name: "dh-info", command: true},
	{name: "generate-dh-params", command: true},
	{name: "load-pubkey", arg: true},
	{name: "load-crl", arg: true},
	{name: "load-data", arg: true},
	{name: "password", arg: true},
	{name: "null-password"},
	{name: "empty-password"},
	{name: "hex-numbers"},
	{name: "cprint"},
	{name: "salt-size", arg: true},
	{name: "inder"},
	{name: "inraw"},
	{name: "outder"},
	{name: "outraw"},
	{name: "ask-pass"},
	{name: "pkcs-cipher", arg: true},
	{name: "provider", arg: true},
	{name: "dsa"},
	{name: "more-help", short: '!', command: true},
}

const certtoolUsageLine = "Usage:  certtool [ -<flag> [<val>] | --<name>[{=| }<val>] ]... "

// certtoolArgs is a parsed certtool command line.
type certtoolArgs struct {
	command string            // long name of the operation
	values  map[string]string // options with a value (last one wins, as in certtool)
	flags   map[string]bool   // options without a value
}

func (a *certtoolArgs) has(name string) bool { _, ok := a.values[name]; return ok || a.flags[name] }

// certtoolError is a failure with certtool's exit code and message lines.
type certtoolError struct {
	code int
	msg  string
}

func (e *certtoolError) Error() string { return e.msg }

func ctFail(format string, args ...any) error {
	return &certtoolError{code: exitFail, msg: fmt.Sprintf(format, args...)}
}

func ctUsage(format string, args ...any) error {
	return &certtoolError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

func lookupCerttoolOption(long string, short byte) (certtoolOption, bool) {
	for _, o := range certtoolOptions {
		if (long != "" && o.name == long) || (short != 0 && o.short == short) {
			return o, true
		}
	}
	return certtoolOption{}, false
}

// parseCerttoolArgs parses certtool's GNU-style options: --name, --name=V,
// --name V, -x, -x V, -xV.
func parseCerttoolArgs(args []string) (*certtoolArgs, error) {
	a := &certtoolArgs{values: map[string]string{}, flags: map[string]bool{}}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		var opt certtoolOption
		var val string
		hasVal := false
		switch {
		case strings.HasPrefix(arg, "--") && len(arg) > 2:
			name := arg[2:]
			if k := strings.IndexByte(name, '='); k >= 0 {
				name, val, hasVal = name[:k], name[k+1:], true
			}
			o, ok := lookupCerttoolOption(name, 0)
			if !ok {
				return nil, &certtoolError{code: exitFail, msg: fmt.Sprintf("certtool: unrecognized option '--%s'\n%s", name, certtoolUsageLine)}
			}
			opt = o
		case strings.HasPrefix(arg, "-") && len(arg) > 1:
			o, ok := lookupCerttoolOption("", arg[1])
			if !ok {
				return nil, &certtoolError{code: exitFail, msg: fmt.Sprintf("certtool: invalid option -- '%c'\n%s", arg[1], certtoolUsageLine)}
			}
			opt = o
			if len(arg) > 2 {
				if !o.arg {
					return nil, ctUsage("certtool: combined short options (%s) are not supported; give them separately", arg)
				}
				val, hasVal = arg[2:], true
			}
		default:
			return nil, &certtoolError{code: exitFail, msg: fmt.Sprintf("certtool: extra argument '%s'\n%s", arg, certtoolUsageLine)}
		}
		display := "--" + opt.name
		if !opt.supported {
			return nil, ctUsage("unsupported certtool option %s", display)
		}
		if opt.arg && !hasVal {
			if i+1 >= len(args) {
				return nil, &certtoolError{code: exitFail, msg: fmt.Sprintf("certtool: option '%s' requires an argument\n%s", display, certtoolUsageLine)}
			}
			i++
			val = args[i]
		} else if !opt.arg && hasVal {
			return nil, &certtoolError{code: exitFail, msg: fmt.Sprintf("certtool: option '%s' doesn't allow an argument\n%s", display, certtoolUsageLine)}
		}
		if opt.command {
			if a.command != "" && a.command != opt.name {
				return nil, ctUsage("certtool: --%s and --%s cannot be combined", a.command, opt.name)
			}
			a.command = opt.name
			continue
		}
		if opt.arg {
			a.values[opt.name] = val
		} else {
			a.flags[opt.name] = true
		}
	}
	return a, nil
}

// runCerttool runs certtool's command line; args[0] is the program name.
func runCerttool(args []string, stdout, stderr io.Writer) int {
	a, err := parseCerttoolArgs(args[1:])
	if err == nil {
		err = dispatchCerttool(a, stdout, stderr)
	}
	if err == nil {
		return exitOK
	}
	var ce *certtoolError
	if errors.As(err, &ce) {
		if ce.msg != "" {
			fmt.Fprintln(stderr, ce.msg)
		}
		return ce.code
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, err)
	return exitFail
}

func dispatchCerttool(a *certtoolArgs, stdout, stderr io.Writer) error {
	info := stderr
	if a.flags["stdout-info"] {
		info = stdout
	}
	switch a.command {
	case "generate-privkey":
		return certtoolGeneratePrivkey(a, stdout, info)
	case "generate-self-signed", "generate-certificate":
		return certtoolGenerateCertificate(a, stdout, info)
	case "generate-request":
		return certtoolGenerateRequest(a, stdout, info)
	case "certificate-info":
		return certtoolCertificateInfo(a, stdout)
	case "verify":
		return certtoolVerify(a, stdout, info)
	case "verify-chain":
		return certtoolVerifyChain(a, stdout)
	case "key-id", "fingerprint":
		return certtoolKeyID(a, stdout)
	case "help":
		fmt.Fprintln(stdout, "certtool - GnuTLS certificate tool (virt-pki personality)")
		fmt.Fprintln(stdout, certtoolUsageLine)
		fmt.Fprintln(stdout, "\nSupported: -p/--generate-privkey, -s/--generate-self-signed, -c/--generate-certificate,")
		fmt.Fprintln(stdout, "-q/--generate-request, -i/--certificate-info, --verify, -e/--verify-chain, --key-id, --fingerprint with")
		fmt.Fprintln(stdout, "--load-privkey, --load-ca-certificate, --load-ca-privkey, --load-request, --load-certificate,")
		fmt.Fprintln(stdout, "--template, --infile, --outfile, --key-type, --bits, --curve, --sec-param, --hash, --no-text.")
		return nil
	case "version":
		fmt.Fprintln(stdout, "certtool (virt-pki) compatible with GnuTLS certtool 3.7.9")
		return nil
	case "":
		return &certtoolError{code: exitFail, msg: "certtool - GnuTLS certificate tool\n" + certtoolUsageLine}
	}
	return ctUsage("unsupported certtool option --%s", a.command)
}

// certtoolReadInput reads --infile (or --load-certificate for -i, or stdin).
func certtoolReadInput(a *certtoolArgs, stdin io.Reader, alt string) ([]byte, string, error) {
	path, ok := a.values["infile"]
	if !ok && alt != "" {
		path, ok = a.values[alt]
	}
	if !ok {
		data, err := io.ReadAll(io.LimitReader(stdin, 16<<20))
		return data, "(stdin)", err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, path, ctFail("Cannot open %s for reading", path)
	}
	return data, path, nil
}
