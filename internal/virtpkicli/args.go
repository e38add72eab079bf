package virtpkicli

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// flagsFirst lets flags follow positional arguments, as users type them
// ("virt-pki probe HOST --timeout 2s"): urfave/cli stops parsing flags at
// the first positional argument, so the arguments of the command (and
// subcommand) named in args are reordered to put every flag, with its
// value, before the positional ones. Commands that parse their own command
// line (SkipFlagParsing) are left alone, and so is everything after "--".
func flagsFirst(cmds []*cli.Command, args []string) []string {
	i := 1
	var cmd *cli.Command
	for i < len(args) {
		next := findCommand(cmds, args[i])
		if next == nil {
			break
		}
		cmd, cmds, i = next, next.Subcommands, i+1
		if cmd.SkipFlagParsing {
			return args
		}
	}
	if cmd == nil || len(cmd.Subcommands) > 0 && i == len(args) {
		return args
	}
	var flags, positional []string
	rest := args[i:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		if a == "--" {
			positional = append(positional, rest[j:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !hasValue && takesValue(cmd, name) && j+1 < len(rest) {
			j++
			flags = append(flags, rest[j])
		}
	}
	out := append(append([]string(nil), args[:i]...), flags...)
	return append(out, positional...)
}

// findCommand returns the command of cmds called name (or an alias of it).
func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// takesValue reports whether cmd's flag called name consumes the next
// argument. Unknown flags are assumed not to, so urfave/cli reports them.
func takesValue(cmd *cli.Command, name string) bool {
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if g, ok := f.(*cli.GenericFlag); ok {
				if b, ok := g.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
					return false
				}
			}
			if v, ok := f.(interface{ TakesValue() bool }); ok {
				return v.TakesValue()
			}
			return false
		}
	}
	return false
}
