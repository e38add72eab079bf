package ca

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/virt-pki/virt-pki/internal/atomicfile"
)

// File is one output file of a set written by WriteFiles.
type File struct {
	Path string
	Data []byte
	Mode fs.FileMode // 0600 for private keys, 0644 for certificates (0600 too in a pkipath directory)
	Kind Kind        // what Data is; the mode does not say
}

// Kind is what an output file holds.
type Kind int

const (
	Certificate Kind = iota // PEM certificate(s)
	PrivateKey              // PEM private key
)

// String is the kind as JSON output names it: "certificate" or
// "private-key".
func (k Kind) String() string {
	if k == PrivateKey {
		return "private-key"
	}
	return "certificate"
}

// WriteFiles writes a set of files all or nothing: every file is staged as
// a temporary file with its final mode from the start (internal/atomicfile),
// and only when all are staged are they moved into place. Without force an
// existing target is an error (wrapping atomicfile.ErrExists) reported
// before anything is written. If moving one into place fails, the files
// already placed are removed again (without force they were new), so no
// partial set is left behind.
func WriteFiles(files []File, force bool) error {
	if !force {
		for _, f := range files {
			if _, err := os.Lstat(f.Path); err == nil {
				return fmt.Errorf("%s: %w (use --force to replace it)", f.Path, atomicfile.ErrExists)
			}
		}
	}
	staged := make([]string, 0, len(files))
	cleanup := func() {
		for _, s := range staged {
			os.Remove(s)
		}
		unstage(staged)
	}
	for _, f := range files {
		tmp, err := atomicfile.CreateTemp(f.Path, f.Mode)
		if err != nil {
			cleanup()
			return err
		}
		staged = append(staged, tmp.Name())
		stage(tmp.Name())
		if _, err := tmp.Write(f.Data); err != nil {
			tmp.Close()
			cleanup()
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			cleanup()
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		if err := tmp.Close(); err != nil {
			cleanup()
			return fmt.Errorf("%s: %w", f.Path, err)
		}
	}
	var placed []string
	for i, f := range files {
		var err error
		if force {
			err = os.Rename(staged[i], f.Path)
		} else {
			// Link fails if the target appeared meanwhile; rename would
			// clobber it.
			err = os.Link(staged[i], f.Path)
		}
		if err != nil {
			for _, p := range placed {
				os.Remove(p)
			}
			cleanup()
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%s: %w (use --force to replace it)", f.Path, atomicfile.ErrExists)
			}
			return fmt.Errorf("%s: %w", f.Path, unwrapLink(err))
		}
		placed = append(placed, f.Path)
	}
	cleanup() // the staged names left after Link
	dirs := map[string]bool{}
	for _, f := range files {
		d := filepath.Dir(f.Path)
		if !dirs[d] {
			dirs[d] = true
			if err := atomicfile.SyncDir(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// EnsureDir creates dir (mode 0700, since it will hold private keys) and
// any missing parents when it does not exist, and returns a function that
// removes again every directory it created that is still empty; call that
// function when the output set could not be written.
func EnsureDir(dir string) (undo func(), err error) {
	if dir == "" || dir == "." {
		return func() {}, nil
	}
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return nil, fmt.Errorf("%s: not a directory", dir)
		}
		return func() {}, nil
	}
	// Remember every level MkdirAll creates, so that undo removes them all.
	var created []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		}
		created = append(created, d)
		if parent := filepath.Dir(d); parent == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("%s: cannot create the output directory: %w", dir, unwrapLink(err))
	}
	return func() {
		for _, d := range created { // innermost first; os.Remove keeps non-empty ones
			os.Remove(d)
		}
	}, nil
}

func unwrapLink(err error) error {
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
