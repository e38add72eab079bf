package ca

import (
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/virt-pki/virt-pki/internal/atomicfile"
)

// staging holds the temporary files WriteFiles has created and not yet
// moved into place or removed, so that an interrupted run can remove them
// (they may hold private keys).
var staging = struct {
	sync.Mutex
	files map[string]bool
}{files: map[string]bool{}}

func stage(name string) {
	staging.Lock()
	staging.files[name] = true
	staging.Unlock()
}

func unstage(names []string) {
	staging.Lock()
	for _, n := range names {
		delete(staging.files, n)
	}
	staging.Unlock()
}

// RemoveStaged removes every temporary file WriteFiles is staging right
// now and returns their names. A signal handler calls it before the
// process exits, so that an interrupt never leaves a staged private key.
func RemoveStaged() []string {
	staging.Lock()
	defer staging.Unlock()
	var removed []string
	for n := range staging.files {
		if os.Remove(n) == nil {
			removed = append(removed, n)
		}
		delete(staging.files, n)
	}
	return removed
}

// RemoveStaleTemps removes, in dir, the temporary files an earlier run
// that was killed left behind while staging one of names (e.g.
// "cakey.pem"): files named atomicfile.TempPrefix+NAME+"-DIGITS", the names
// atomicfile.CreateTemp gives. Other files are never touched. It returns
// the paths it removed.
func RemoveStaleTemps(dir string, names []string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !isOurTemp(e.Name(), names) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.Remove(p); err == nil {
			removed = append(removed, p)
		}
	}
	return removed, nil
}

func isOurTemp(file string, names []string) bool {
	rest, ok := strings.CutPrefix(file, atomicfile.TempPrefix)
	if !ok {
		return false
	}
	for _, n := range names {
		suffix, ok := strings.CutPrefix(rest, n+"-")
		if ok && suffix != "" && strings.Trim(suffix, "0123456789") == "" {
			return true
		}
	}
	return false
}
