package layout

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/virt-pki/virt-pki/internal/fileread"
)

// readConfFile reads a configuration or database file the user (or the
// host under --root) supplies: libvirtd.conf, qemu.conf, /etc/group.
// It goes through fileread.ReadCapped, so a named pipe without a writer,
// a device or a socket is refused at once instead of blocking the command
// forever, and at most MaxConfSize+1 bytes are read (a longer file is
// returned truncated for the parser, which refuses it by size).
//
// Errors name the file on one line: "PATH: no such file or directory"
// (wrapping fs.ErrNotExist), "PATH: cannot be read: CAUSE" otherwise
// (wrapping the cause, e.g. fileread.ErrNotRegular or fs.ErrPermission).
func readConfFile(path string) ([]byte, error) {
	data, err := fileread.ReadCapped(path, MaxConfSize)
	switch {
	case err == nil, errors.Is(err, fileread.ErrTooLarge):
		return data, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: %w", path, err)
	default:
		return nil, fmt.Errorf("%s: cannot be read: %w", path, err)
	}
}
