package virtpkicli

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// `virt-pki help [COMMAND [SUBCOMMAND]]` prints exactly what
// `virt-pki COMMAND [SUBCOMMAND] --help` prints; without a command, the
// app's help. A name that is no command is a usage error.

func init() {
	commands = append(commands, &cli.Command{
		Name:            "help",
		Usage:           "show the help of a command (the same as COMMAND --help)",
		ArgsUsage:       "[COMMAND [SUBCOMMAND]]",
		HideHelpCommand: true, // "help help" is handled by runHelp
		Action:          runHelp,
	})
}

func runHelp(c *cli.Context) error {
	args := c.Args().Slice()
	if len(args) == 0 || len(args) == 1 && args[0] == "help" {
		// "virt-pki help help" is "virt-pki help --help", which urfave/cli
		// answers with the app's help.
		return cli.ShowAppHelp(c)
	}
	cmds := c.App.Commands
	path := []string{c.App.Name}
	for _, name := range args {
		cmd := findCommand(cmds, name)
		if cmd == nil || name == "help" && len(path) > 1 {
			what := "command"
			if len(path) > 1 {
				what = "subcommand of '" + joinWords(path) + "'"
			}
			return usageError{err: fmt.Errorf("no help for %q: no such %s", name, what), help: joinWords(path)}
		}
		path = append(path, cmd.Name)
		cmds = cmd.Subcommands
	}
	if code := run(append(path, "--help"), c.App.Writer, c.App.ErrWriter); code != exitOK {
		return exitWith(code)
	}
	return nil
}

func joinWords(words []string) string {
	s := ""
	for i, w := range words {
		if i > 0 {
			s += " "
		}
		s += w
	}
	return s
}
