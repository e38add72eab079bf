// Package layout is the single source of truth for where libvirt and QEMU
// look for TLS files, and with which owner and mode: the system layout
// (/etc/pki), the per-user layout ($HOME/.pki/libvirt), a custom pkipath,
// and QEMU's directories (/etc/pki/qemu and the per-service ones). It also
// reads libvirtd.conf and qemu.conf overrides and reproduces how the libvirt
// client locates its credentials. install, validate, tlsprobe and expiry
// all read this data; none of them spells a path itself.
package layout

import "io/fs"

// Role is what a file is for.
type Role string

// The roles a TLS file can play.
const (
	CACert     Role = "ca"
	CRL        Role = "crl"
	ServerCert Role = "server-cert"
	ServerKey  Role = "server-key"
	ClientCert Role = "client-cert"
	ClientKey  Role = "client-key"
	DHParams   Role = "dh-params"
)

// Kind names a layout.
type Kind string

// The layouts libvirt and QEMU use.
const (
	System  Kind = "system"
	User    Kind = "user"
	PKIPath Kind = "pkipath"
	QEMU    Kind = "qemu"
)

// Owner is who must own a file or directory.
type Owner struct {
	UID int `json:"uid"`
	GID int `json:"gid"`
	// Name describes the owner for messages ("root:root", "alice", "root:qemu").
	Name string `json:"name"`
}

// File is one file of a layout with its expected owner and mode.
type File struct {
	Role     Role
	Path     string
	Mode     fs.FileMode
	Owner    Owner
	Optional bool // the CRL and dh-params may be absent
}

// Dir is one directory of a layout with its expected owner and mode.
type Dir struct {
	Path  string
	Mode  fs.FileMode
	Owner Owner
}

// Layout is a complete set of expected files and directories.
type Layout struct {
	Kind  Kind
	Base  string
	Dirs  []Dir
	Files []File
}

// File returns the file playing role r, if the layout has one.
func (l Layout) File(r Role) (File, bool) {
	for _, f := range l.Files {
		if f.Role == r {
			return f, true
		}
	}
	return File{}, false
}

// Describe names the role in prose ("server key", "CA certificate").
func (r Role) Describe() string {
	switch r {
	case CACert:
		return "CA certificate"
	case CRL:
		return "CRL"
	case ServerCert:
		return "server certificate"
	case ServerKey:
		return "server key"
	case ClientCert:
		return "client certificate"
	case ClientKey:
		return "client key"
	case DHParams:
		return "DH parameters"
	}
	return string(r)
}
