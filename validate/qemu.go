package validate

import (
	"fmt"
	"path/filepath"

	"github.com/virt-pki/virt-pki/finding"
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
// selects, each once.
func (a *audit) qemu() {
	if len(a.opts.QEMUDirs) == 0 && !a.opts.QEMUFromConf {
		return
	}
	var conf *layout.QEMUConf
	if a.opts.QEMUFromConf {
		path := layout.Under(a.opts.Root, layout.DefaultQEMUConf)
		c, err := layout.ReadQEMUConf(path, true)
		if err != nil {
			a.add(finding.Finding{ID: "qemu.conf.read", Scope: string(QEMU), Status: finding.Fail, Path: path,
				Message: fmt.Sprintf("qemu.conf cannot be used, the QEMU driver refuses to load: %v", err),
				Fix:     "fix the line named above in " + path})
		} else {
			conf = c
		}
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
	seen := map[string]bool{}
	dirs := append([]string(nil), a.opts.QEMUDirs...)
	if conf != nil {
		cds, probs := conf.CertDirs(a.opts.Root, exists)
		for _, p := range probs {
			a.add(finding.Finding{ID: "qemu.conf." + p.ID, Scope: string(QEMU), Status: finding.Fail, Path: conf.Path,
				Message: fmt.Sprintf("%s: the QEMU driver refuses to start (%q)", conf.Path, p.Message), Fix: p.Fix})
		}
		for _, cd := range cds {
			dirs = append(dirs, cd.Dir)
		}
	}
	for _, d := range dirs {
		d = filepath.Clean(d)
		if seen[d] {
			continue
		}
		seen[d] = true
		a.qemuDir(d)
	}
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
				l.Files[i].Owner.Name = "root:" + a.opts.QEMUGroup
			}
		}
	}
	for _, d := range l.Dirs {
		if !a.checkDir(s, l, d) {
			return
		}
	}
	group := a.opts.QEMUGroup
	if group == "" {
		group = layout.GroupName(a.opts.QEMUGID)
	}
	present := map[layout.Role]bool{}
	for _, f := range l.Files {
		base := filepath.Base(f.Path)
		id := fmt.Sprintf("qemu[%s].%s", filepath.Base(dir), base)
		if !exists(f.Path) {
			if wrong := a.libvirtNamed(l.Base, f.Role); wrong != "" {
				a.add(finding.Finding{ID: id + ".access", Scope: string(s), Status: finding.Fail, Path: f.Path,
					Message: fmt.Sprintf("%s is missing but %s exists: QEMU uses dashed names (%s), not libvirtd's", f.Path, wrong, base),
					Fix:     fmt.Sprintf("mv %s %s", wrong, f.Path)})
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
		fi, st := checkObject(s, id+".access", o)
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
		a.caFile(s, fmt.Sprintf("qemu[%s].ca", filepath.Base(dir)), l, get(layout.CACert), a.qemuTarget(l.Base))
	}
	for _, side := range []struct {
		cert, key layout.Role
		role      libvirtcert.Role
		name      string
	}{{layout.ServerCert, layout.ServerKey, libvirtcert.RoleServer, "server"}, {layout.ClientCert, layout.ClientKey, libvirtcert.RoleClient, "client"}} {
		if !present[side.cert] {
			continue
		}
		f := idFiles{scope: s, role: side.role, layout: l, caLayout: l, ca: get(layout.CACert), cert: get(side.cert), key: get(side.key),
			target: a.qemuTarget(l.Base),
			prefix: fmt.Sprintf("qemu[%s].%s", filepath.Base(dir), side.name)}
		a.qemuIdentity(f, present[side.key])
	}
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
		Fix:     fmt.Sprintf("chown root:%s %s && chmod 0640 %s", group, path, path)})
}

// qemuIdentity runs the certificate checks of one QEMU side.
func (a *audit) qemuIdentity(f idFiles, keyPresent bool) {
	s := f.scope
	cf := a.certFile(f.cert)
	if cf.err != nil {
		a.add(finding.Finding{ID: f.id("cert") + ".read", Scope: string(s), Status: finding.Fail, Path: f.cert,
			Message: fmt.Sprintf("QEMU certificate %s %v", f.cert, cf.err), Fix: cf.fix})
		return
	}
	leaf := cf.certs[0]
	if keyPresent {
		kf := a.keyFile(f.key)
		if kf.err != nil {
			a.add(finding.Finding{ID: f.id("key") + ".read", Scope: string(s), Status: finding.Fail, Path: f.key,
				Message: fmt.Sprintf("QEMU key %s: %v", f.key, kf.err), Fix: a.fixKeyRead(f, kf.err)})
		} else {
			a.keyMatch(f, leaf, kf)
		}
	}
	a.certRules(f, leaf)
	a.chain(f, leaf)
	if ef, ok := a.expiryFinding(s, f.id("cert")+".expiry", "QEMU certificate "+f.cert, f.cert, leaf, a.fixReissue(f, leaf)); ok {
		a.add(ef)
	}
}
