package virtpkicli

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

// The version of the binary: `virt-pki --version` (-v) and
// `virt-pki version` print the same line, built from the module version
// and the VCS stamp the go command records in the binary.

func init() {
	commands = append(commands, &cli.Command{
		Name:      "version",
		Usage:     "print the version (module version, VCS revision, commit time, local changes)",
		ArgsUsage: " ",
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("version takes no arguments")
			}
			cli.VersionPrinter(c)
			return nil
		},
	})
}

// printVersion is the app's cli.VersionPrinter.
func printVersion(c *cli.Context) {
	fmt.Fprintln(c.App.Writer, c.App.Name+" "+c.App.Version)
}

// buildVersion returns the version of the running binary, as
// versionString formats it.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return versionString(nil)
	}
	return versionString(bi)
}

// versionString formats build information: the module version ("(devel)"
// for a build from a checkout), then the VCS revision (12 hex digits), the
// commit time and "modified" when the work tree had local changes, as far
// as they were recorded, e.g.
//
//	(devel) rev 19b0381c2a4f (2026-12-03T21:40:00Z, modified)
//	v1.2.0
//
// Without build information (bi nil) it says so instead of guessing.
func versionString(bi *debug.BuildInfo) string {
	if bi == nil {
		return "(unknown version: the binary carries no build information)"
	}
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	rev := settings["vcs.revision"]
	if rev == "" {
		return version
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	var notes []string
	if t := settings["vcs.time"]; t != "" {
		notes = append(notes, t)
	}
	if settings["vcs.modified"] == "true" {
		notes = append(notes, "modified")
	}
	s := version + " rev " + rev
	if len(notes) > 0 {
		s += " (" + strings.Join(notes, ", ") + ")"
	}
	return s
}
