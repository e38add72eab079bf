package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Commit finishes a file staged with CreateTemp(path, mode) and written by
// the caller (for output too large to hold in memory): it optionally
// chowns, fsyncs and closes tmp, then puts it at path the way Write does —
// without opts.Force by a hard link, so an existing path (also one that
// appeared while the caller was writing) is never replaced and the error
// wraps ErrExists; with opts.Force by rename — and fsyncs the directory.
// Whatever happens, the temporary file is gone afterwards, and errors name
// path, never the temporary file.
func Commit(tmp *os.File, path string, opts Options) error {
	name := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("%s: %w", path, err)
	}
	if opts.UID >= 0 || opts.GID >= 0 {
		if err := tmp.Chown(opts.UID, opts.GID); err != nil {
			return fail(err)
		}
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if !opts.Force {
		err := os.Link(name, path)
		os.Remove(name)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w (use --force to replace it)", path, ErrExists)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, linkCause(err))
		}
	} else if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		if fi, serr := os.Lstat(path); serr == nil && fi.IsDir() {
			// os.Rename reports a directory in the way as "file exists",
			// which reads oddly after --force.
			return fmt.Errorf("%s: %w", path, syscall.EISDIR)
		}
		return fmt.Errorf("%s: %w", path, linkCause(err))
	}
	return SyncDir(filepath.Dir(path))
}

// Discard closes and removes a file staged with CreateTemp that is not to
// be committed.
func Discard(tmp *os.File) {
	tmp.Close()
	os.Remove(tmp.Name())
}

// linkCause strips the *os.LinkError around err, whose text names the
// temporary file.
func linkCause(err error) error {
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
