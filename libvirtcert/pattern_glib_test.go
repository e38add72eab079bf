package libvirtcert

import (
	"bufio"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMatchDNPatternAgainstGLib compares MatchDNPattern with GLib's own
// g_pattern_match_simple on random patterns, when a C compiler and
// libglib-2.0.so.0 are available (libvirt depends on GLib).
func TestMatchDNPatternAgainstGLib(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler to build the GLib reference")
	}
	var lib string
	for _, p := range []string{"/usr/lib/x86_64-linux-gnu/libglib-2.0.so.0", "/usr/lib/aarch64-linux-gnu/libglib-2.0.so.0", "/usr/lib64/libglib-2.0.so.0"} {
		if _, err := os.Stat(p); err == nil {
			lib = p
		}
	}
	if lib == "" {
		t.Skip("libglib-2.0.so.0 not found")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "gp.c")
	prog := `#include <stdio.h>
#include <string.h>
int g_pattern_match_simple(const char *pattern, const char *string);
int main(void) {
  static char p[4096], s[4096];
  while (fgets(p, sizeof p, stdin) && fgets(s, sizeof s, stdin)) {
    p[strcspn(p, "\n")] = 0; s[strcspn(s, "\n")] = 0;
    printf("%d\n", g_pattern_match_simple(p, s) ? 1 : 0);
  }
  return 0;
}
`
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "gp")
	if out, err := exec.Command(cc, "-o", bin, src, lib).CombinedOutput(); err != nil {
		t.Skipf("cannot build the GLib reference: %v\n%s", err, out)
	}
	rng := rand.New(rand.NewSource(1))
	patAlphabet := []string{"a", "b", "*", "?", "é", ",", "\\", "["}
	strAlphabet := []string{"a", "b", "é", ",", "*", "?", "日"}
	gen := func(alpha []string, n int) string {
		var sb strings.Builder
		for i := 0; i < n; i++ {
			sb.WriteString(alpha[rng.Intn(len(alpha))])
		}
		return sb.String()
	}
	type pair struct{ p, s string }
	var pairs []pair
	var input strings.Builder
	for i := 0; i < 20000; i++ {
		p, s := gen(patAlphabet, rng.Intn(7)), gen(strAlphabet, rng.Intn(7))
		pairs = append(pairs, pair{p, s})
		fmt.Fprintf(&input, "%s\n%s\n", p, s)
	}
	cmd := exec.Command(bin)
	cmd.Stdin = strings.NewReader(input.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	mismatches := 0
	for i := 0; sc.Scan(); i++ {
		want := sc.Text() == "1"
		if got := MatchDNPattern(pairs[i].p, pairs[i].s); got != want {
			mismatches++
			if mismatches < 10 {
				t.Errorf("MatchDNPattern(%q, %q) = %v, GLib says %v", pairs[i].p, pairs[i].s, got, want)
			}
		}
	}
	t.Logf("%d random pattern/DN pairs compared with GLib, %d mismatches", len(pairs), mismatches)
}
