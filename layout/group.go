package layout

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os/user"
	"strconv"
	"strings"
)

// QEMUGroupCandidates are the groups distributions run QEMU under, in the
// order LookupQEMUGroup tries them: Debian/Ubuntu "libvirt-qemu" (older
// Debian "kvm"), Fedora/RHEL/SUSE "qemu".
var QEMUGroupCandidates = []string{"libvirt-qemu", "qemu", "kvm"}

// ErrNoQEMUGroup is returned (wrapped) when no QEMU group exists.
var ErrNoQEMUGroup = errors.New("no QEMU group found")

// LookupQEMUGroup finds the group whose members must read QEMU's TLS keys.
// configured is qemu.conf's "group" setting ("" when unset; a "+GID" value
// is taken as a number, as libvirt does). Otherwise the candidates in
// QEMUGroupCandidates are tried in order. With a root prefix ("" or "/"
// is the host) the groups are read from root/etc/group instead of the
// host's user database.
func LookupQEMUGroup(root, configured string) (name string, gid int, err error) {
	if configured != "" {
		if strings.HasPrefix(configured, "+") {
			n, err := strconv.Atoi(configured[1:])
			if err != nil || n < 0 {
				return "", 0, fmt.Errorf("qemu.conf group %q is not a valid group ID", configured)
			}
			return GroupName(n), n, nil
		}
		gid, err := LookupGroup(root, configured)
		if err != nil {
			return "", 0, fmt.Errorf("qemu.conf group %q: %w", configured, err)
		}
		return configured, gid, nil
	}
	for _, cand := range QEMUGroupCandidates {
		if gid, err := LookupGroup(root, cand); err == nil {
			return cand, gid, nil
		}
	}
	return "", 0, fmt.Errorf("%w (tried %s)", ErrNoQEMUGroup, strings.Join(QEMUGroupCandidates, ", "))
}

// LookupGroup returns the GID of group name: on the host ("" or "/") from
// the user database, under a root prefix from root/etc/group. A decimal
// number is taken as a GID as it is, and "root" is GID 0 everywhere (also
// in a root without an etc/group). The errors say which database was
// searched: "group X not found in R/etc/group", "R/etc/group does not
// exist", "group X not found on this host".
func LookupGroup(root, name string) (int, error) {
	if n, err := strconv.Atoi(name); err == nil && n >= 0 {
		return n, nil
	}
	if name == "root" {
		return 0, nil
	}
	if root == "" || root == "/" {
		g, err := user.LookupGroup(name)
		var unknown user.UnknownGroupError
		if errors.As(err, &unknown) {
			return 0, fmt.Errorf("group %s not found on this host", name)
		}
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(g.Gid)
	}
	path := Under(root, "/etc/group")
	data, err := readConfFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("%s does not exist", path)
	}
	if err != nil {
		return 0, err
	}
	if len(data) > MaxConfSize {
		return 0, fmt.Errorf("%s: larger than %d bytes, not a group file", path, MaxConfSize)
	}
	groups, err := ParseGroupFile(path, data)
	if err != nil {
		return 0, err
	}
	gid, ok := groups[name]
	if !ok {
		return 0, fmt.Errorf("group %s not found in %s", name, path)
	}
	return gid, nil
}

// ParseGroupFile parses an /etc/group file ("name:password:GID:members")
// into name → GID. Blank lines and lines starting with '#' or '+'/'-' (NIS
// markers) are skipped; a malformed line is an error naming name:line.
// The first entry for a name wins, as with getgrnam.
func ParseGroupFile(name string, data []byte) (map[string]int, error) {
	out := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if text == "" || text[0] == '#' || text[0] == '+' || text[0] == '-' {
			continue
		}
		fields := strings.Split(text, ":")
		if len(fields) < 3 || fields[0] == "" {
			return nil, fmt.Errorf("%s:%d: expected name:password:GID:members", name, line)
		}
		gid, err := strconv.ParseUint(fields[2], 10, 31)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: invalid GID %q", name, line, fields[2])
		}
		if _, dup := out[fields[0]]; !dup {
			out[fields[0]] = int(gid)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return out, nil
}
