package install

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/fileread"
	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// Status says what installing does to one file.
type Status string

// The statuses of a plan entry.
const (
	// New: the file does not exist yet.
	New Status = "new"
	// Unchanged: same content, owner and mode; nothing is written.
	Unchanged Status = "unchanged"
	// Replaced: the file exists with other content (or is a symlink).
	Replaced Status = "replaced"
	// Permissions: same content, but owner or mode are corrected.
	Permissions Status = "permissions"
)

// Entry is one file of the plan.
type Entry struct {
	// Role is the file's role in the layout.
	Role layout.Role `json:"role"`
	// Path is where the file is installed.
	Path string `json:"path"`
	// Source is the file it is copied from.
	Source string       `json:"source"`
	Mode   fs.FileMode  `json:"mode"`
	Owner  layout.Owner `json:"owner"`
	Status Status       `json:"status"`
	// Was describes the file being replaced ("0644 root:root", "symlink
	// to X"), empty for new files.
	Was string `json:"was,omitempty"`
	// Backup is where a replaced file is kept (with Request.Backup).
	Backup string `json:"backup,omitempty"`

	data []byte
}

// MarshalJSON writes the mode as an octal string ("0600").
func (e Entry) MarshalJSON() ([]byte, error) {
	type plain Entry
	return json.Marshal(struct {
		plain
		Mode string `json:"mode"`
	}{plain(e), fmt.Sprintf("%04o", e.Mode.Perm())})
}

// MarshalJSON writes the mode as an octal string ("0755").
func (d MkDir) MarshalJSON() ([]byte, error) {
	type plain MkDir
	return json.Marshal(struct {
		plain
		Mode string `json:"mode"`
	}{plain(d), fmt.Sprintf("%04o", d.Mode.Perm())})
}

// MkDir is a directory the install creates.
type MkDir struct {
	Path  string       `json:"path"`
	Mode  fs.FileMode  `json:"mode"`
	Owner layout.Owner `json:"owner"`
}

// Plan is everything an install will do, decided before anything is
// written. A plan with a FAIL finding is refused by Apply.
type Plan struct {
	Kind layout.Kind `json:"layout"`
	// Base is the layout's base directory.
	Base     string       `json:"base"`
	Dirs     []MkDir      `json:"create_dirs,omitempty"`
	Entries  []Entry      `json:"entries"`
	Findings finding.List `json:"findings"`
	// Effects explain, one line each, what libvirt and QEMU will do with
	// the result.
	Effects []string `json:"effects"`
	// PendingRecovery is set when an interrupted install's journal was
	// found and not yet recovered (dry runs do not recover).
	PendingRecovery bool `json:"pending_recovery,omitempty"`

	backup     bool
	stamp      string
	layoutDir  []string // directories a symlink may point into
	journalDir string   // where the journal and the lock live (see journalDir)
}

// Refused reports whether the plan has a FAIL finding.
func (p *Plan) Refused() bool { return p.Findings.Worst() == finding.Fail }

// Changes counts the entries that write something.
func (p *Plan) Changes() int {
	n := 0
	for _, e := range p.Entries {
		if e.Status != Unchanged {
			n++
		}
	}
	return n
}

// InputError is bad input: a missing or unreadable source, a directory
// where a file belongs, a symlink leading out of the layout, an
// unwritable target. Nothing has been written when it is returned.
type InputError struct{ Err error }

// Error is the one-line message, naming the file.
func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

func inputErrorf(format string, args ...any) error {
	return &InputError{fmt.Errorf(format, args...)}
}

// Prepare reads the sources and the current layout and decides what to do.
// It never writes. Bad input is an *InputError; problems the user may
// override with Request.Force are FAIL findings in the plan.
func Prepare(req Request) (*Plan, error) {
	if len(req.Roles) == 0 {
		return nil, inputErrorf("no role given (want ca, server or client)")
	}
	if req.Now.IsZero() {
		req.Now = time.Now()
	}
	if (req.Sources.Cert != "" || req.Sources.Key != "") && hasRole(req.Roles, RoleServer) && hasRole(req.Roles, RoleClient) {
		return nil, inputErrorf("--cert and --key name one certificate, but both the server and client roles were asked for; install them separately or use --from")
	}
	lay := req.Target.Layout()
	if lay.Kind == layout.User {
		if fi, err := os.Stat(req.Target.Home); err != nil || !fi.IsDir() {
			return nil, inputErrorf("%s: the home directory does not exist; set HOME to an existing directory", req.Target.Home)
		}
	}
	p := &Plan{
		Findings: finding.List{},
		Effects:  []string{},
		Kind:     lay.Kind,
		Base:     lay.Base,
		backup:   req.Backup,
		stamp:    req.Now.UTC().Format("20060102T150405Z"),
	}
	p.layoutDir = append(p.layoutDir, lay.Base)

	targets, err := targetFiles(req, lay, p)
	if err != nil {
		return nil, err
	}
	if err := p.checkPaths(req, targets); err != nil {
		return nil, err
	}
	p.journalDir = journalDir(lay.Base, targets)
	for _, t := range targets {
		src := req.Sources.source(t.Role)
		if src == "" {
			return nil, inputErrorf("no source for the %s: give --from DIR or --%s", t.Role.Describe(), flagFor(t.Role))
		}
		data, err := readSource(src, t.Role)
		if err != nil {
			return nil, err
		}
		if err := parseSource(src, t.Role, data); err != nil {
			return nil, err
		}
		e := Entry{Role: t.Role, Path: t.Path, Source: src, Mode: t.Mode, Owner: t.Owner, data: data}
		if err := p.classify(&e, req); err != nil {
			return nil, err
		}
		p.Entries = append(p.Entries, e)
	}
	if err := p.planDirs(req, lay); err != nil {
		return nil, err
	}
	p.check(req, lay)
	p.explain(req, lay)
	for _, dir := range append([]string{p.Base}, targetDirsOf(targets)...) {
		if _, err := os.Lstat(journalPath(dir)); err == nil {
			p.PendingRecovery = true
		}
	}
	return p, nil
}

func hasRole(roles []Role, r Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

func flagFor(r layout.Role) string {
	switch r {
	case layout.CACert:
		return "ca-cert"
	case layout.ServerKey, layout.ClientKey:
		return "key"
	}
	return "cert"
}

// targetFiles lists the layout files the roles install, applying
// libvirtd.conf's overrides to system installs.
func targetFiles(req Request, lay layout.Layout, p *Plan) ([]layout.File, error) {
	var custom *layout.ServerFiles
	if req.Target.Kind == layout.System && req.Target.LibvirtdConf != nil {
		sf, problem := layout.EffectiveServerFiles(req.Target.Root, req.Target.LibvirtdConf)
		touchesServer := hasRole(req.Roles, RoleCA) || hasRole(req.Roles, RoleServer)
		if problem != nil && touchesServer {
			return nil, inputErrorf("%s: libvirtd will not start: %s; %s", req.Target.LibvirtdConf.Path, problem.Message, problem.Fix)
		}
		if problem != nil {
			p.Findings = append(p.Findings, finding.Finding{ID: problem.ID, Status: finding.Warn, Path: req.Target.LibvirtdConf.Path,
				Message: req.Target.LibvirtdConf.Path + ": libvirtd will not start: " + problem.Message, Fix: problem.Fix})
		}
		if sf.Custom && problem == nil {
			custom = &sf
		}
		conf := req.Target.LibvirtdConf
		for _, rs := range conf.RelativeFileSettings() {
			p.Findings = append(p.Findings, finding.Finding{ID: "install-libvirtd-conf-relative-path", Status: finding.Warn, Path: conf.Path,
				Message: fmt.Sprintf("%s: %s = %q is a relative path; libvirtd resolves it against its working directory (usually %s, giving %s), not against the configuration file's directory", conf.Path, rs.Key, rs.Value, layout.DaemonWorkDir, rs.Absolute),
				Fix:     fmt.Sprintf("write the absolute path in %s: %s = %q", conf.Path, rs.Key, rs.Absolute)})
		}
	}
	var out []layout.File
	for _, r := range req.Roles {
		for _, fr := range fileRoles(r) {
			f, ok := lay.File(fr)
			if !ok {
				return nil, inputErrorf("the %s layout has no %s file", lay.Kind, fr)
			}
			if custom != nil {
				switch fr {
				case layout.CACert:
					f.Path = custom.CACert
				case layout.ServerCert:
					f.Path = custom.ServerCert
				case layout.ServerKey:
					f.Path = custom.ServerKey
				}
				if fr == layout.CACert || fr == layout.ServerCert || fr == layout.ServerKey {
					p.layoutDir = append(p.layoutDir, filepath.Dir(f.Path))
				}
			}
			out = append(out, f)
		}
	}
	seen := map[string]layout.Role{}
	for _, f := range out {
		if prev, dup := seen[f.Path]; dup {
			return nil, inputErrorf("%s is the target of both the %s and the %s; fix the paths in libvirtd.conf", f.Path, prev, f.Role)
		}
		seen[f.Path] = f.Role
	}
	return out, nil
}

// readSource reads one source file (bounded) and checks it is a file.
func readSource(path string, r layout.Role) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, inputErrorf("%s: cannot read the %s: %v", path, r.Describe(), fileread.Cause(err))
	}
	if fi.IsDir() {
		return nil, inputErrorf("%s: is a directory, expected the %s file", path, r.Describe())
	}
	data, err := readInput(path)
	if errors.Is(err, fileread.ErrTooLarge) {
		return nil, inputErrorf("%s: larger than %d bytes, not a %s file", path, maxInputSize, r.Describe())
	}
	if err != nil {
		return nil, inputErrorf("%s: cannot read the %s: %v", path, r.Describe(), err)
	}
	return data, nil
}

// parseSource rejects a source that is not what its role needs: a PEM
// certificate, or an unencrypted PEM private key.
func parseSource(path string, r layout.Role, data []byte) error {
	switch r {
	case layout.ServerKey, layout.ClientKey:
		if _, err := keys.ParsePrivateKeyPEM(data); err != nil {
			return inputErrorf("%s: not usable as the %s: %v", path, r.Describe(), err)
		}
	default:
		if _, err := libvirtcert.ParsePEMCertificatesWith(path, data, libvirtcert.PEMOptions{RejectPrivateKey: true}); err != nil {
			return inputErrorf("%s: not usable as the %s: %s", path, r.Describe(), libvirtcert.FileReason(err))
		}
	}
	return nil
}

// classify compares an entry with what is installed now.
func (p *Plan) classify(e *Entry, req Request) error {
	fi, err := os.Lstat(e.Path)
	if errors.Is(err, fs.ErrNotExist) {
		e.Status = New
		return p.checkWritable(filepath.Dir(e.Path))
	}
	if errors.Is(err, syscall.ENOTDIR) {
		for d := filepath.Dir(e.Path); d != filepath.Dir(d); d = filepath.Dir(d) {
			if fi, serr := os.Stat(d); serr == nil && !fi.IsDir() {
				return inputErrorf("%s: is not a directory (it must hold %s)", d, e.Path)
			}
		}
	}
	if err != nil {
		return inputErrorf("%s: %v", e.Path, fileread.Cause(err))
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		dest, err := filepath.EvalSymlinks(e.Path)
		if err != nil {
			return inputErrorf("%s: is a dangling symlink (%v); remove it first", e.Path, fileread.Cause(err))
		}
		if !p.insideLayout(dest) {
			return inputErrorf("%s: is a symlink to %s, outside the layout; refusing to write through or replace it (remove the link first)", e.Path, dest)
		}
		e.Status = Replaced
		e.Was = "symlink to " + dest
		p.setBackup(e)
		return p.checkWritable(filepath.Dir(e.Path))
	}
	if fi.IsDir() {
		return inputErrorf("%s: is a directory where the %s belongs; remove it first", e.Path, e.Role.Describe())
	}
	if !fi.Mode().IsRegular() {
		return inputErrorf("%s: is not a regular file (%s)", e.Path, fi.Mode().Type())
	}
	cur, err := readInput(e.Path)
	if err != nil {
		return inputErrorf("%s: cannot read the installed file: %v", e.Path, err)
	}
	uid, gid := ownerOf(fi)
	e.Was = fmt.Sprintf("%04o %s", fi.Mode().Perm(), ownerName(uid, gid))
	switch {
	case !bytes.Equal(cur, e.data):
		e.Status = Replaced
		p.setBackup(e)
	case fi.Mode().Perm() != e.Mode || uid != e.Owner.UID || gid != e.Owner.GID:
		e.Status = Permissions
	default:
		e.Status = Unchanged
		e.Was = ""
		return nil
	}
	return p.checkWritable(filepath.Dir(e.Path))
}

func (p *Plan) setBackup(e *Entry) {
	if p.backup {
		e.Backup = e.Path + ".bak-" + p.stamp
	}
}

func (p *Plan) insideLayout(path string) bool {
	for _, d := range p.layoutDir {
		if real, err := filepath.EvalSymlinks(d); err == nil {
			d = real
		}
		if rel, err := filepath.Rel(d, path); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return true
		}
	}
	return false
}

// checkWritable reports an unwritable existing directory (the nearest
// existing ancestor when dir does not exist yet).
func (p *Plan) checkWritable(dir string) error {
	for {
		fi, err := os.Stat(dir)
		if err == nil {
			if !fi.IsDir() {
				return inputErrorf("%s: is not a directory", dir)
			}
			if err := syscall.Access(dir, 0o3); err != nil { // W_OK|X_OK
				return inputErrorf("cannot write in %s: %v", dir, err)
			}
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return inputErrorf("%s: %v", dir, fileread.Cause(err))
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir = parent
	}
}

// planDirs lists the directories to create, parents first, with the
// layout's owner and mode (other directories of a custom path get the
// system directory mode).
func (p *Plan) planDirs(req Request, lay layout.Layout) error {
	want := map[string]layout.Dir{}
	for _, d := range lay.Dirs {
		want[d.Path] = d
	}
	defaultDir := layout.Dir{Mode: layout.ModeSystemDir, Owner: layout.RootOwner}
	if lay.Kind == layout.User || lay.Kind == layout.PKIPath {
		defaultDir = layout.Dir{Mode: layout.ModeUserDir, Owner: lay.Dirs[0].Owner}
	}
	added := map[string]bool{}
	var add func(dir string) error
	add = func(dir string) error {
		if added[dir] {
			return nil
		}
		fi, err := os.Stat(dir)
		if err == nil {
			if !fi.IsDir() {
				return inputErrorf("%s: exists and is not a directory", dir)
			}
			if d, ok := want[dir]; ok && !added[dir] {
				added[dir] = true
				p.checkDir(dir, fi, d)
			}
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return inputErrorf("%s: %v", dir, fileread.Cause(err))
		}
		parent := filepath.Dir(dir)
		if parent != dir {
			if err := add(parent); err != nil {
				return err
			}
		}
		d, ok := want[dir]
		if !ok {
			d = defaultDir
		}
		added[dir] = true
		p.Dirs = append(p.Dirs, MkDir{Path: dir, Mode: d.Mode, Owner: d.Owner})
		return nil
	}
	// The journal's directory is Base only when a file goes below it, and
	// otherwise a file's directory (journalDir): no directory is made for
	// the journal alone.
	for _, e := range p.Entries {
		if err := add(filepath.Dir(e.Path)); err != nil {
			return err
		}
	}
	return nil
}

// checkDir warns when an existing layout directory has another owner or
// mode than libvirt's validator expects (install does not change it).
func (p *Plan) checkDir(dir string, fi fs.FileInfo, d layout.Dir) {
	uid, gid := ownerOf(fi)
	if fi.Mode().Perm() == d.Mode && uid == d.Owner.UID && gid == d.Owner.GID {
		return
	}
	p.Findings = append(p.Findings, finding.Finding{ID: "install-dir-mode", Status: finding.Warn, Path: dir,
		Message: fmt.Sprintf("directory %s is %04o %s; libvirt's validator expects %04o %s", dir, fi.Mode().Perm(), ownerName(uid, gid), d.Mode, d.Owner.Name),
		Fix:     fmt.Sprintf("chmod %04o %s && chown %d:%d %s", d.Mode, dir, d.Owner.UID, d.Owner.GID, dir)})
}

func ownerOf(fi fs.FileInfo) (uid, gid int) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), int(st.Gid)
	}
	return -1, -1
}

func ownerName(uid, gid int) string {
	u := layout.UserName(uid)
	g := layout.GroupName(gid)
	return u + ":" + g
}
