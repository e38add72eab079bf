package layout

import (
	"io/fs"
	"os/user"
	"path/filepath"
	"strconv"
)

// The system paths libvirt is built with (LIBVIRT_CACERT & co. in
// virnettlsconfig.h), before any root prefix is applied.
const (
	SystemCACert     = "/etc/pki/CA/cacert.pem"
	SystemCRL        = "/etc/pki/CA/cacrl.pem"
	SystemServerCert = "/etc/pki/libvirt/servercert.pem"
	SystemServerKey  = "/etc/pki/libvirt/private/serverkey.pem"
	SystemClientCert = "/etc/pki/libvirt/clientcert.pem"
	SystemClientKey  = "/etc/pki/libvirt/private/clientkey.pem"
)

// UserPKIDir is the per-user directory below $HOME that non-root libvirt
// clients (and session daemons) read. Note: libvirt's knowledge-base page
// says $HOME/.pki/cacert.pem, but the code reads $HOME/.pki/libvirt/.
const UserPKIDir = ".pki/libvirt"

// DocumentedUserCACert is the path, relative to $HOME, that libvirt's
// documentation wrongly names for the user CA. libvirt never reads it;
// tools warn when they find a file there.
const DocumentedUserCACert = ".pki/cacert.pem"

// The file names used in the user and pkipath layouts (all in one
// directory, the keys included).
const (
	NameCACert     = "cacert.pem"
	NameCRL        = "cacrl.pem"
	NameServerCert = "servercert.pem"
	NameServerKey  = "serverkey.pem"
	NameClientCert = "clientcert.pem"
	NameClientKey  = "clientkey.pem"
)

// DefaultQEMUDir is QEMU's default TLS directory (default_tls_x509_cert_dir).
const DefaultQEMUDir = "/etc/pki/qemu"

// The file names in a QEMU TLS directory: dashes, keys beside the
// certificates, and an optional dh-params.pem.
const (
	QEMUNameCACert     = "ca-cert.pem"
	QEMUNameServerCert = "server-cert.pem"
	QEMUNameServerKey  = "server-key.pem"
	QEMUNameClientCert = "client-cert.pem"
	QEMUNameClientKey  = "client-key.pem"
	QEMUNameDHParams   = "dh-params.pem"
)

// Modes libvirt's validator demands (it compares st_mode & 0777 exactly,
// so a stricter mode is as wrong as a looser one).
const (
	ModeSystemDir       fs.FileMode = 0o755 // /etc/pki, CA, libvirt, libvirt/private
	ModeSystemCert      fs.FileMode = 0o644 // CA, CRL, server and client certificates
	ModeSystemServerKey fs.FileMode = 0o600
	ModeSystemClientKey fs.FileMode = 0o644 // world-readable so any local client can use it
	ModeUserDir         fs.FileMode = 0o700 // user and pkipath base directories
	ModeUserFile        fs.FileMode = 0o600 // every file of a user or pkipath layout
	ModeQEMUDir         fs.FileMode = 0o755
	ModeQEMUCert        fs.FileMode = 0o644
	ModeQEMUKey         fs.FileMode = 0o640 // readable by the QEMU user's group
)

// RootOwner is root:root.
var RootOwner = Owner{UID: 0, GID: 0, Name: "root:root"}

// Under joins a host path to a root prefix; "" and "/" mean the real host.
func Under(root, path string) string {
	if root == "" || root == "/" {
		return filepath.Clean(path)
	}
	return filepath.Join(root, path)
}

// NewSystem returns the system layout (/etc/pki/...) under root ("" or "/"
// for the real host; a prefix for image building and tests). Directories
// are 0755 root:root (the private directory too), certificates and the
// client key 0644, the server key 0600, all root:root. The CRL is optional.
func NewSystem(root string) Layout {
	p := func(s string) string { return Under(root, s) }
	sysFile := func(r Role, path string, mode fs.FileMode) File {
		return File{Role: r, Path: p(path), Mode: mode, Owner: RootOwner, Optional: r == CRL}
	}
	return Layout{
		Kind: System,
		Base: p("/etc/pki"),
		Dirs: []Dir{
			{Path: p("/etc/pki"), Mode: ModeSystemDir, Owner: RootOwner},
			{Path: p("/etc/pki/CA"), Mode: ModeSystemDir, Owner: RootOwner},
			{Path: p("/etc/pki/libvirt"), Mode: ModeSystemDir, Owner: RootOwner},
			{Path: p("/etc/pki/libvirt/private"), Mode: ModeSystemDir, Owner: RootOwner},
		},
		Files: []File{
			sysFile(CACert, SystemCACert, ModeSystemCert),
			sysFile(CRL, SystemCRL, ModeSystemCert),
			sysFile(ServerCert, SystemServerCert, ModeSystemCert),
			sysFile(ServerKey, SystemServerKey, ModeSystemServerKey),
			sysFile(ClientCert, SystemClientCert, ModeSystemCert),
			sysFile(ClientKey, SystemClientKey, ModeSystemClientKey),
		},
	}
}

// NewUser returns the per-user layout in home/.pki/libvirt, owned by
// uid:gid: the directory 0700 and every file 0600, all six files flat in
// that directory (no private/). The CRL is optional. home/.pki itself is
// not part of the layout (NSS keeps its database there too).
func NewUser(home string, uid, gid int) Layout {
	l := flatLayout(filepath.Join(home, UserPKIDir), uid, gid)
	l.Kind = User
	return l
}

// NewPKIPath returns a custom pkipath layout in dir, owned by uid:gid:
// same names, modes and owner as the user layout, in dir itself.
func NewPKIPath(dir string, uid, gid int) Layout {
	l := flatLayout(filepath.Clean(dir), uid, gid)
	l.Kind = PKIPath
	return l
}

func flatLayout(dir string, uid, gid int) Layout {
	o := Owner{UID: uid, GID: gid, Name: UserName(uid)}
	f := func(r Role, name string) File {
		return File{Role: r, Path: filepath.Join(dir, name), Mode: ModeUserFile, Owner: o, Optional: r == CRL}
	}
	return Layout{
		Base: dir,
		Dirs: []Dir{{Path: dir, Mode: ModeUserDir, Owner: o}},
		Files: []File{
			f(CACert, NameCACert),
			f(CRL, NameCRL),
			f(ServerCert, NameServerCert),
			f(ServerKey, NameServerKey),
			f(ClientCert, NameClientCert),
			f(ClientKey, NameClientKey),
		},
	}
}

// NewQEMU returns QEMU's layout in dir ("" means DefaultQEMUDir; callers
// that use a root prefix pass Under(root, DefaultQEMUDir) or a directory
// from QEMUConf.CertDirs). The directory is 0755 root:root; certificates
// (and the optional dh-params.pem) 0644 root:root; the keys 0640
// root:<qemuGID> so the QEMU process can read them (see LookupQEMUGroup).
func NewQEMU(dir string, qemuGID int) Layout {
	if dir == "" {
		dir = DefaultQEMUDir
	}
	dir = filepath.Clean(dir)
	keyOwner := Owner{UID: 0, GID: qemuGID, Name: "root:" + GroupName(qemuGID)}
	f := func(r Role, name string, mode fs.FileMode, o Owner) File {
		return File{Role: r, Path: filepath.Join(dir, name), Mode: mode, Owner: o, Optional: r == DHParams}
	}
	return Layout{
		Kind: QEMU,
		Base: dir,
		Dirs: []Dir{{Path: dir, Mode: ModeQEMUDir, Owner: RootOwner}},
		Files: []File{
			f(CACert, QEMUNameCACert, ModeQEMUCert, RootOwner),
			f(ServerCert, QEMUNameServerCert, ModeQEMUCert, RootOwner),
			f(ServerKey, QEMUNameServerKey, ModeQEMUKey, keyOwner),
			f(ClientCert, QEMUNameClientCert, ModeQEMUCert, RootOwner),
			f(ClientKey, QEMUNameClientKey, ModeQEMUKey, keyOwner),
			f(DHParams, QEMUNameDHParams, ModeQEMUCert, RootOwner),
		},
	}
}

// UserName returns the login name for uid, or "uid N" when the user
// database does not know it.
func UserName(uid int) string {
	if uid == 0 {
		return "root"
	}
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return "uid " + strconv.Itoa(uid)
}

// GroupName returns the name of group gid, or "gid N" when unknown.
func GroupName(gid int) string {
	if gid == 0 {
		return "root"
	}
	if g, err := user.LookupGroupId(strconv.Itoa(gid)); err == nil {
		return g.Name
	}
	return "gid " + strconv.Itoa(gid)
}
