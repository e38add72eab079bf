// Package fileread reads the files virt-pki takes as input with a size cap,
// so that a wrong path (a disk image, /dev/zero) cannot exhaust memory, and
// strips the "open PATH:" prefix from errors for messages that name the
// file themselves. It imports no other virt-pki package.
package fileread

import (
	"errors"
	"io"
	"io/fs"
	"os"
)

// ErrTooLarge is returned by ReadCapped for a file longer than its limit.
var ErrTooLarge = errors.New("file too large")

// ReadCapped reads at most limit+1 bytes of path. A file longer than limit
// returns the bytes read with ErrTooLarge. Other errors are the operating
// system's without the *fs.PathError wrapper (see Cause); the caller names
// the file.
func ReadCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Cause(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, Cause(err)
	}
	if int64(len(data)) > limit {
		return data, ErrTooLarge
	}
	return data, nil
}

// Cause returns the error an *fs.PathError in err's chain wraps ("no such
// file or directory" rather than "open PATH: no such file or directory"),
// or err itself when there is none.
func Cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
