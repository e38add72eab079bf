// Package deps_test keeps the module's dependencies pointing down: every
// package is in the table below, at its layer, and imports only what the
// table allows it (DEVELOPERS.md, "Layout of the code"). The table and its
// checker follow Go's own go/build deps_test.go.
package deps_test

import (
	"errors"
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// depsRules is the table. "a, b < c, d;" says that c and d may import a and
// b and everything a and b may import. Every package of the module is on
// the right of exactly one rule; a name on the left must be defined by an
// earlier rule (or be NONE, nothing). Names in capitals are groups, not
// packages. Paths are relative to the module.
//
// Add a new package at its layer: on the right of the rule whose left side
// holds what it needs, or in a new rule below the packages it imports.
// Packages the table names that do not exist (yet) are allowed.
const depsRules = `
	# The bottom: nothing of the module. (A file-set writer of its own, beside
	# internal/atomicfile, would be "internal/atomicfile < NAME;" here.)
	NONE
	< x509oid, finding, internal/termsafe, internal/fileread,
	  internal/atomicfile, internal/hostinfo;

	internal/fileread < layout;
	internal/termsafe < internal/progress;

	# libvirtcert (GnuTLS DN strings and libvirt's certificate rules) is beside
	# the bottom: issue, validate and tlsprobe all need it.
	x509oid, internal/fileread < libvirtcert;
	libvirtcert < templates;

	# The libraries.
	x509oid, internal/fileread < keys;
	keys, templates, internal/atomicfile, internal/hostinfo < ca;
	keys, libvirtcert < certtext;
	ca, finding, layout, templates, internal/hostinfo < issue;
	finding, keys, layout, libvirtcert, internal/atomicfile < install;
	finding, keys, layout, libvirtcert, internal/hostinfo < validate;
	finding, keys, layout, libvirtcert < tlsprobe;
	tlsprobe < expiry;

	finding, internal/termsafe < internal/render;

	ca, certtext, issue, install, validate, tlsprobe, expiry,
	internal/render, internal/progress
	< LIBS;

	# The tool personalities (certtool, virt-pki-query-dn, virt-pki-validate):
	# each a package with Main(args, stdout, stderr) int.
	validate, internal/render, internal/progress < internal/validatecli;
	LIBS < internal/certtoolcli, internal/querydncli;

	# The command line on top, and the binaries: the lean virt-pki-validate
	# links its personality only.
	LIBS, internal/validatecli, internal/certtoolcli, internal/querydncli
	< internal/virtpkicli;
	internal/virtpkicli < cmd/virt-pki;
	internal/validatecli < cmd/virt-pki-validate;

	# Test helpers: only tests import them.
	x509oid < internal/pkitest;
	layout < internal/libvirttest;
	NONE < tlsprobe/internal/fakelibvirtd;
	tlsprobe/internal/fakelibvirtd < tlsprobe/internal/fakelibvirtd/fleet;
	internal/pkitest, internal/libvirttest, tlsprobe/internal/fakelibvirtd/fleet
	< TESTHELPERS;

	# Packages of tests only: the golden tests and this one.
	cmd/virt-pki, cmd/virt-pki-validate, TESTHELPERS < golden, internal/deps;
`

// A package's tests may import what the package may, the test helpers
// and the libraries (issue's tests validate what it issued), not the
// command lines.
const testExtra = "LIBS, TESTHELPERS"

// rules is the parsed table: for each name, the names it may import.
type rules map[string]map[string]bool

// parseRules parses the table, computing what each name may import
// (transitively).
func parseRules(text string) (rules, error) {
	r := rules{"NONE": {}}
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		l, _, _ = strings.Cut(l, "#")
		lines = append(lines, l)
	}
	for _, stanza := range strings.Split(strings.Join(lines, " "), ";") {
		if strings.TrimSpace(stanza) == "" {
			continue
		}
		lhs, rhs, ok := strings.Cut(stanza, "<")
		if !ok || strings.Contains(rhs, "<") {
			return nil, fmt.Errorf("rule %q: want \"a, b < c, d\"", strings.Join(strings.Fields(stanza), " "))
		}
		allowed := map[string]bool{}
		for _, name := range names(lhs) {
			below, ok := r[name]
			if !ok {
				return nil, fmt.Errorf("rule %q: %s is not defined by an earlier rule", strings.Join(strings.Fields(stanza), " "), name)
			}
			if name != "NONE" && !isGroup(name) {
				allowed[name] = true
			}
			for b := range below {
				allowed[b] = true
			}
		}
		for _, name := range names(rhs) {
			if _, dup := r[name]; dup {
				return nil, fmt.Errorf("%s is defined twice", name)
			}
			r[name] = allowed
		}
	}
	return r, nil
}

func names(list string) []string {
	var out []string
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func isGroup(name string) bool { return name == strings.ToUpper(name) }

// pkg is one package of the module: its imports of other module packages,
// non-test and test (internal and external test files) apart.
type pkg struct {
	path        string // relative to the module
	imports     []string
	testImports []string
}

// check returns one error per package the table lacks and per import it
// does not allow.
func check(r rules, pkgs []pkg) []error {
	var errs []error
	extra := map[string]bool{}
	for _, n := range names(testExtra) {
		for p := range r[n] {
			extra[p] = true
		}
	}
	for _, p := range pkgs {
		allowed, ok := r[p.path]
		if !ok || isGroup(p.path) {
			errs = append(errs, fmt.Errorf("package %s is not in the dependency table (internal/deps/deps_test.go): add it at its layer", p.path))
			continue
		}
		for _, imp := range p.imports {
			if !allowed[imp] {
				errs = append(errs, fmt.Errorf("%s imports %s, which the dependency table does not allow", p.path, imp))
			}
		}
		for _, imp := range p.testImports {
			if !allowed[imp] && !extra[imp] && imp != p.path {
				errs = append(errs, fmt.Errorf("tests of %s import %s, which the dependency table does not allow", p.path, imp))
			}
		}
	}
	return errs
}

// modulePackages reads every package of the module rooted at root with
// go/build, under the default build tags and under virtpkitest (the golden
// tests' build), and keeps the imports of module packages.
func modulePackages(root, module string) ([]pkg, error) {
	var pkgs []pkg
	err := filepath.WalkDir(root, func(dir string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if dir != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		if dir != root {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return err
		}
		p := pkg{path: filepath.ToSlash(rel)}
		imports, testImports := map[string]bool{}, map[string]bool{}
		found := false
		for _, tags := range [][]string{nil, {"virtpkitest"}} {
			ctx := build.Default
			ctx.BuildTags = tags
			bp, err := ctx.ImportDir(dir, 0)
			var noGo *build.NoGoError
			if errors.As(err, &noGo) {
				continue
			}
			if err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			found = true
			for _, imp := range bp.Imports {
				imports[imp] = true
			}
			for _, imp := range append(bp.TestImports, bp.XTestImports...) {
				testImports[imp] = true
			}
		}
		if !found {
			return nil
		}
		p.imports = moduleOnly(imports, module)
		p.testImports = moduleOnly(testImports, module)
		pkgs = append(pkgs, p)
		return nil
	})
	return pkgs, err
}

func moduleOnly(imports map[string]bool, module string) []string {
	var out []string
	for imp := range imports {
		if rel, ok := strings.CutPrefix(imp, module+"/"); ok {
			out = append(out, rel)
		}
	}
	sort.Strings(out)
	return out
}

// moduleRoot returns the directory of go.mod above the test's directory
// and the module path it declares.
func moduleRoot(t *testing.T) (root, module string) {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			for _, l := range strings.Split(string(data), "\n") {
				if m, ok := strings.CutPrefix(strings.TrimSpace(l), "module "); ok {
					return dir, strings.TrimSpace(m)
				}
			}
			t.Fatalf("%s/go.mod has no module line", dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

func TestDependencies(t *testing.T) {
	r, err := parseRules(depsRules)
	if err != nil {
		t.Fatal(err)
	}
	root, module := moduleRoot(t)
	pkgs, err := modulePackages(root, module)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 20 {
		t.Fatalf("found only %d packages under %s", len(pkgs), root)
	}
	for _, err := range check(r, pkgs) {
		t.Error(err)
	}
}

// TestCheckFindsViolations feeds the checker imports the table forbids:
// an upward import, a test helper in non-test code, a command line in a
// library's tests and a package the table lacks.
func TestCheckFindsViolations(t *testing.T) {
	r, err := parseRules(depsRules)
	if err != nil {
		t.Fatal(err)
	}
	pkgs := []pkg{
		{path: "x509oid", imports: []string{"ca"}},
		{path: "validate", imports: []string{"internal/pkitest", "keys"}},
		{path: "issue", testImports: []string{"validate", "internal/pkitest", "issue", "internal/virtpkicli"}},
		{path: "cmd/virt-pki-validate", imports: []string{"internal/validatecli", "internal/virtpkicli"}},
		{path: "internal/newthing", imports: []string{"finding"}},
		{path: "LIBS"},
	}
	var got []string
	for _, err := range check(r, pkgs) {
		got = append(got, err.Error())
	}
	want := []string{
		"x509oid imports ca, which the dependency table does not allow",
		"validate imports internal/pkitest, which the dependency table does not allow",
		"tests of issue import internal/virtpkicli, which the dependency table does not allow",
		"cmd/virt-pki-validate imports internal/virtpkicli, which the dependency table does not allow",
		"package internal/newthing is not in the dependency table (internal/deps/deps_test.go): add it at its layer",
		"package LIBS is not in the dependency table (internal/deps/deps_test.go): add it at its layer",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("check found:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseRulesErrors(t *testing.T) {
	for text, want := range map[string]string{
		"NONE < a; a < b; NONE < a;": "a is defined twice",
		"NONE < a; c < b;":           "c is not defined by an earlier rule",
		"NONE < a < b;":              `want "a, b < c, d"`,
		"a, b":                       `want "a, b < c, d"`,
	} {
		if _, err := parseRules(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseRules(%q): %v, want an error with %q", text, err, want)
		}
	}
	r, err := parseRules("NONE < a; a < b; b < c, d; c < X; X < e;")
	if err != nil {
		t.Fatal(err)
	}
	if !r["c"]["a"] || !r["c"]["b"] || r["c"]["d"] || !r["e"]["a"] || !r["e"]["c"] || r["e"]["X"] {
		t.Errorf("closure wrong: %v", r)
	}
}
