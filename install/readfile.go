package install

import "github.com/virt-pki/virt-pki/internal/fileread"

// maxInputSize caps every file install reads: sources, the installed
// files it compares them with, and its journal. No certificate, key or
// journal comes near it; a disk image given by mistake does.
const maxInputSize = 1 << 20

// readInput reads a file install takes as input or inspects (a source, an
// installed certificate, the journal) through fileread.ReadCapped: only a
// regular file is read, so a named pipe without a writer or a device is an
// immediate error wrapping fileread.ErrNotRegular instead of a hang, and a
// file over maxInputSize is fileread.ErrTooLarge. Errors carry no "open
// PATH:" prefix; the caller names the file.
func readInput(path string) ([]byte, error) {
	return fileread.ReadCapped(path, maxInputSize)
}
