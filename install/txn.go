package install

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/virt-pki/virt-pki/internal/atomicfile"
	"github.com/virt-pki/virt-pki/layout"
)

// JournalName is the recovery journal's file name. It exists only while
// a set of renames is in progress, in the journal directory (see
// journalDir): the layout's base directory when a file goes below it,
// else the directory of the first file installed.
const JournalName = ".virt-pki-install.journal"

func journalPath(dir string) string { return filepath.Join(dir, JournalName) }

// journalDir is where an install of files keeps its journal and takes its
// lock: the layout's base directory when a file goes below it (the usual
// case), else the directory of the first file (libvirtd.conf pointing
// ca_file, cert_file and key_file elsewhere), so that no directory is
// created only for the journal. It depends only on the request, so the
// next install of the same request finds the journal; Recover also looks
// in the base directory and every target directory it is given.
func journalDir(base string, files []layout.File) string {
	for _, f := range files {
		if inside(base, f.Path) {
			return base
		}
	}
	if len(files) == 0 {
		return base
	}
	return filepath.Dir(files[0].Path)
}

// inside reports whether path is base or below it.
func inside(base, path string) bool {
	rel, err := filepath.Rel(base, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// Hook is called with a label before each step of Apply that changes the
// file system (creating a directory, staging a file, writing the journal,
// each rename, ...). A non-nil error aborts Apply at that point, as a
// failing system call would. Tests use it to interrupt an install at
// every step; production code passes nil.
type Hook func(step string) error

// journal records a set of renames in progress so that the next run can
// finish it (Forward) or undo it (Back).
type journal struct {
	Version   int            `json:"version"`
	Direction string         `json:"direction"` // "forward" or "back"
	Entries   []journalEntry `json:"entries"`
}

type journalEntry struct {
	Target string `json:"target"`
	Temp   string `json:"temp"`
	// Saved is a hard link to the file being replaced ("" for new files).
	Saved string `json:"saved,omitempty"`
	// Backup is where Saved ends up when the install keeps backups.
	Backup string `json:"backup,omitempty"`
}

// Recovery reports what Recover did.
type Recovery struct {
	// Journal is the interrupted install's journal, "" when none was found.
	Journal string `json:"journal,omitempty"`
	// Direction is "forward" (the new set was completed) or "back" (the
	// old set was restored).
	Direction string `json:"direction,omitempty"`
	// Removed lists leftover temporary files that were deleted.
	Removed []string `json:"removed,omitempty"`
}

// Did reports whether recovery changed anything.
func (r Recovery) Did() bool { return r.Journal != "" || len(r.Removed) > 0 }

// Recover finishes or undoes an install interrupted in base (the layout's
// base directory) or in one of dirs (the directories the install writes
// to, where the journal is when no file goes below base; see journalDir),
// then deletes leftover temporary files (names starting with
// atomicfile.TempPrefix) in base and in dirs. An install interrupted
// before its journal was written left the old set in place: only its
// temporary files are removed. One interrupted while renaming is rolled
// forward (every staged file was complete and fsynced before the journal
// was written), unless it had started rolling back, in which case the
// rollback is finished. Recover is idempotent: a crash during recovery is
// recovered by the next call.
func Recover(base string, dirs []string) (Recovery, error) {
	var rec Recovery
	all := append([]string{base}, dirs...)
	seen := map[string]bool{}
	for _, dir := range all {
		dir = filepath.Clean(dir)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		touched, err := recoverJournal(dir, &rec)
		if err != nil {
			return rec, err
		}
		all = append(all, touched...)
	}
	removed, err := removeTemps(all)
	rec.Removed = removed
	return rec, err
}

// recoverJournal finishes the install whose journal is in dir, if there
// is one, and returns the directories it touched.
func recoverJournal(dir string, rec *Recovery) ([]string, error) {
	jp := journalPath(dir)
	data, err := readInput(jp)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return nil, nil // no journal can be there (Prepare reports a bad path)
	case err != nil:
		return nil, fmt.Errorf("%s: cannot be read: %w", jp, err)
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil || j.Version != 1 {
		return nil, fmt.Errorf("%s: damaged install journal; inspect the files it names and remove it", jp)
	}
	rec.Journal, rec.Direction = jp, j.Direction
	if j.Direction == "back" {
		err = rollBack(j, nil)
	} else {
		rec.Direction = "forward"
		err = rollForward(j)
	}
	if err != nil {
		return nil, fmt.Errorf("recovering the interrupted install (%s): %w", jp, err)
	}
	var touched []string
	for _, e := range j.Entries {
		touched = append(touched, filepath.Dir(e.Target))
	}
	return touched, removeJournal(dir)
}

// rollForward completes the renames of j and disposes of the saved old
// files. Every step is idempotent.
func rollForward(j journal) error {
	for _, e := range j.Entries {
		if exists(e.Temp) {
			if err := os.Rename(e.Temp, e.Target); err != nil {
				return err
			}
		}
	}
	if err := syncDirsOf(j.Entries); err != nil {
		return err
	}
	return disposeSaved(j.Entries)
}

// rollBack restores the old set: saved files go back to their names, new
// files are removed, temporary files are deleted.
func rollBack(j journal, step func(string) error) error {
	for _, e := range j.Entries {
		if step != nil {
			if err := step("restore " + e.Target); err != nil {
				return err
			}
		}
		if e.Saved != "" {
			if exists(e.Saved) {
				if err := os.Rename(e.Saved, e.Target); err != nil {
					return err
				}
				// When the target still is the old file (the new one was
				// never renamed in), Saved and Target are links to one
				// inode and rename(2) does nothing: drop the extra link.
				if err := os.Remove(e.Saved); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
			}
		} else if err := os.Remove(e.Target); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := os.Remove(e.Temp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return syncDirsOf(j.Entries)
}

func disposeSaved(entries []journalEntry) error {
	for _, e := range entries {
		if e.Saved == "" || !exists(e.Saved) {
			continue
		}
		var err error
		if e.Backup != "" {
			err = os.Rename(e.Saved, e.Backup)
		} else {
			err = os.Remove(e.Saved)
		}
		if err != nil {
			return err
		}
	}
	return syncDirsOf(entries)
}

func removeJournal(base string) error {
	if err := os.Remove(journalPath(base)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return atomicfile.SyncDir(base)
}

// removeTemps deletes the temporary files of atomicfile's naming scheme
// (atomicfile.RemoveStale with no names: every atomicfile.TempPrefix*
// regular file) in dirs, and empty directories with that prefix (left by
// a directory creation that was interrupted) in dirs and their ancestors.
func removeTemps(dirs []string) ([]string, error) {
	var removed []string
	seen := map[string]bool{}
	filesToo := map[string]bool{}
	var scan []string
	for _, d := range dirs {
		d = filepath.Clean(d)
		filesToo[d] = true
		for a := d; ; a = filepath.Dir(a) {
			if !seen[a] {
				seen[a] = true
				scan = append(scan, a)
			}
			if filepath.Dir(a) == a {
				break
			}
		}
	}
	for _, d := range scan {
		if filesToo[d] {
			files, err := atomicfile.RemoveStale(d, nil)
			removed = append(removed, files...)
			if err != nil && !errors.Is(err, syscall.ENOTDIR) {
				return removed, err
			}
		}
		ents, err := os.ReadDir(d)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || !filesToo[d] {
				continue // an ancestor we may not read holds nothing of ours
			}
			return removed, err
		}
		n := 0
		for _, ent := range ents {
			if !ent.IsDir() || !atomicfile.IsTemp(ent.Name(), nil) {
				continue // files: removed above by atomicfile.RemoveStale
			}
			p := filepath.Join(d, ent.Name())
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				continue // not empty: not ours to judge
			}
			removed = append(removed, p)
			n++
		}
		if n > 0 {
			if err := atomicfile.SyncDir(d); err != nil {
				return removed, err
			}
		}
	}
	sort.Strings(removed)
	return removed, nil
}

func syncDirsOf(entries []journalEntry) error {
	seen := map[string]bool{}
	for _, e := range entries {
		d := filepath.Dir(e.Target)
		if seen[d] {
			continue
		}
		seen[d] = true
		if err := atomicfile.SyncDir(d); err != nil {
			return err
		}
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// lockDir takes an exclusive flock on a directory, so that two installs
// into one layout do not interleave. The lock is released by closing the
// returned file (or by the process dying).
func lockDir(dir string) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: another virt-pki install is running", dir)
		}
		return nil, fmt.Errorf("%s: lock: %w", dir, err)
	}
	return f, nil
}

func savedName(target string) (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	dir, base := filepath.Split(target)
	return filepath.Join(dir, atomicfile.TempPrefix+"old-"+base+"-"+hex.EncodeToString(b[:])), nil
}
