package virtpkicli

import (
	"errors"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/virt-pki/virt-pki/internal/validatecli"
)

// The `validate` command (and the virt-pki-validate personality) audits the
// host's libvirt/QEMU TLS files. Its command line, output and exit status
// live in internal/validatecli, shared with the stand-alone
// cmd/virt-pki-validate binary; urfave/cli only routes to it
// (SkipFlagParsing: libvirt's tool accepts options after the scope word, as
// getopt does).

func init() {
	commands = append(commands, &cli.Command{
		Name:            "validate",
		Usage:           "audit this host's libvirt/QEMU TLS files (a virt-pki-validate that tells the truth)",
		ArgsUsage:       "[trust|server|client]",
		SkipFlagParsing: true,
		CustomHelpTemplate: "NAME:\n   virt-pki validate - {{.Usage}}\n\n" +
			strings.ReplaceAll(validatecli.Usage, "{{", "{{`{{`}}"),
		Action: func(c *cli.Context) error {
			return runValidate(c.Args().Slice(), c)
		},
	})
	personalities[validatecli.Name] = validatecli.Main
}

// runValidate maps validatecli's result to the app's exit-code errors.
func runValidate(args []string, c *cli.Context) error {
	code, err := validatecli.Run(args, c.App.Writer)
	var ue *validatecli.UsageError
	switch {
	case errors.As(err, &ue):
		return usageError{err: ue, help: "virt-pki validate"}
	case err != nil:
		return err
	case code != exitOK:
		return exitWith(code)
	}
	return nil
}
