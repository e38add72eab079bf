// Package fileread reads the files virt-pki takes as input with a size cap,
// so that a wrong path (a disk image, /dev/zero) cannot exhaust memory, and
// strips the "open PATH:" prefix from errors for messages that name the
// file themselves. It imports no other virt-pki package.
package fileread

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ErrTooLarge is returned by ReadCapped for a file longer than its limit.
var ErrTooLarge = errors.New("file too large")

// ErrNotRegular is wrapped by the error for a path that is neither a
// regular file nor a directory (a named pipe, a device, a socket).
var ErrNotRegular = errors.New("not a regular file")

// OpenRegular opens path for reading without blocking (O_NONBLOCK, so a
// FIFO without a writer does not hang) and refuses anything but a regular
// file: a directory with syscall.EISDIR ("is a directory"), anything else
// with an error wrapping ErrNotRegular that says what it is ("not a
// regular file (a named pipe)"). Errors carry no "open PATH:" prefix.
func OpenRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, Cause(err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Cause(err)
	}
	if fi.IsDir() {
		f.Close()
		return nil, syscall.EISDIR // "is a directory", as read(2) says
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, NotRegularError(fi.Mode())
	}
	return f, nil
}

// NotRegularError is the error OpenRegular returns for a file of mode m
// that is not regular: it wraps ErrNotRegular and says what the file is
// ("not a regular file (a named pipe)"). For callers that learn the type
// from a directory listing and must not open the file.
func NotRegularError(m fs.FileMode) error {
	return fmt.Errorf("%w (%s)", ErrNotRegular, describeMode(m))
}

func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "a special file"
}

// ReadCapped reads at most limit+1 bytes of path. A file longer than limit
// returns the bytes read with ErrTooLarge. Other errors are the operating
// system's without the *fs.PathError wrapper (see Cause); the caller names
// the file.
//
// Only regular files are read: a named pipe, device, socket or directory
// is an error wrapping ErrNotRegular (opening does not block on a FIFO
// without a writer, and nothing is read from it).
func ReadCapped(path string, limit int64) ([]byte, error) {
	f, err := OpenRegular(path)
	if err != nil {
		return nil, err
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
