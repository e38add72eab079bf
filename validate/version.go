package validate

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/virt-pki/virt-pki/layout"
)

// ecExemptSince is the first libvirt release whose certificate check
// exempts ECDSA and X25519/X448 keys from keyEncipherment (RFC 8813).
// Releases before it, such as Debian 12's 9.0, refuse such a certificate
// when its key usage is critical.
const ecExemptSince = "11.8.0"

// Version is a libvirt release number.
type Version [3]int

// versionRE is compiled on first use: most audits never need it.
var versionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(\d+)\.(\d+)(?:\.(\d+))?`) })

// ParseVersion extracts the first "MAJOR.MINOR[.MICRO]" from s, as printed
// by `libvirtd --version` ("libvirtd (libvirt) 9.0.0") or `virsh --version`
// ("9.0.0").
func ParseVersion(s string) (Version, error) {
	m := versionRE().FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("no version number in %q", firstLine(s))
	}
	var v Version
	for i := 0; i < 3; i++ {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.Atoi(m[i+1])
		if err != nil || n > 1<<20 {
			return Version{}, fmt.Errorf("version number out of range in %q", firstLine(s))
		}
		v[i] = n
	}
	return v, nil
}

// Less reports whether v is an older release than w.
func (v Version) Less(w Version) bool {
	for i := range v {
		if v[i] != w[i] {
			return v[i] < w[i]
		}
	}
	return false
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]) }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

// versionInfo is the libvirt release a verdict was computed for.
type versionInfo struct {
	version string // "9.0.0", or "unknown"
	source  string // "installed", "detected from ..." or "given"
	v       Version
	known   bool
}

func parseVersionInfo(s, source string) *versionInfo {
	v, err := ParseVersion(s)
	if err != nil {
		return &versionInfo{version: "unknown", source: source + ": " + err.Error()}
	}
	return &versionInfo{version: v.String(), source: source, v: v, known: true}
}

// exemptsEC reports whether this libvirt accepts ECDSA leaf certificates
// without keyEncipherment. An unknown release is treated as old, the
// stricter verdict.
func (vi *versionInfo) exemptsEC() bool {
	if !vi.known {
		return false
	}
	since, _ := ParseVersion(ecExemptSince)
	return !vi.v.Less(since)
}

// libvirtVersion returns the installed libvirt, detected once per run.
func (a *audit) libvirtVersion() *versionInfo {
	if a.version == nil {
		v, src, err := DetectLibvirtVersion(a.opts.Root)
		if err != nil {
			a.version = &versionInfo{version: "unknown", source: err.Error() + "; assuming an older release, override with --libvirt-version"}
		} else {
			a.version = parseVersionInfo(v, "installed, "+src)
		}
	}
	return a.version
}

// DetectLibvirtVersion finds the installed libvirt release below root: from
// the library's file name (libvirt.so.0.9000.0 is 9.0.0), which needs no
// process, else (on the real host only) from `libvirtd --version` or
// `virsh --version`. It returns the version and how it was found.
func DetectLibvirtVersion(root string) (version, source string, err error) {
	for _, pat := range []string{"/usr/lib/*/libvirt.so.0.*.*", "/usr/lib64/libvirt.so.0.*.*", "/usr/lib/libvirt.so.0.*.*"} {
		matches, _ := filepath.Glob(layout.Under(root, pat))
		for _, m := range matches {
			if v, ok := soVersion(filepath.Base(m)); ok {
				return v, "from " + strings.TrimPrefix(m, strings.TrimSuffix(root, "/")), nil
			}
		}
	}
	if root != "" && root != "/" {
		return "", "", errors.New("no libvirt library below " + root)
	}
	for _, cmd := range [][]string{{"libvirtd", "--version"}, {"/usr/sbin/libvirtd", "--version"}, {"virsh", "--version"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		out, err := exec.CommandContext(ctx, cmd[0], cmd[1:]...).Output()
		cancel()
		if err != nil {
			continue
		}
		if v, err := ParseVersion(string(out)); err == nil {
			return v.String(), "from `" + strings.Join(cmd, " ") + "`", nil
		}
	}
	return "", "", errors.New("libvirt is not installed (no libvirt.so, libvirtd or virsh)")
}

// soVersion decodes libvirt's library version suffix: libvirt.so.0.X.Y
// with X = major*1000 + minor and Y = micro.
func soVersion(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "libvirt.so.0.")
	if !ok {
		return "", false
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 2 {
		return "", false
	}
	x, err1 := strconv.Atoi(parts[0])
	y, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || x < 0 || y < 0 {
		return "", false
	}
	return fmt.Sprintf("%d.%d.%d", x/1000, x%1000, y), true
}
