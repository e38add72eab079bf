package virtpkicli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/virt-pki/virt-pki/internal/atomicfile"
)

// `virt-pki man` writes a man page per command, generated from the command
// definitions (name, usage, description, subcommands, flags with their
// defaults; the --help text of the commands that parse their own options).
// The roff is written directly: nothing is built before the command runs.

func init() {
	commands = append(commands, &cli.Command{
		Name:      "man",
		Usage:     "print or write the man pages (virt-pki.1, virt-pki-issue.1, ...)",
		ArgsUsage: "[COMMAND [SUBCOMMAND]]",
		Description: "With a command, prints its page to standard output (virt-pki man issue server | man -l -);\n" +
			"without one, the page of virt-pki. --dir DIR writes every page into DIR instead\n" +
			"(created if missing; an existing page is replaced only with --force).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Usage: "write every page into `DIR`"},
			&cli.BoolFlag{Name: "force", Usage: "let --dir replace existing pages"},
		},
		Action: runMan,
	})
}

func runMan(c *cli.Context) error {
	root := docTree(c.App)
	version := c.App.Version
	for _, p := range root.all() {
		if p.OwnOptions {
			var help bytes.Buffer
			run(append(append([]string{c.App.Name}, p.Path...), "--help"), &help, io.Discard)
			p.HelpText = help.String()
		}
	}
	if c.IsSet("dir") {
		if c.NArg() > 0 {
			return usagef("give either --dir or a command, not both")
		}
		if c.String("dir") == "" {
			return usagef("--dir needs a directory")
		}
		return writeManPages(c.String("dir"), root, version, c.Bool("force"))
	}
	if c.IsSet("force") {
		return usagef("--force goes with --dir")
	}
	page := root
	for _, name := range c.Args().Slice() {
		next := findDocCommand(page.Subcommands, name)
		if next == nil {
			return usagef("no man page for %q: no such command", strings.Join(c.Args().Slice(), " "))
		}
		page = next
	}
	_, err := io.WriteString(c.App.Writer, manPage(page, root, version))
	return err
}

func findDocCommand(cmds []*docCommand, name string) *docCommand {
	for _, c := range cmds {
		if c.Path[len(c.Path)-1] == name {
			return c
		}
		for _, a := range c.Aliases {
			if a == name {
				return c
			}
		}
	}
	return nil
}

// manName is the page's name: virt-pki, virt-pki-issue-server.
func manName(c *docCommand) string {
	return strings.Join(append([]string{"virt-pki"}, c.Path...), "-")
}

// writeManPages writes every page into dir. Without force it refuses, before
// writing anything, when a page exists; each page is written atomically.
func writeManPages(dir string, root *docCommand, version string, force bool) error {
	pages := root.all()
	if !force {
		for _, p := range pages {
			path := filepath.Join(dir, manName(p)+".1")
			if _, err := os.Lstat(path); err == nil {
				return fmt.Errorf("%s: %w (use --force to replace it)", path, atomicfile.ErrExists)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, p := range pages {
		path := filepath.Join(dir, manName(p)+".1")
		if err := atomicfile.Write(path, []byte(manPage(p, root, version)), 0o644, atomicfile.Options{Force: force, UID: -1, GID: -1}); err != nil {
			return err
		}
	}
	return nil
}

// roffEscape makes text safe as roff text: backslashes and dashes escaped,
// and a line that would start with a control character made literal.
func roffEscape(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}

// manPage returns the roff of c's page.
func manPage(c *docCommand, root *docCommand, version string) string {
	var b strings.Builder
	name := manName(c)
	words := strings.Join(append([]string{"virt-pki"}, c.Path...), " ")
	fmt.Fprintf(&b, ".TH %s 1 \"\" %q \"virt-pki manual\"\n", strings.ToUpper(roffEscape(name)), "virt-pki "+version)
	b.WriteString(".SH NAME\n")
	fmt.Fprintf(&b, "%s \\- %s\n", roffEscape(name), roffEscape(oneLine(c.Usage)))

	b.WriteString(".SH SYNOPSIS\n")
	fmt.Fprintf(&b, ".B %s\n", roffEscape(words))
	switch {
	case len(c.Subcommands) > 0:
		b.WriteString(".I COMMAND\n[\\fIOPTIONS\\fR]\n")
	case c.OwnOptions:
		b.WriteString("[\\fIOPTIONS\\fR]\n")
	case len(c.Flags) > 0:
		b.WriteString("[\\fIOPTIONS\\fR]\n")
	}
	if a := strings.TrimSpace(c.ArgsUsage); a != "" && len(c.Subcommands) == 0 {
		b.WriteString(roffEscape(a) + "\n")
	}
	if len(c.Aliases) > 0 {
		b.WriteString(".PP\nAlso called: " + roffEscape(strings.Join(c.Aliases, ", ")) + ".\n")
	}

	if d := strings.TrimSpace(c.Description); d != "" {
		b.WriteString(".SH DESCRIPTION\n")
		manParagraphs(&b, d)
	}

	if len(c.Subcommands) > 0 {
		b.WriteString(".SH COMMANDS\n")
		for _, s := range c.Subcommands {
			fmt.Fprintf(&b, ".TP\n.B %s\n%s (see \\fB%s\\fR(1))\n", roffEscape(s.Path[len(s.Path)-1]), roffEscape(oneLine(s.Usage)), roffEscape(manName(s)))
		}
	}

	if c.OwnOptions && c.HelpText != "" {
		b.WriteString(".SH OPTIONS\n.nf\n" + roffEscape(strings.TrimRight(c.HelpText, "\n")) + "\n.fi\n")
	} else if len(c.Flags) > 0 {
		b.WriteString(".SH OPTIONS\n")
		for _, f := range c.Flags {
			manFlag(&b, f)
		}
	}

	b.WriteString(".SH EXIT STATUS\n")
	b.WriteString("0 on success, 1 when the work failed or a check failed, 2 for a wrong command line")
	if len(c.Path) > 0 {
		b.WriteString(" (the description names any other status)")
	}
	b.WriteString(".\n")

	var also []string
	if len(c.Path) > 0 {
		also = append(also, "virt-pki")
		if len(c.Path) > 1 {
			also = append(also, "virt-pki-"+strings.Join(c.Path[:len(c.Path)-1], "-"))
		}
	}
	for _, s := range c.Subcommands {
		also = append(also, manName(s))
	}
	if len(also) > 0 {
		b.WriteString(".SH SEE ALSO\n")
		for i, a := range also {
			sep := ","
			if i == len(also)-1 {
				sep = ""
			}
			fmt.Fprintf(&b, ".BR %s (1)%s\n", roffEscape(a), sep)
		}
	}
	return b.String()
}

// manParagraphs writes text whose lines are already broken (the
// descriptions in the command definitions): blank lines separate
// paragraphs; a paragraph with indented lines (examples, tables) is kept
// as it is, the others are filled.
func manParagraphs(b *strings.Builder, text string) {
	for i, para := range strings.Split(text, "\n\n") {
		if i > 0 {
			b.WriteString(".PP\n")
		}
		if strings.HasPrefix(para, " ") || strings.Contains(para, "\n ") {
			b.WriteString(".nf\n.RS\n" + roffEscape(para) + "\n.RE\n.fi\n")
			continue
		}
		b.WriteString(roffEscape(para) + "\n")
	}
}

// manFlag writes one flag as a tagged paragraph:
// "--out DIR, -o DIR" then its usage and default.
func manFlag(b *strings.Builder, f docFlag) {
	placeholder, usage := unquoteUsage(f.Usage)
	if f.TakesValue && placeholder == "" {
		placeholder = "value"
	}
	var names []string
	for _, n := range f.Names {
		s := `\fB` + roffEscape(dashed(n)) + `\fR`
		if f.TakesValue {
			s += ` \fI` + roffEscape(placeholder) + `\fR`
		}
		names = append(names, s)
	}
	b.WriteString(".TP\n" + strings.Join(names, ", ") + "\n")
	text := oneLine(usage)
	if f.TakesValue && f.Default != "" {
		text += " (default: " + f.Default + ")"
	}
	b.WriteString(roffEscape(text) + "\n")
}

// unquoteUsage returns the placeholder a flag's usage names between
// backquotes ("write every page into `DIR`") and the usage without them,
// as urfave/cli's --help shows it.
func unquoteUsage(usage string) (placeholder, text string) {
	before, rest, ok := strings.Cut(usage, "`")
	if !ok {
		return "", usage
	}
	name, after, ok := strings.Cut(rest, "`")
	if !ok {
		return "", usage
	}
	return name, before + name + after
}
