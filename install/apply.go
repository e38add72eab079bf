package install

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/virt-pki/virt-pki/internal/atomicfile"
	"github.com/virt-pki/virt-pki/internal/fileread"
	"github.com/virt-pki/virt-pki/layout"
)

// ErrRefused is returned (wrapped) by Apply for a plan with FAIL findings.
var ErrRefused = errors.New("install refused")

// Options tune Install.
type Options struct {
	// DryRun only plans: nothing is written and no recovery is done.
	DryRun bool
	// Hook interrupts Apply for tests (nil in production).
	Hook Hook
	// Context, when cancelled (see SignalContext), interrupts the install
	// at its next step: before the renames the old set is kept and the
	// temporary files are removed, during them the renames are rolled back
	// and the journal removed, after them the new set is completed. The
	// error then wraps ErrInterrupted. Nil: never interrupted.
	Context context.Context
}

// ErrInterrupted is returned (wrapped) by Install when Options.Context was
// cancelled before the new set was in place.
var ErrInterrupted = errors.New("interrupted")

// SignalContext returns a context cancelled by SIGINT, SIGTERM or SIGHUP,
// for Options.Context; stop restores the default signal handling. While
// it is active those signals no longer kill the process, so an install
// cleans up instead of leaving temporary files and a journal for the next
// run.
func SignalContext(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
}

func interrupted(ctx context.Context) error {
	if ctx == nil || ctx.Err() == nil {
		return nil
	}
	return fmt.Errorf("%w by a signal", ErrInterrupted)
}

// Result is the outcome of Install.
type Result struct {
	Plan *Plan `json:"plan"`
	// Recovery is what was done about an earlier interrupted install.
	Recovery Recovery `json:"recovery"`
	// Applied is true when the plan was carried out (false for dry runs,
	// refusals and plans with nothing to change).
	Applied bool `json:"applied"`
}

// Install recovers an interrupted earlier install in the target layout,
// plans req and, unless it is a dry run or refused, applies the plan. A
// refused plan is returned with an error wrapping ErrRefused; bad input is
// an *InputError. In every error case the layout holds the complete old
// set (or, after a crash, will once the next Install or Recover runs).
func Install(req Request, opts Options) (*Result, error) {
	lay := req.Target.Layout()
	res := &Result{}
	// Refuse paths outside the root or the layout before recovery
	// touches anything there.
	pre := &Plan{Base: lay.Base, layoutDir: []string{lay.Base}}
	if files, err := targetFiles(req, lay, pre); err == nil {
		if err := pre.checkPaths(req, files); err != nil {
			return res, err
		}
	}
	var lock *os.File
	if !opts.DryRun {
		jdir := lay.Base
		if files, err := targetFiles(req, lay, &Plan{}); err == nil {
			jdir = journalDir(lay.Base, files)
		}
		if fi, err := os.Stat(jdir); err == nil && fi.IsDir() {
			l, err := lockDir(jdir)
			if err != nil {
				return nil, err
			}
			lock = l
			defer lock.Close()
		}
		rec, err := Recover(lay.Base, targetDirs(req))
		res.Recovery = rec
		if err != nil {
			return res, err
		}
	}
	p, err := Prepare(req)
	if err != nil {
		return res, err
	}
	res.Plan = p
	if opts.DryRun {
		return res, nil
	}
	if p.Refused() {
		return res, fmt.Errorf("%w: nothing was written", ErrRefused)
	}
	if p.Changes() == 0 {
		return res, nil
	}
	if err := interrupted(opts.Context); err != nil {
		return res, fmt.Errorf("%w: nothing was written", err)
	}
	if err := apply(p, opts.Hook, opts.Context, lock != nil); err != nil {
		return res, err
	}
	res.Applied = true
	return res, nil
}

// targetDirs lists the directories the request writes to (for cleanup),
// without reading any source.
func targetDirs(req Request) []string {
	files, err := targetFiles(req, req.Target.Layout(), &Plan{})
	if err != nil {
		return nil
	}
	return targetDirsOf(files)
}

// targetDirsOf lists the directories of files, each once.
func targetDirsOf(files []layout.File) []string {
	var dirs []string
	seen := map[string]bool{}
	for _, f := range files {
		if d := filepath.Dir(f.Path); !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// Apply carries out a plan as one set: missing directories are created
// (staged under a temporary name with their final owner and mode, then
// renamed); every file to write is staged as a temporary file in its
// target directory with its final owner and mode, written and fsynced;
// files being replaced get a second hard link; a journal naming all of
// this is written atomically; then the temporary files are renamed over
// the targets, the directories fsynced, the old links removed (or renamed
// to the backups) and the journal deleted. A failure before the journal
// leaves the old set and removes the temporary files; a failure during
// the renames rolls back to the old set; a failure after them completes
// the new set. If the process dies instead, Recover (run by the next
// Install) finishes the job. Apply returns nil only when the new set is in
// place and committed.
func Apply(p *Plan, hook Hook) error { return apply(p, hook, nil, false) }

func apply(p *Plan, hook Hook, ctx context.Context, locked bool) error {
	if p.Refused() {
		return fmt.Errorf("%w: nothing was written", ErrRefused)
	}
	// hookOnly runs the test hook; a rollback uses it, so that an
	// interruption does not interrupt the cleanup.
	hookOnly := func(label string) error {
		if hook == nil {
			return nil
		}
		return hook(label)
	}
	step := func(label string) error {
		if err := hookOnly(label); err != nil {
			return err
		}
		return interrupted(ctx)
	}
	for _, d := range p.Dirs {
		if err := makeDir(d, step); err != nil {
			return err
		}
	}
	if !locked {
		l, err := lockDir(p.journalDirOrBase())
		if err != nil {
			return err
		}
		defer l.Close()
	}

	var staged []journalEntry
	abort := func(err error) error {
		for _, e := range staged {
			os.Remove(e.Temp)
			if e.Saved != "" {
				os.Remove(e.Saved)
			}
		}
		if errors.Is(err, ErrInterrupted) {
			return fmt.Errorf("%w: the previous files are unchanged and the temporary files were removed", err)
		}
		return err
	}
	for _, e := range p.Entries {
		if e.Status == Unchanged {
			continue
		}
		if err := stage(e, step, &staged); err != nil {
			return abort(err)
		}
	}
	if err := step("sync staged"); err != nil {
		return abort(err)
	}
	if err := syncDirsOf(staged); err != nil {
		return abort(err)
	}
	if err := step("write journal"); err != nil {
		return abort(err)
	}
	if err := writeJournal(p.journalDirOrBase(), journal{Version: 1, Direction: "forward", Entries: staged}); err != nil {
		return abort(err)
	}

	for _, e := range staged {
		err := step("rename " + e.Target)
		if err == nil {
			err = os.Rename(e.Temp, e.Target)
		}
		if err != nil {
			return undo(p.journalDirOrBase(), staged, fmt.Errorf("%s: %w", e.Target, err), hookOnly)
		}
	}
	complete := func(err error) error {
		// The new set is in place: finish the job without the hook.
		if ferr := rollForward(journal{Entries: staged}); ferr != nil {
			return fmt.Errorf("%w; completing the install also failed (%v): the next 'virt-pki install' finishes it", err, ferr)
		}
		if ferr := removeJournal(p.journalDirOrBase()); ferr != nil {
			return fmt.Errorf("%w; removing the journal failed (%v): the next 'virt-pki install' finishes it", err, ferr)
		}
		return nil
	}
	if err := step("sync dirs"); err != nil {
		return complete(err)
	}
	if err := syncDirsOf(staged); err != nil {
		return complete(err)
	}
	for _, e := range staged {
		if e.Saved == "" {
			continue
		}
		if err := step("dispose old " + e.Target); err != nil {
			return complete(err)
		}
		if err := disposeSaved([]journalEntry{e}); err != nil {
			return complete(err)
		}
	}
	if err := step("remove journal"); err != nil {
		return complete(err)
	}
	if err := removeJournal(p.journalDirOrBase()); err != nil {
		return complete(err)
	}
	return nil
}

// stage writes one entry's temporary file and, for a replaced file, the
// extra link that keeps the old content, appending to staged as soon as
// there is something to clean up.
func stage(e Entry, step func(string) error, staged *[]journalEntry) error {
	if err := step("create temp " + e.Path); err != nil {
		return err
	}
	f, err := atomicfile.CreateTemp(e.Path, e.Mode)
	if err != nil {
		return err
	}
	*staged = append(*staged, journalEntry{Target: e.Path, Temp: f.Name(), Backup: e.Backup})
	je := &(*staged)[len(*staged)-1]
	fail := func(err error) error {
		f.Close()
		return fmt.Errorf("%s: %w", e.Path, err)
	}
	if err := step("write temp " + e.Path); err != nil {
		return fail(err)
	}
	if _, err := f.Write(e.data); err != nil {
		return fail(err)
	}
	if err := step("chown temp " + e.Path); err != nil {
		return fail(err)
	}
	if err := f.Chown(e.Owner.UID, e.Owner.GID); err != nil {
		return fail(fmt.Errorf("cannot set owner %s: %w", e.Owner.Name, fileread.Cause(err)))
	}
	// Chown may clear set-id bits only, but set the mode again to be exact.
	if err := f.Chmod(e.Mode); err != nil {
		return fail(err)
	}
	if err := step("fsync temp " + e.Path); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", e.Path, err)
	}
	if e.Status != New {
		if err := step("link old " + e.Path); err != nil {
			return err
		}
		saved, err := savedName(e.Path)
		if err != nil {
			return err
		}
		if err := os.Link(e.Path, saved); err != nil {
			return fmt.Errorf("%s: keeping the old file: %w", e.Path, fileread.Cause(err))
		}
		je.Saved = saved
	}
	return nil
}

// undo rolls back a failed set of renames: the journal is switched to
// "back" first, so that a crash during the rollback is finished by
// Recover in the same direction.
func undo(base string, staged []journalEntry, cause error, step func(string) error) error {
	j := journal{Version: 1, Direction: "back", Entries: staged}
	err := step("mark rollback")
	if err == nil {
		err = writeJournal(base, j)
	}
	if err != nil {
		return fmt.Errorf("%w; marking the rollback failed (%v): the next 'virt-pki install' completes the new set", cause, err)
	}
	if err := rollBack(j, step); err != nil {
		return fmt.Errorf("%w; rolling back failed (%v): the next 'virt-pki install' finishes the rollback", cause, err)
	}
	if err := removeJournal(base); err != nil {
		return fmt.Errorf("%w; the old files are back, but removing the journal failed: %v", cause, err)
	}
	return fmt.Errorf("%w (the previous files were restored)", cause)
}

func writeJournal(base string, j journal) error {
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(journalPath(base), append(data, '\n'), 0o600, atomicfile.Options{Force: true, UID: -1, GID: -1})
}

// makeDir creates d with its final owner and mode: a temporary directory
// is set up and renamed into place, so a crash never leaves d with the
// wrong owner or mode (a leftover temporary directory is removed by
// Recover).
func makeDir(d MkDir, step func(string) error) error {
	if fi, err := os.Stat(d.Path); err == nil && fi.IsDir() {
		return nil
	}
	if err := step("mkdir temp " + d.Path); err != nil {
		return err
	}
	parent, name := filepath.Split(d.Path)
	tmp, err := os.MkdirTemp(parent, atomicfile.TempPrefix+name+"-")
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", d.Path, fileread.Cause(err))
	}
	fail := func(err error) error {
		os.Remove(tmp)
		return fmt.Errorf("cannot create %s: %w", d.Path, fileread.Cause(err))
	}
	if err := step("chown dir " + d.Path); err != nil {
		return fail(err)
	}
	if err := os.Chown(tmp, d.Owner.UID, d.Owner.GID); err != nil {
		return fail(err)
	}
	if err := os.Chmod(tmp, d.Mode); err != nil {
		return fail(err)
	}
	if err := step("rename dir " + d.Path); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, d.Path); err != nil {
		if errors.Is(err, fs.ErrExist) || errors.Is(err, os.ErrExist) {
			os.Remove(tmp)
			return nil
		}
		return fail(err)
	}
	return atomicfile.SyncDir(parent)
}

// journalDirOrBase is the plan's journal directory (Base for a plan not
// made by Prepare).
func (p *Plan) journalDirOrBase() string {
	if p.journalDir != "" {
		return p.journalDir
	}
	return p.Base
}
