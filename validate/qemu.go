package validate

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/fileread"
	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// libvirtNames maps QEMU's dashed names to the libvirtd names people copy
// into QEMU directories by mistake.
var libvirtNames = map[layout.Role][]string{
	layout.CACert:     {layout.NameCACert},
	layout.ServerCert: {layout.NameServerCert},
	layout.ServerKey:  {layout.NameServerKey, "private/" + layout.NameServerKey},
	layout.ClientCert: {layout.NameClientCert},
	layout.ClientKey:  {layout.NameClientKey, "private/" + layout.NameClientKey},
}

// qemu audits the QEMU directories: the ones given, then those qemu.conf
// selects, each once. A directory qemu.conf names but that does not exist
// is one finding (the QEMU driver refuses to start), not also a directory
// audit.
func (a *audit) qemu() {
	if len(a.opts.QEMUDirs) == 0 && !a.opts.QEMUFromConf {
		return
	}
	var conf *layout.QEMUConf
	if a.opts.QEMUFromConf {
		conf = a.readQEMUConf()
	}
	if a.opts.QEMUGroup == "" {
		configured := ""
		if conf != nil {
			configured = conf.Group
		}
		name, gid, err := layout.LookupQEMUGroup(a.opts.Root, configured)
		if err != nil {
			a.add(finding.Finding{ID: "qemu.group", Scope: string(QEMU), Status: finding.Warn,
				Message: fmt.Sprintf("cannot tell which group QEMU runs in (%v): key readability is judged against group root", err),
				Fix:     "set group in qemu.conf, or pass --qemu-group"})
		} else {
			a.opts.QEMUGroup, a.opts.QEMUGID = name, gid
		}
	}
	var dirs []string
	for _, d := range a.opts.QEMUDirs {
		dirs = append(dirs, filepath.Clean(d))
	}
	var missing []qemuMissingDir
	if conf != nil {
		cds, probs := conf.CertDirs(a.opts.Root, exists)
		for _, cd := range cds {
			dirs = append(dirs, filepath.Clean(cd.Dir))
		}
		missing = groupMissingDirs(conf, a.opts.Root, probs)
		for _, m := range missing {
			dirs = append(dirs, m.dir)
		}
	}
	a.qemuLabels = qemuLabels(a.opts.Root, dirs)
	covered := map[string]bool{}
	for _, m := range missing {
		covered[m.dir] = true
		a.add(m.finding(conf.Path, a.qemuLabels[m.dir]))
	}
	for _, d := range dirs {
		if covered[d] {
			continue
		}
		covered[d] = true
		a.qemuDir(d)
	}
}

// qemuMissingDir is a directory qemu.conf names that does not exist, with
// every setting that names it and the driver's errors.
type qemuMissingDir struct {
	dir      string
	keys     []string
	messages []string
}

// finding reports a missing directory once, whatever number of settings
// name it.
func (m qemuMissingDir) finding(confPath, label string) finding.Finding {
	quoted := make([]string, len(m.messages))
	for i, msg := range m.messages {
		quoted[i] = fmt.Sprintf("%q", msg)
	}
	keys := "a TLS directory setting"
	if len(m.keys) > 0 {
		keys = strings.Join(m.keys, " and ")
	}
	return finding.Finding{ID: label + ".conf.cert-dir-missing", Scope: string(QEMU), Status: finding.Fail, Path: m.dir,
		Message: fmt.Sprintf("%s sets %s to %s, which does not exist: the QEMU driver refuses to start (%s); create it, or point the setting at an existing directory",
			confPath, keys, m.dir, strings.Join(quoted, ", ")),
		Fix: fmt.Sprintf("install -d -m %04o -o root -g root %s", layout.ModeQEMUDir.Perm(), shellQuote(m.dir))}
}

// groupMissingDirs turns CertDirs' problems into one entry per missing
// directory. A problem names its directory in quotes and its setting as
// "KEY directory '...'" (libvirt's text).
func groupMissingDirs(conf *layout.QEMUConf, root string, probs []layout.ConfProblem) []qemuMissingDir {
	keys := []string{"default_tls_x509_cert_dir"}
	for _, svc := range layout.QEMUServices {
		keys = append(keys, svc.Name+"_tls_x509_cert_dir")
	}
	var out []qemuMissingDir
	index := map[string]int{}
	for _, p := range probs {
		dir, ok := quotedDir(p.Message)
		if !ok {
			continue
		}
		dir = filepath.Clean(dir)
		i, seen := index[dir]
		if !seen {
			i = len(out)
			index[dir] = i
			out = append(out, qemuMissingDir{dir: dir})
		}
		out[i].messages = append(out[i].messages, p.Message)
		for _, k := range keys {
			if strings.Contains(p.Message, " "+k+" directory '") {
				out[i].keys = append(out[i].keys, k)
			}
		}
	}
	return out
}

// quotedDir returns the text between the last pair of single quotes of msg.
func quotedDir(msg string) (string, bool) {
	end := strings.LastIndexByte(msg, '\'')
	if end <= 0 {
		return "", false
	}
	start := strings.LastIndexByte(msg[:end], '\'')
	if start < 0 || start+1 >= end {
		return "", false
	}
	return msg[start+1 : end], true
}

// qemuLabels names each QEMU directory for ids ("qemu[qemu]"): its base
// name, or its host path (below root) when two audited directories share
// a base name, so that every id of a run is unique.
func qemuLabels(root string, dirs []string) map[string]string {
	byBase := map[string]map[string]bool{}
	for _, d := range dirs {
		b := filepath.Base(d)
		if byBase[b] == nil {
			byBase[b] = map[string]bool{}
		}
		byBase[b][d] = true
	}
	out := map[string]string{}
	for _, d := range dirs {
		name := filepath.Base(d)
		if len(byBase[name]) > 1 {
			name = hostPath(root, d)
		}
		out[d] = "qemu[" + name + "]"
	}
	return out
}

// hostPath is path as the host sees it: without the root prefix.
func hostPath(root, path string) string {
	if root == "" || root == "/" {
		return path
	}
	rel, err := filepath.Rel(root, path)
	if err != nil || startsWithDotDot(rel) {
		return path
	}
	return "/" + rel
}

// qemuLabel is the id prefix of a QEMU directory.
func (a *audit) qemuLabel(dir string) string {
	if l, ok := a.qemuLabels[dir]; ok {
		return l
	}
	return "qemu[" + filepath.Base(dir) + "]"
}

// qemuDir audits one QEMU TLS directory: QEMU's dashed file names, owner
// and mode (keys readable by the QEMU group), libvirt's certificate rules
// (QEMU's tlscredsx509 applies the same ones), key match and chain.
func (a *audit) qemuDir(dir string) {
	l := layout.NewQEMU(dir, a.opts.QEMUGID)
	s := QEMU
	if a.opts.QEMUGroup != "" {
		for i := range l.Files {
			if l.Files[i].Owner.GID == a.opts.QEMUGID && l.Files[i].Owner.UID == 0 && a.opts.QEMUGID != 0 {
				l.Files[i].Owner.Name = "root:" + a.qemuChownGroup()
			}
		}
	}
	label := a.qemuLabel(dir)
	for _, d := range l.Dirs {
		if !a.checkDir(s, label, l, d) {
			return
		}
	}
	group := a.opts.QEMUGroup
	if group == "" {
		group = layout.GroupName(a.opts.QEMUGID)
	}
	present := map[layout.Role]bool{}
	for _, f := range l.Files {
		if !a.qemuWants(f.Role) {
			continue
		}
		base := filepath.Base(f.Path)
		id := label + "." + base
		if !exists(f.Path) {
			if wrong := a.libvirtNamed(l.Base, f.Role); wrong != "" {
				a.add(finding.Finding{ID: id + ".access", Scope: string(s), Status: finding.Fail, Path: f.Path,
					Message: fmt.Sprintf("%s is missing but %s exists: QEMU uses dashed names (%s), not libvirtd's", f.Path, wrong, base),
					Fix:     fmt.Sprintf("mv %s %s", shellQuote(wrong), shellQuote(f.Path))})
				continue
			}
			st, why := finding.Fail, "QEMU cannot start TLS without it (\"Unable to access credentials "+f.Path+"\")"
			switch f.Role {
			case layout.DHParams:
				st, why = finding.Skip, "optional"
			case layout.ClientCert, layout.ClientKey:
				st, why = finding.Warn, "needed when this host is a migration source or an NBD client"
			}
			fi := finding.Finding{ID: id + ".access", Scope: string(s), Status: st, Path: f.Path,
				Message: fmt.Sprintf("%s does not exist (%s)", f.Path, why)}
			if st != finding.Skip {
				fi.Fix = fmt.Sprintf("virt-pki install --role %s --from DIR %s", qemuInstallRole(f.Role), a.qemuTarget(l.Base))
			}
			a.add(fi)
			continue
		}
		if f.Role == layout.CACert {
			present[f.Role] = true // caFile reports its access with the content
			continue
		}
		o := fileObject(f, "QEMU "+f.Role.Describe())
		o.secret = f.Role == layout.ServerKey || f.Role == layout.ClientKey
		if o.secret {
			o.strictNote = "" // readability by QEMU is judged separately
		}
		fi, st := a.checkObject(s, id+".access", o)
		a.add(fi)
		if !st.exists {
			continue
		}
		present[f.Role] = true
		if o.secret {
			a.qemuReadable(id, f.Path, st, group)
		}
	}
	get := func(r layout.Role) string { f, _ := l.File(r); return f.Path }
	if present[layout.CACert] {
		a.caFile(s, label+".ca", l, get(layout.CACert), a.qemuTarget(l.Base))
	}
	for _, side := range []struct {
		cert, key layout.Role
		role      libvirtcert.Role
		name      string
	}{{layout.ServerCert, layout.ServerKey, libvirtcert.RoleServer, "server"}, {layout.ClientCert, layout.ClientKey, libvirtcert.RoleClient, "client"}} {
		if !present[side.cert] || !a.qemuWants(side.cert) {
			continue
		}
		f := idFiles{scope: s, role: side.role, layout: l, caLayout: l, ca: get(layout.CACert), cert: get(side.cert), key: get(side.key),
			target: a.qemuTarget(l.Base),
			prefix: label + "." + side.name}
		a.qemuIdentity(f, present[side.key])
	}
}

// qemuWants reports whether the selected scopes cover a QEMU file: the CA
// always, server files (and DH parameters) with the server scope, client
// files with the client scope; all of them when no libvirt scope is
// selected or all are.
func (a *audit) qemuWants(r layout.Role) bool {
	o := a.opts
	if len(o.Scopes) == 0 || !(o.wants(Trust) || o.wants(Server) || o.wants(Client)) {
		return true
	}
	switch r {
	case layout.ServerCert, layout.ServerKey, layout.DHParams:
		return o.wants(Server)
	case layout.ClientCert, layout.ClientKey:
		return o.wants(Client)
	}
	return true
}

func qemuInstallRole(r layout.Role) string {
	switch r {
	case layout.CACert:
		return "ca"
	case layout.ServerCert, layout.ServerKey:
		return "server"
	}
	return "client"
}

// libvirtNamed returns a libvirtd-style file in dir standing where QEMU's
// file for role should be, or "".
func (a *audit) libvirtNamed(dir string, r layout.Role) string {
	for _, n := range libvirtNames[r] {
		if p := filepath.Join(dir, n); exists(p) {
			return p
		}
	}
	return ""
}

// qemuReadable reports whether the QEMU process (running in group) can
// read the key at path.
func (a *audit) qemuReadable(id, path string, st statResult, group string) {
	mode := st.info.Mode().Perm()
	ok := mode&0o004 != 0 || (st.gid == a.opts.QEMUGID && mode&0o040 != 0)
	if ok {
		a.add(finding.Finding{ID: id + ".qemu-readable", Scope: string(QEMU), Status: finding.Pass, Path: path,
			Message: fmt.Sprintf("QEMU (group %s) can read %s", group, path)})
		return
	}
	a.add(finding.Finding{ID: id + ".qemu-readable", Scope: string(QEMU), Status: finding.Fail, Path: path,
		Message: fmt.Sprintf("QEMU runs in group %s and cannot read %s (%s %04o)", group, path, ownerName(st.uid, st.gid), mode),
		Fix:     fmt.Sprintf("chown root:%s %s && chmod 0640 %s", a.qemuChownGroup(), shellQuote(path), shellQuote(path))})
}

// qemuIdentity runs the certificate checks of one QEMU side.
func (a *audit) qemuIdentity(f idFiles, keyPresent bool) {
	s := f.scope
	cf := a.certFile(f.cert)
	if errors.Is(cf.err, fs.ErrPermission) {
		a.add(notReadable(f.id("cert"), s, f.cert, f.side()+" certificate"))
		return
	}
	if cf.err != nil {
		a.add(a.certReadFinding(f, cf))
		if keyPresent && a.swapped(f) {
			a.keyRead(f, nil) // refers to the swap fix just reported
		}
		return
	}
	leaf := cf.certs[0]
	if keyPresent {
		if kf := a.keyRead(f, leaf); kf != nil {
			a.keyMatch(f, leaf, kf)
		}
	}
	a.certRules(f, leaf)
	a.chain(f, leaf)
	if ef, ok := a.expiryFinding(s, f.id("cert")+".expiry", "QEMU certificate "+f.cert, f.cert, leaf, a.fixReissue(f, leaf)); ok {
		a.add(ef)
	}
}

// readQEMUConf reads Options.QEMUConf (default Root/etc/libvirt/qemu.conf,
// which may be missing: the QEMU driver then runs on its defaults). A
// missing explicit file, one that is not a regular file and one the QEMU
// driver refuses are one FAIL each, and nil is returned.
func (a *audit) readQEMUConf() *layout.QEMUConf {
	defPath := layout.Under(a.opts.Root, layout.DefaultQEMUConf)
	path, explicit := a.opts.QEMUConf, true
	if path == "" {
		path, explicit = defPath, false
	}
	c, err := layout.ReadQEMUConf(path, !explicit)
	if err == nil {
		return c
	}
	fail := func(msg, fix string) {
		a.add(finding.Finding{ID: "qemu.conf.read", Scope: string(QEMU), Status: finding.Fail, Path: path, Message: msg, Fix: fix})
	}
	var ce *layout.ConfError
	switch {
	case !explicit && errors.Is(err, fileread.ErrNotRegular):
		fail(fmt.Sprintf("qemu.conf %v: the QEMU driver cannot read it and the QEMU directories it selects were not audited", err),
			"rm -i "+shellQuote(path))
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fileread.ErrNotRegular):
		fail(fmt.Sprintf("qemu.conf %v, so the QEMU directories it selects were not audited; pass the file the QEMU driver reads (by default %s)", err, layout.DefaultQEMUConf),
			"virt-pki validate --qemu --qemu-conf "+shellQuote(defPath))
	case errors.Is(err, fs.ErrPermission):
		fail(fmt.Sprintf("qemu.conf %v: the QEMU directories it selects were not audited (run the audit as root: sudo virt-pki validate ...)", err),
			"sudo virt-pki validate --qemu --qemu-conf "+shellQuote(path))
	case errors.As(err, &ce) && ce.Line > 0:
		fail(fmt.Sprintf("qemu.conf cannot be used, the QEMU driver refuses to load: %v", err),
			fmt.Sprintf("${EDITOR:-vi} +%d %s", ce.Line, shellQuote(path)))
	default:
		fail(fmt.Sprintf("qemu.conf cannot be used, the QEMU driver refuses to load: %v", err),
			"${EDITOR:-vi} "+shellQuote(path))
	}
	return nil
}
