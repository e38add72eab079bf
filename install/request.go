// Package install puts a CA certificate, server and client certificates and
// their keys where libvirt and QEMU look for them, with the owner and mode
// libvirt expects, as one all-or-nothing set that survives a crash at any
// point (see Apply and Recover). It returns structured results (a Plan with
// entries, findings and the effect on libvirt); the command line renders
// them.
package install

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/layout"
)

// Role is a set of files installed together.
type Role string

// The installable roles: the CA certificate; a server certificate and its
// key; a client certificate and its key.
const (
	RoleCA     Role = "ca"
	RoleServer Role = "server"
	RoleClient Role = "client"
)

// ParseRoles turns --role values (each possibly a comma list) into a
// de-duplicated list in the order ca, server, client. An unknown or empty
// role is an error.
func ParseRoles(values []string) ([]Role, error) {
	seen := map[Role]bool{}
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			r := Role(strings.TrimSpace(part))
			switch r {
			case RoleCA, RoleServer, RoleClient:
				seen[r] = true
			default:
				return nil, fmt.Errorf("unknown role %q (want ca, server or client)", part)
			}
		}
	}
	var out []Role
	for _, r := range []Role{RoleCA, RoleServer, RoleClient} {
		if seen[r] {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no role given (want ca, server or client)")
	}
	return out, nil
}

// Target says which layout to install into.
type Target struct {
	Kind layout.Kind
	// Root prefixes every system path ("" is the host). System and QEMU
	// layouts only.
	Root string
	// LibvirtdConf, for the system layout, redirects the CA and server
	// files to its ca_file/cert_file/key_file (nil: none).
	LibvirtdConf *layout.LibvirtdConf
	// Home, UID and GID select the user layout's directory and owner (and
	// are used for the user-level warnings with other layouts).
	Home     string
	UID, GID int
	// Dir is the pkipath directory, or the QEMU directory ("" = default).
	Dir string
	// QEMUGID and QEMUGroup name the group that must read QEMU's keys.
	QEMUGID   int
	QEMUGroup string
	// QEMUConf, for QEMU installs, tells which services read the
	// directory (nil: none read, defaults apply).
	QEMUConf *layout.QEMUConf
}

// Layout returns the layout Target installs into.
func (t Target) Layout() layout.Layout {
	switch t.Kind {
	case layout.User:
		return layout.NewUser(t.Home, t.UID, t.GID)
	case layout.PKIPath:
		return layout.NewPKIPath(t.Dir, t.UID, t.GID)
	case layout.QEMU:
		dir := t.Dir
		if dir == "" {
			dir = layout.Under(t.Root, layout.DefaultQEMUDir)
		}
		l := layout.NewQEMU(dir, t.QEMUGID)
		if t.QEMUGroup != "" {
			for i := range l.Files {
				if l.Files[i].Owner.GID == t.QEMUGID && l.Files[i].Owner.UID == 0 && (l.Files[i].Role == layout.ServerKey || l.Files[i].Role == layout.ClientKey) {
					l.Files[i].Owner.Name = "root:" + t.QEMUGroup
				}
			}
		}
		return l
	}
	return layout.NewSystem(t.Root)
}

// Sources are the files to install. FromDir supplies every file not given
// explicitly, with the names 'virt-pki issue' and 'virt-pki ca' write.
type Sources struct {
	FromDir string
	// CACert, Cert and Key override FromDir. Cert and Key apply to the one
	// leaf role (server or client) being installed.
	CACert, Cert, Key string
}

// The file names read from Sources.FromDir.
var fromNames = map[layout.Role]string{
	layout.CACert:     layout.NameCACert,
	layout.ServerCert: layout.NameServerCert,
	layout.ServerKey:  layout.NameServerKey,
	layout.ClientCert: layout.NameClientCert,
	layout.ClientKey:  layout.NameClientKey,
}

// source returns the path to read for file role r, or "" when none.
func (s Sources) source(r layout.Role) string {
	switch r {
	case layout.CACert:
		if s.CACert != "" {
			return s.CACert
		}
	case layout.ServerCert, layout.ClientCert:
		if s.Cert != "" {
			return s.Cert
		}
	case layout.ServerKey, layout.ClientKey:
		if s.Key != "" {
			return s.Key
		}
	}
	if s.FromDir == "" {
		return ""
	}
	return filepath.Join(s.FromDir, fromNames[r])
}

// Request is one install.
type Request struct {
	Roles   []Role
	Target  Target
	Sources Sources
	// Force overrides every refusal (mismatched key, foreign issuer, bad
	// usages, a different CA, replacing files).
	Force bool
	// Backup keeps each replaced file as PATH.bak-TIMESTAMP.
	Backup bool
	// Now is the time certificates are checked at and backups are named
	// after (zero: time.Now()).
	Now time.Time
	// EUID is the effective user the result is explained for (virsh as
	// root ignores ~/.pki/libvirt).
	EUID int
}

// fileRoles returns the layout file roles that make up role r.
func fileRoles(r Role) []layout.Role {
	switch r {
	case RoleCA:
		return []layout.Role{layout.CACert}
	case RoleServer:
		return []layout.Role{layout.ServerCert, layout.ServerKey}
	}
	return []layout.Role{layout.ClientCert, layout.ClientKey}
}
