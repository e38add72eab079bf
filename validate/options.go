// Package validate audits a host's libvirt and QEMU TLS setup and returns
// findings (finding.List): one per check, with a stable id, a verdict, the
// reason and the exact command that fixes it. It runs libvirt's own checks
// (those of virt-pki-validate and of libvirtd's start-up sanity check) and
// the ones libvirt misses: key/certificate match, certificates GnuTLS will
// not use in a handshake, CRLs, expiry windows, server names, libvirtd.conf
// overrides and tls_allowed_dn_list, the per-user layout's traps and QEMU's
// directories.
//
// Run audits a whole host (system, user or pkipath layout); Dir audits one
// pkipath-style directory, for commands that have just written one.
package validate

import (
	"time"
)

// Scope is a group of checks. The first three are libvirt's own scopes
// (virt-pki-validate's TRUST, SERVER and CLIENT); QEMU covers QEMU's
// directories.
type Scope string

// The scopes, in the order Run reports them.
const (
	Trust  Scope = "trust"
	Server Scope = "server"
	Client Scope = "client"
	QEMU   Scope = "qemu"
)

// Mode selects which of libvirt's layouts is audited.
type Mode int

// The layouts.
const (
	// SystemMode audits /etc/pki (below Options.Root), as root uses it.
	SystemMode Mode = iota
	// UserMode audits $HOME/.pki/libvirt with libvirt's per-file and
	// per-pair fallbacks to the system layout.
	UserMode
	// PathMode audits a custom pkipath directory (Options.Path).
	PathMode
)

// DefaultWarnWithin is how close to expiry a certificate starts to WARN.
const DefaultWarnWithin = 30 * 24 * time.Hour

// Options describe one audit. The zero value audits the system layout of
// the real host, all of trust, server and client, at the current time.
type Options struct {
	Mode Mode
	// Root prefixes every system path ("" or "/" is the real host).
	Root string
	// Path is the pkipath directory for PathMode.
	Path string
	// Home is the user's home directory for UserMode (and for the
	// $HOME/.pki/cacert.pem documentation trap).
	Home string
	// UID and GID are the invoking user, who must own a user or pkipath
	// layout.
	UID, GID int

	// Scopes limits the audit to some of Trust, Server and Client; empty
	// means all three. QEMU directories are audited when QEMUDirs is set,
	// whatever Scopes says.
	Scopes []Scope

	// LibvirtdConf is the libvirtd.conf to read ("" reads none). Its
	// ca_file, cert_file, key_file and crl_file replace the layout's server
	// files, and its TLS settings are audited in the server scope.
	LibvirtdConf string
	// LibvirtdConfOptional makes a missing LibvirtdConf read as empty (as
	// libvirtd does for its default file) instead of failing.
	LibvirtdConfOptional bool

	// QEMUDirs are QEMU TLS directories to audit (ca-cert.pem, ...).
	QEMUDirs []string
	// QEMUFromConf audits every directory qemu.conf (below Root) makes the
	// QEMU driver use, after QEMUDirs.
	QEMUFromConf bool
	// QEMUConf is the qemu.conf read for QEMUFromConf and for the group
	// QEMU runs in. "" reads Root/etc/libvirt/qemu.conf, and a missing
	// default file means the QEMU driver's defaults; a QEMUConf given
	// explicitly must exist (a missing one is a FAIL finding).
	QEMUConf string
	// QEMUGroup and QEMUGID name the group the QEMU process runs in, which
	// must be able to read QEMU's keys. Empty QEMUGroup: looked up below
	// Root (qemu.conf's group, else libvirt-qemu, qemu, kvm).
	QEMUGroup string
	QEMUGID   int

	// Hostnames are the names and addresses clients use to reach this
	// host's server; every one must be covered by the server certificate.
	Hostnames []string
	// HostnamesFunc, when Hostnames is nil, supplies them the first time a
	// check needs them (LocalHostnames, started early by the caller, so
	// that the name lookup overlaps the file checks).
	HostnamesFunc func() []string
	// HostnamesGiven is true when the user named Hostnames explicitly: a
	// name the certificate does not cover is then a FAIL, not a WARN.
	HostnamesGiven bool

	// WarnWithin is the expiry window that WARNs (0: DefaultWarnWithin;
	// negative: never).
	WarnWithin time.Duration
	// Now is the audit time (zero: time.Now()).
	Now time.Time

	// LibvirtVersion is the installed libvirt ("9.0.0"); empty means detect
	// it with DetectLibvirtVersion when a verdict depends on it.
	LibvirtVersion string
}

func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

func (o Options) warnWithin() time.Duration {
	if o.WarnWithin == 0 {
		return DefaultWarnWithin
	}
	return o.WarnWithin
}

func (o Options) wants(s Scope) bool {
	if len(o.Scopes) == 0 {
		return s == Trust || s == Server || s == Client
	}
	for _, x := range o.Scopes {
		if x == s {
			return true
		}
	}
	return false
}
