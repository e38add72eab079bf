// Package atomicfile writes files so that a reader (or a crash) sees either
// the old content or the complete new content, never a partial file, and so
// that secrets never exist on disk with a looser mode than their final one.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is returned (wrapped) when the target exists and Force is false.
var ErrExists = errors.New("file exists")

// Options tune Write.
type Options struct {
	// Force allows replacing an existing file.
	Force bool
	// UID and GID, when >= 0, set the owner of the temporary file before it
	// is renamed into place. Use -1 to keep the current process's.
	UID, GID int
}

// DefaultOptions refuse to overwrite and keep the process's owner.
var DefaultOptions = Options{UID: -1, GID: -1}

// Write stores data at path with the given mode: it creates a temporary file
// in the same directory with that mode from the start (umask does not
// loosen or tighten it), writes, fsyncs, optionally chowns, renames it over
// path and fsyncs the directory. Without opts.Force an existing path is an
// error wrapping ErrExists, and nothing is written.
func Write(path string, data []byte, mode fs.FileMode, opts Options) error {
	if !opts.Force {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s: %w (use --force to replace it)", path, ErrExists)
		}
	}
	tmp, err := CreateTemp(path, mode)
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		Discard(tmp)
		return fmt.Errorf("%s: %w", path, err)
	}
	return Commit(tmp, path, opts)
}

// TempPrefix starts the name of every temporary file this package creates,
// so recovery code can recognise and remove leftovers.
const TempPrefix = ".virt-pki-tmp-"

// CreateTemp creates an empty temporary file next to path with exactly
// mode, for callers that stage several files before renaming them.
func CreateTemp(path string, mode fs.FileMode) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, TempPrefix+base+"-*")
	if err != nil {
		return nil, fmt.Errorf("%s: cannot write in %s: %w", path, dir, errors.Unwrap(err))
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// SyncDir fsyncs a directory so that a rename in it survives a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}
