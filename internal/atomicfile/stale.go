package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// IsTemp reports whether base (a file name without directory) is the name
// CreateTemp gives a temporary file for one of names (TempPrefix + NAME +
// "-" + digits). With names nil, every name starting with TempPrefix
// counts.
func IsTemp(base string, names []string) bool {
	rest, ok := strings.CutPrefix(base, TempPrefix)
	if !ok {
		return false
	}
	if names == nil {
		return true
	}
	for _, n := range names {
		suffix, ok := strings.CutPrefix(rest, n+"-")
		if ok && suffix != "" && strings.Trim(suffix, "0123456789") == "" {
			return true
		}
	}
	return false
}

// RemoveStale removes, in dir, the regular files a run that was killed
// left behind while staging one of names (see IsTemp; names nil: every
// temporary file of this package's naming scheme). Other files, and
// directories, are never touched. A missing dir holds nothing. It returns
// the paths it removed, sorted, and syncs dir when it removed any. On an
// error it returns what it removed before.
func RemoveStale(dir string, names []string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !IsTemp(e.Name(), names) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, err
		}
		removed = append(removed, p)
	}
	sort.Strings(removed)
	if len(removed) > 0 {
		return removed, SyncDir(dir)
	}
	return removed, nil
}
