package virtpkicli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/virt-pki/virt-pki/internal/fileread"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// The `dn` command and the virt-pki-query-dn personality print a
// certificate's subject exactly as libvirt's virt-pki-query-dn (libvirt
// 9.0, GnuTLS 3.7.9) does: the string tls_allowed_dn_list patterns are
// matched against.

func init() {
	commands = append(commands, &cli.Command{
		Name:      "dn",
		Usage:     "print a certificate's subject as libvirt matches it against tls_allowed_dn_list",
		ArgsUsage: "FILE",
		Description: "Prints the subject DN of the first certificate in the PEM FILE byte for byte as\n" +
			"virt-pki-query-dn does (GnuTLS order: C=...,O=...,CN=...). Use the output in\n" +
			"tls_allowed_dn_list. --rfc4514 prints the reversed order certtool -i shows instead.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "rfc4514", Usage: "print the RFC 4514 order (as certtool -i), which libvirt does NOT match"},
		},
		Action: runDN,
	})
	personalities["virt-pki-query-dn"] = queryDNPersonality
}

func runDN(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("dn needs exactly one FILE")
	}
	path := c.Args().First()
	dn, err := queryDN(path, c.Bool("rfc4514"), true)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, dn)
	return nil
}

// queryDN reads path and returns the subject DN of its first PEM
// certificate, with virt-pki-query-dn's error texts (without the program
// name). native is the `dn` command: the file is read as libvirt reads
// certificates (regular files only, at most libvirtcert.MaxFileSize bytes),
// every error starts with the file name, and a DER file's error also says
// how to convert it. Without native (the virt-pki-query-dn personality)
// the file is read and errors are worded exactly as virt-pki-query-dn's.
func queryDN(path string, rfc4514, native bool) (string, error) {
	dn, err := queryDNData(path, rfc4514, native)
	if err != nil && native {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return dn, err
}

func queryDNData(path string, rfc4514, native bool) (string, error) {
	var data []byte
	var err error
	if native {
		data, err = fileread.ReadCapped(path, libvirtcert.MaxFileSize)
		if errors.Is(err, fileread.ErrTooLarge) {
			return "", fmt.Errorf("larger than %d bytes, the most libvirt reads of a certificate file", libvirtcert.MaxFileSize)
		}
		if err != nil {
			return "", fmt.Errorf("cannot read: %w", err)
		}
	} else if data, err = glibReadFile(path); err != nil {
		return "", err
	}
	der, err := libvirtcert.ImportPEMCertificate(data)
	if err != nil {
		if native && libvirtcert.IsDERCertificate(data) {
			return "", fmt.Errorf("%v (the file is DER; libvirt reads only PEM: %s)", dnLoadError{err}, libvirtcert.DERConvertCommand(path))
		}
		if _, perr := libvirtcert.ParseCertificates(path, data); native && errors.Is(perr, libvirtcert.ErrPrivateKey) {
			return "", errors.New("holds a private key, not a certificate (give the certificate file, e.g. clientcert.pem)")
		}
		return "", dnLoadError{err}
	}
	_, subject, err := libvirtcert.RawNames(der)
	if err != nil {
		return "", dnLoadError{err}
	}
	format := libvirtcert.FormatDN
	if rfc4514 {
		format = libvirtcert.FormatDNRFC4514
	}
	dn, err := format(subject)
	if err != nil {
		return "", fmt.Errorf("Failed to get distinguished name: %w", err)
	}
	return dn, nil
}

// dnLoadError is a certificate GnuTLS refuses to import.
type dnLoadError struct{ err error }

func (e dnLoadError) Error() string {
	return "Unable to load certificate, make sure it is in PEM format: " + e.err.Error()
}

// glibFileError is a GLib g_file_get_contents failure; virt-pki-query-dn
// prefixes it with the program name.
type glibFileError struct{ msg string }

func (e glibFileError) Error() string { return e.msg }

// glibReadFile reads path and words failures as GLib's g_file_get_contents
// does ("Failed to open file “PATH”: No such file or directory").
func glibReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, glibFileError{fmt.Sprintf("Failed to open file %s: %s", glibQuote(path), glibStrerror(err))}
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, glibFileError{fmt.Sprintf("Error reading file %s: %s", glibQuote(path), glibStrerror(err))}
	}
	return data, nil
}

// glibQuote quotes as GLib's messages do: “PATH” in a UTF-8 locale; in
// other locales g_printerr turns each quote into '?'.
func glibQuote(s string) string {
	if glibUTF8Locale() {
		return "\u201c" + s + "\u201d"
	}
	return "?" + s + "?"
}

func glibUTF8Locale() bool {
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if val := os.Getenv(v); val != "" {
			l := strings.ToLower(val)
			return strings.Contains(l, "utf-8") || strings.Contains(l, "utf8")
		}
	}
	return false
}

// glibStrerror returns glibc's glibStrerror text for err's errno (Go's texts are
// the same words, lower-cased).
func glibStrerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

const queryDNVersion = "9.0.0"

func queryDNUsage(prog string) string {
	return "Usage:\n" +
		"  " + prog + " FILE\n" +
		"  " + prog + " { -v | -h }\n" +
		"\n" +
		"Extract Distinguished Name from a PEM certificate.\n" +
		"The output is meant to be used in the tls_allowed_dn_list\n" +
		"configuration option in the libvirtd.conf file.\n" +
		"\n" +
		"  FILE            certificate file to extract the DN from\n" +
		"\n" +
		"options:\n" +
		"  -h | --help     display this help and exit\n" +
		"  -v | --version  output version information and exit\n"
}

// queryDNPersonality behaves as libvirt 9.0's virt-pki-query-dn: same
// options (getopt_long "hv", --help, --version), same output, same error
// texts and exit codes (0 or 1).
func queryDNPersonality(args []string, stdout, stderr io.Writer) int {
	prog := filepath.Base(args[0])
	var operands []string
	onlyOperands := false
	for _, a := range args[1:] {
		switch {
		case onlyOperands || a == "-" || !strings.HasPrefix(a, "-"):
			operands = append(operands, a)
		case a == "--":
			onlyOperands = true
		case strings.HasPrefix(a, "--"):
			name := strings.TrimPrefix(a, "--")
			if i := strings.IndexByte(name, '='); i >= 0 {
				name = name[:i]
			}
			switch {
			case name != "" && strings.HasPrefix("help", name) && !strings.HasPrefix("version", name):
				if strings.Contains(a, "=") {
					fmt.Fprintf(stderr, "%s: option '--help' doesn't allow an argument\n", prog)
					fmt.Fprint(stderr, queryDNUsage(prog))
					return 1
				}
				fmt.Fprint(stdout, queryDNUsage(prog))
				return 0
			case name != "" && strings.HasPrefix("version", name) && !strings.HasPrefix("help", name):
				if strings.Contains(a, "=") {
					fmt.Fprintf(stderr, "%s: option '--version' doesn't allow an argument\n", prog)
					fmt.Fprint(stderr, queryDNUsage(prog))
					return 1
				}
				fmt.Fprintln(stdout, queryDNVersion)
				return 0
			default:
				fmt.Fprintf(stderr, "%s: unrecognized option '%s'\n", prog, a)
				fmt.Fprint(stderr, queryDNUsage(prog))
				return 1
			}
		default:
			for _, c := range a[1:] {
				switch c {
				case 'h':
					fmt.Fprint(stdout, queryDNUsage(prog))
					return 0
				case 'v':
					fmt.Fprintln(stdout, queryDNVersion)
					return 0
				default:
					fmt.Fprintf(stderr, "%s: invalid option -- '%c'\n", prog, c)
					fmt.Fprint(stderr, queryDNUsage(prog))
					return 1
				}
			}
		}
	}
	if len(operands) != 1 {
		fmt.Fprint(stderr, queryDNUsage(prog))
		return 1
	}
	dn, err := queryDN(operands[0], false, false)
	if errors.Is(err, libvirtcert.ErrDNAbort) {
		// GnuTLS fails an assertion and aborts; 134 is what a shell
		// reports for a process killed by SIGABRT.
		fmt.Fprintf(stderr, "%s: ../../../lib/x509/dn.c:303: _gnutls_x509_parse_dn: Assertion `dn.data != NULL' failed.\n", prog)
		return 134
	}
	if err != nil {
		var fe glibFileError
		if errors.As(err, &fe) {
			fmt.Fprintf(stderr, "%s: %s\n", prog, fe.msg)
		} else {
			fmt.Fprintln(stderr, err)
		}
		return 1
	}
	fmt.Fprintln(stdout, dn)
	return 0
}
