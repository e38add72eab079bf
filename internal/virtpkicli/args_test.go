package virtpkicli

import (
	"reflect"
	"testing"

	"github.com/urfave/cli/v2"
)

type boolValue struct{ set bool }

func (b *boolValue) Set(string) error { b.set = true; return nil }
func (b *boolValue) String() string   { return "" }
func (b *boolValue) IsBoolFlag() bool { return true }

func TestFlagsFirst(t *testing.T) {
	cmds := []*cli.Command{
		{Name: "probe", Flags: []cli.Flag{
			&cli.StringFlag{Name: "timeout"},
			&cli.BoolFlag{Name: "json"},
			&cli.GenericFlag{Name: "qemu", Value: &boolValue{}},
		}},
		{Name: "ca", Subcommands: []*cli.Command{{Name: "init", Flags: []cli.Flag{&cli.StringFlag{Name: "cn"}}}}},
		{Name: "raw", SkipFlagParsing: true},
	}
	for _, tc := range []struct{ in, want []string }{
		{[]string{"vp", "probe", "host", "--timeout", "2s", "--json"}, []string{"vp", "probe", "--timeout", "2s", "--json", "host"}},
		{[]string{"vp", "probe", "host", "--timeout=2s", "other"}, []string{"vp", "probe", "--timeout=2s", "host", "other"}},
		{[]string{"vp", "probe", "--qemu", "/dir", "--json"}, []string{"vp", "probe", "--qemu", "--json", "/dir"}},
		{[]string{"vp", "probe", "a", "--", "--json"}, []string{"vp", "probe", "a", "--", "--json"}},
		{[]string{"vp", "ca", "init", "--cn", "x"}, []string{"vp", "ca", "init", "--cn", "x"}},
		{[]string{"vp", "raw", "x", "--y"}, []string{"vp", "raw", "x", "--y"}},
		{[]string{"vp", "--help"}, []string{"vp", "--help"}},
	} {
		if got := flagsFirst(cmds, tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("flagsFirst(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
