package validate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/fileread"
	"github.com/virt-pki/virt-pki/layout"
)

// object is a file or directory the audit expects, with the owner and mode
// of its layout.
type object struct {
	path  string
	what  string // "server key", "CA certificate", "system PKI directory" ...
	dir   bool
	mode  fs.FileMode
	owner layout.Owner
	// secret marks a private key: looser modes and foreign groups that can
	// read it FAIL.
	secret bool
	// optional objects (the CRL) SKIP when absent.
	optional bool
	// missingFix is the command that creates a missing object.
	missingFix string
	// strictNote explains what a stricter mode than the layout's costs.
	strictNote string
}

// statResult is what one stat of an object found.
type statResult struct {
	exists bool
	info   fs.FileInfo
	uid    int
	gid    int
	// blocked: a directory on the way cannot be searched by this process,
	// so nothing is known about the object.
	blocked bool
}

// statObject stats o and returns the finding for its existence, type,
// owner and mode, and whether it exists as the right type (so content
// checks can run).
func statObject(scope Scope, id string, o object) (finding.Finding, statResult) {
	f := finding.Finding{ID: id, Scope: string(scope), Path: o.path}
	var st statResult
	info, err := os.Stat(o.path)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if o.optional {
				f.Status = finding.Skip
				f.Message = fmt.Sprintf("%s %s is absent (optional)", o.what, o.path)
				return f, st
			}
			f.Status = finding.Fail
			f.Message = fmt.Sprintf("%s %s does not exist", o.what, o.path)
			f.Fix = o.missingFix
		case errors.Is(err, syscall.ELOOP):
			f.Status = finding.Fail
			f.Message = fmt.Sprintf("%s %s is a symbolic link loop", o.what, o.path)
			f.Fix = fmt.Sprintf("rm %s, then install the real file there", shellQuote(o.path))
		case errors.Is(err, fs.ErrPermission):
			// audit.checkObject turns this into one finding per cause.
			st.blocked = true
			f.Status = finding.Fail
			f.Message = fmt.Sprintf("%s %s cannot be reached: a directory on its path is not searchable by uid %d", o.what, o.path, os.Getuid())
		default:
			f.Status = finding.Fail
			f.Message = fmt.Sprintf("%s %s cannot be examined: %v", o.what, o.path, fileread.Cause(err))
		}
		return f, st
	}
	st.info = info
	if s, ok := info.Sys().(*syscall.Stat_t); ok {
		st.uid, st.gid = int(s.Uid), int(s.Gid)
	}
	switch {
	case o.dir && !info.IsDir():
		f.Status = finding.Fail
		f.Message = fmt.Sprintf("%s %s is not a directory", o.what, o.path)
		q := shellQuote(o.path)
		f.Fix = fmt.Sprintf("mv %s %s.bak && mkdir -m %04o %s", q, q, o.mode, q)
		return f, st
	case !o.dir && info.IsDir():
		f.Status = finding.Fail
		f.Message = fmt.Sprintf("%s %s is a directory, not a file", o.what, o.path)
		f.Fix = fmt.Sprintf("mv %s %s.bak, then install the file there", shellQuote(o.path), shellQuote(o.path))
		return f, st
	case !o.dir && !info.Mode().IsRegular():
		f.Status = finding.Fail
		f.Message = fmt.Sprintf("%s %s is not a regular file (%s)", o.what, o.path, info.Mode().Type())
		f.Fix = fmt.Sprintf("replace %s with a regular file", shellQuote(o.path))
		return f, st
	}
	st.exists = true
	f.Status, f.Message, f.Fix = judgeAccess(o, st)
	return f, st
}

// checkObject is statObject with one finding per cause: an object below
// a directory this process cannot enter is not judged. When that
// directory is one of the layout's (already reported, with the fix when
// its owner or mode is wrong) or belongs to another user than the one
// who must use the object, the object SKIPs; otherwise the first object
// behind it FAILs with the command that opens the directory to its user,
// and the others SKIP, pointing at that finding.
func (a *audit) checkObject(scope Scope, id string, o object) (finding.Finding, statResult) {
	f, st := statObject(scope, id, o)
	if !st.blocked {
		return f, st
	}
	d := unsearchableDir(o.path)
	if d == "" {
		return f, st
	}
	skip := func(why string) (finding.Finding, statResult) {
		f.Status, f.Fix = finding.Skip, ""
		f.Message = fmt.Sprintf("%s %s not checked: %s", o.what, o.path, why)
		return f, st
	}
	uid := os.Getuid()
	if prev, ok := a.dirResults[d]; ok {
		if prev.Status == finding.Warn || prev.Status == finding.Fail {
			return skip(fmt.Sprintf("its directory %s cannot be entered (fixed by %s)", d, prev.ID))
		}
		return skip(fmt.Sprintf("uid %d cannot enter %s (run the audit as root: sudo virt-pki validate ...)", uid, d))
	}
	if prev, ok := a.blocked[d]; ok {
		return skip(fmt.Sprintf("%s cannot be entered (fixed by %s)", d, prev))
	}
	if o.owner.UID != uid {
		return skip(fmt.Sprintf("uid %d cannot enter %s (run the audit as root or as %s: sudo virt-pki validate ...)", uid, d, layout.UserName(o.owner.UID)))
	}
	a.blocked[d] = id
	f.Message = fmt.Sprintf("%s %s cannot be reached: uid %d (%s), who uses it, cannot enter %s", o.what, o.path, uid, layout.UserName(uid), d)
	f.Fix = searchFix(d, uid)
	return f, st
}

// unsearchableDir is the outermost directory on path's way that this
// process may not search (enter), or "".
func unsearchableDir(path string) string {
	var dirs []string
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		dirs = append(dirs, d)
		if d == "/" || d == "." {
			break
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if syscall.Access(dirs[i], 1) != nil { // X_OK
			return dirs[i]
		}
	}
	return ""
}

// searchFix is the command that lets uid enter dir: chmod u+x for its own
// directory, an ACL entry for someone else's (without opening it to all).
func searchFix(dir string, uid int) string {
	info, err := os.Stat(dir)
	if err == nil {
		if s, ok := info.Sys().(*syscall.Stat_t); ok && int(s.Uid) == uid {
			return "chmod u+x " + shellQuote(dir)
		}
	}
	return fmt.Sprintf("sudo setfacl -m u:%s:x %s", nameOr(layout.UserName(uid), uid), shellQuote(dir))
}

// judgeAccess compares owner and mode with the layout's. Same: PASS. A
// stricter mode: PASS with a note (libvirt's C validator fails it, but
// nothing breaks for the owner). Writable by others, or a key readable by
// others: FAIL. Other loosening: WARN. A different owning user: FAIL (that
// user can replace the file). A different group: WARN, FAIL when the mode
// lets that group read a key or write.
func judgeAccess(o object, st statResult) (finding.Status, string, string) {
	mode := st.info.Mode().Perm()
	want := o.mode.Perm()
	have := fmt.Sprintf("%s %04o", ownerName(st.uid, st.gid), mode)
	wantS := fmt.Sprintf("%s %04o", chownSpec(o.owner), want)
	chown := fmt.Sprintf("chown %s %s", chownSpec(o.owner), shellQuote(o.path))
	chmod := fmt.Sprintf("chmod %04o %s", want, shellQuote(o.path))

	status := finding.Pass
	var reasons []string
	var fixes []string
	worse := func(s finding.Status) {
		if s.Rank() > status.Rank() {
			status = s
		}
	}
	if st.uid != o.owner.UID {
		worse(finding.Fail)
		reasons = append(reasons, fmt.Sprintf("owned by %s, not %s: that user can replace it", layout.UserName(st.uid), layout.UserName(o.owner.UID)))
		fixes = append(fixes, chown)
	} else if st.gid != o.owner.GID {
		groupBits := mode & 0o070
		if groupBits&0o020 != 0 || (o.secret && groupBits&0o040 != 0) {
			worse(finding.Fail)
			reasons = append(reasons, fmt.Sprintf("group %s can %s it", layout.GroupName(st.gid), groupVerb(groupBits)))
		} else {
			worse(finding.Warn)
			spec := chownSpec(o.owner)
			reasons = append(reasons, fmt.Sprintf("group is %s, not %s", layout.GroupName(st.gid), spec[strings.IndexByte(spec, ':')+1:]))
		}
		fixes = append(fixes, chown)
	}
	extra := mode &^ want
	missing := want &^ mode
	switch {
	case extra == 0 && missing == 0:
	case extra&0o022 != 0:
		worse(finding.Fail)
		reasons = append(reasons, fmt.Sprintf("mode %04o lets other users write it (layout: %04o)", mode, want))
		fixes = append(fixes, chmod)
	case o.secret && extra&0o044 != 0:
		worse(finding.Fail)
		reasons = append(reasons, fmt.Sprintf("mode %04o lets other users read the private key (layout: %04o)", mode, want))
		fixes = append(fixes, chmod)
	case extra != 0:
		worse(finding.Warn)
		reasons = append(reasons, fmt.Sprintf("mode %04o is looser than the layout's %04o", mode, want))
		fixes = append(fixes, chmod)
	case st.uid != 0 && missing&ownerNeeds(o.dir) != 0:
		worse(finding.Fail)
		reasons = append(reasons, fmt.Sprintf("mode %04o does not let its owner %s", mode, ownerAction(o.dir)))
		fixes = append(fixes, chmod)
	default:
		note := fmt.Sprintf("mode %04o is stricter than the layout's %04o", mode, want)
		if o.strictNote != "" {
			note += ": " + o.strictNote
		}
		reasons = append(reasons, note)
	}
	msg := fmt.Sprintf("%s %s is %s", o.what, o.path, have)
	if len(reasons) == 0 {
		return finding.Pass, msg, ""
	}
	if status == finding.Pass {
		return finding.Pass, msg + " (" + joinReasons(reasons) + ")", ""
	}
	return status, fmt.Sprintf("%s %s is %s, want %s: %s", o.what, o.path, have, wantS, joinReasons(reasons)), joinFixes(fixes)
}

func ownerNeeds(dir bool) fs.FileMode {
	if dir {
		return 0o500
	}
	return 0o400
}

func ownerAction(dir bool) string {
	if dir {
		return "list and enter it"
	}
	return "read it"
}

func groupVerb(bits fs.FileMode) string {
	switch {
	case bits&0o060 == 0o060:
		return "read and write"
	case bits&0o020 != 0:
		return "write"
	}
	return "read"
}

func joinReasons(r []string) string {
	s := ""
	for i, x := range r {
		if i > 0 {
			s += "; "
		}
		s += x
	}
	return s
}

// joinFixes chains commands with " && ", dropping duplicates.
func joinFixes(f []string) string {
	seen := map[string]bool{}
	s := ""
	for _, x := range f {
		if x == "" || seen[x] {
			continue
		}
		seen[x] = true
		if s != "" {
			s += " && "
		}
		s += x
	}
	return s
}

// ownerName renders uid:gid with names where the user database has them.
func ownerName(uid, gid int) string {
	return nameOr(layout.UserName(uid), uid) + ":" + nameOr(layout.GroupName(gid), gid)
}

// chownSpec is the owner argument of chown for o: names when known,
// numbers otherwise.
func chownSpec(o layout.Owner) string {
	if strings.Count(o.Name, ":") == 1 && !strings.Contains(o.Name, " ") {
		return o.Name
	}
	return nameOr(layout.UserName(o.UID), o.UID) + ":" + nameOr(layout.GroupName(o.GID), o.GID)
}

// nameOr returns name unless it is layout's "uid N"/"gid N" placeholder.
func nameOr(name string, id int) string {
	for i := 0; i < len(name); i++ {
		if name[i] == ' ' {
			return strconv.Itoa(id)
		}
	}
	return name
}
