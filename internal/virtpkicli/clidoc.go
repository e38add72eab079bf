package virtpkicli

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// The command tree as the completion scripts and man pages describe it,
// read from the urfave/cli definitions when one of those commands runs
// (never at start-up).

// docCommand is one command of the tree: the app itself (Path nil), a
// command or a subcommand.
type docCommand struct {
	Path        []string // the words naming it: nil for the app, {"issue", "server"}
	Aliases     []string
	Usage       string // one line
	ArgsUsage   string
	Description string
	Flags       []docFlag // visible flags, --help included
	Subcommands []*docCommand
	// OwnOptions: the command parses its own command line
	// (SkipFlagParsing: certtool, validate), so Flags is empty and its
	// options are in its help text.
	OwnOptions bool
	HelpText   string // the --help of an OwnOptions command
}

// docFlag is one flag: its names without dashes, the long one first.
type docFlag struct {
	Names      []string
	Usage      string
	TakesValue bool
	Default    string // the default value shown in --help, "" for none
}

// safeWord reports whether a command or flag name can be written into
// shell scripts and roff unquoted: an ASCII letter or digit, then letters,
// digits, '.', '_' and '-'. (A function, not a regexp: nothing of the
// documentation is built at start-up.)
func safeWord(s string) bool {
	for i, r := range s {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case i > 0 && (r == '.' || r == '_' || r == '-'):
		default:
			return false
		}
	}
	return s != ""
}

// docTree returns the command tree of app, skipping hidden commands and
// flags, urfave/cli's help subcommands and names that are not safeWords.
func docTree(app *cli.App) *docCommand {
	root := &docCommand{Usage: app.Usage, Description: app.Description}
	for _, f := range app.Flags {
		root.Flags = appendDocFlag(root.Flags, f)
	}
	if !app.HideVersion && !hasFlag(root.Flags, "version") {
		root.Flags = appendDocFlag(root.Flags, cli.VersionFlag)
	}
	root.Subcommands = docCommands(nil, app.Commands)
	return root
}

func docCommands(parent []string, cmds []*cli.Command) []*docCommand {
	var out []*docCommand
	for _, c := range cmds {
		if c.Hidden || !safeWord(c.Name) || c.Name == "help" && len(parent) > 0 {
			continue
		}
		d := &docCommand{
			Path:        append(append([]string(nil), parent...), c.Name),
			Usage:       c.Usage,
			ArgsUsage:   c.ArgsUsage,
			Description: c.Description,
			OwnOptions:  c.SkipFlagParsing,
		}
		for _, a := range c.Aliases {
			if safeWord(a) {
				d.Aliases = append(d.Aliases, a)
			}
		}
		if !c.SkipFlagParsing {
			for _, f := range c.Flags {
				d.Flags = appendDocFlag(d.Flags, f)
			}
			if !c.HideHelp && !hasFlag(d.Flags, "help") {
				d.Flags = appendDocFlag(d.Flags, cli.HelpFlag)
			}
		}
		d.Subcommands = docCommands(d.Path, c.Subcommands)
		out = append(out, d)
	}
	return out
}

func appendDocFlag(flags []docFlag, f cli.Flag) []docFlag {
	if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
		return flags
	}
	var names []string
	for _, n := range f.Names() {
		if safeWord(n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return flags
	}
	d := docFlag{Names: names}
	if g, ok := f.(cli.DocGenerationFlag); ok {
		d.Usage = g.GetUsage()
		d.TakesValue = g.TakesValue()
		if d.TakesValue {
			d.Default = g.GetDefaultText()
			if d.Default == "" {
				d.Default = g.GetValue()
			}
		}
	}
	if g, ok := f.(*cli.GenericFlag); ok {
		if b, ok := g.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			d.TakesValue, d.Default = false, ""
		}
	}
	return append(flags, d)
}

func hasFlag(flags []docFlag, name string) bool {
	for _, f := range flags {
		for _, n := range f.Names {
			if n == name {
				return true
			}
		}
	}
	return false
}

// all returns c and every command below it, depth first.
func (c *docCommand) all() []*docCommand {
	out := []*docCommand{c}
	for _, s := range c.Subcommands {
		out = append(out, s.all()...)
	}
	return out
}

// key is the command's path as the completion scripts keep it: "" for the
// app, "/issue/server".
func (c *docCommand) key() string {
	if len(c.Path) == 0 {
		return ""
	}
	return "/" + strings.Join(c.Path, "/")
}

// parentKey is the key of the command c is a subcommand of.
func (c *docCommand) parentKey() string {
	if len(c.Path) <= 1 {
		return ""
	}
	return "/" + strings.Join(c.Path[:len(c.Path)-1], "/")
}

// dashed returns a flag name as typed: "-h", "--help".
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// oneLine returns s with its line breaks and runs of spaces collapsed.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
