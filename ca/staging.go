package ca

import (
	"os"
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
// "cakey.pem"): the names atomicfile.CreateTemp gives (see
// atomicfile.RemoveStale). Other files are never touched. It returns the
// paths it removed.
func RemoveStaleTemps(dir string, names []string) ([]string, error) {
	return atomicfile.RemoveStale(dir, names)
}
