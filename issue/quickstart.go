package issue

import (
	"path/filepath"
	"time"

	"github.com/virt-pki/virt-pki/ca"
	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// QuickstartOptions describe the PKI Quickstart makes.
type QuickstartOptions struct {
	Out      string // directory holding ca/, server/ and client/
	ClientDN string // subject of the client certificate in libvirt's order; empty: "O=FQDN,CN=client1"
	Days     int    // validity of the server and client certificates; 0: DefaultDays
	Host     Host   // this machine, which the server certificate names
	Now      time.Time
}

// QuickstartDirs are the three directories of a quickstart PKI below out:
// the CA's, and the server and client pkipath directories.
type QuickstartDirs struct{ CA, Server, Client string }

// DirsOf returns the directories of a quickstart PKI in out.
func DirsOf(out string) QuickstartDirs {
	return QuickstartDirs{CA: filepath.Join(out, "ca"), Server: filepath.Join(out, "server"), Client: filepath.Join(out, "client")}
}

// QuickstartNames returns, for each directory of a quickstart PKI in out,
// the names of the files Quickstart writes there.
func QuickstartNames(out string) map[string][]string {
	d := DirsOf(out)
	sc, sk := FileNames(libvirtcert.RoleServer)
	cc, ck := FileNames(libvirtcert.RoleClient)
	return map[string][]string{
		d.CA:     {ca.CertFile, ca.KeyFile},
		d.Server: {ca.CertFile, sc, sk},
		d.Client: {ca.CertFile, cc, ck},
	}
}

// QuickstartResult is a complete quickstart PKI, not yet written.
type QuickstartResult struct {
	Dirs           QuickstartDirs
	CA             *ca.Created
	Server, Client *Result
	// Files are every file to write: the CA's key (0600) and certificate
	// (0644) in Dirs.CA, and in Dirs.Server and Dirs.Client a complete
	// libvirt pkipath directory (CA certificate, certificate, key), all
	// 0600, the mode libvirt's validator wants in a pkipath directory.
	Files []ca.File
	// Findings are the notes and warnings about the client DN and the two
	// certificates.
	Findings finding.List
}

// ClientDNError is the error Quickstart returns when
// QuickstartOptions.ClientDN is not a usable subject (a usage error).
type ClientDNError struct{ Err error }

func (e *ClientDNError) Error() string { return "client DN: " + e.Err.Error() }
func (e *ClientDNError) Unwrap() error { return e.Err }

// Quickstart creates a CA that outlives the leaves it signs (ca.DefaultDays,
// or Days when longer), a server certificate for Host (its FQDN and short
// name, its addresses, localhost, 127.0.0.1 and ::1) and a client
// certificate, and returns the files to write.
func Quickstart(o QuickstartOptions) (*QuickstartResult, error) {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	days := o.Days
	if days == 0 {
		days = DefaultDays
	}
	dirs := DirsOf(o.Out)
	clientDN := o.ClientDN
	if clientDN == "" {
		clientDN = "O=" + o.Host.FQDN + ",CN=client1"
	}
	clientFlags := Flags{DN: clientDN, Days: days}
	ct, err := TemplateFromFlags(libvirtcert.RoleClient, clientFlags)
	if err != nil {
		return nil, &ClientDNError{Err: err}
	}
	// A leaf that outlives its CA stops working when the CA expires.
	created, err := ca.Create(ca.DefaultTemplate(ca.DefaultCN(o.Host), max(ca.DefaultDays, days)), nil, ca.DefaultKey, now)
	if err != nil {
		return nil, err
	}
	authority := &ca.CA{Cert: created.Cert, Key: created.Key,
		CertPath: filepath.Join(dirs.CA, ca.CertFile), KeyPath: filepath.Join(dirs.CA, ca.KeyFile)}
	sf := HostFlags(o.Host, days)
	sf.DNS = append(sf.DNS, "localhost")
	sf.IPs = append(sf.IPs, "127.0.0.1", "::1")
	st, err := TemplateFromFlags(libvirtcert.RoleServer, sf)
	if err != nil {
		return nil, err
	}
	host := o.Host
	server, err := Issue(Request{Role: libvirtcert.RoleServer, Template: st, CA: authority, Host: &host, Now: now})
	if err != nil {
		return nil, err
	}
	client, err := Issue(Request{Role: libvirtcert.RoleClient, Template: ct, CA: authority, Now: now})
	if err != nil {
		return nil, err
	}
	files := created.Files(dirs.CA)
	for _, d := range []string{dirs.Server, dirs.Client} {
		files = append(files, ca.File{Path: filepath.Join(d, ca.CertFile), Data: created.CertPEM, Mode: 0o644, Kind: ca.Certificate})
	}
	files = append(files, server.Files(dirs.Server)...)
	files = append(files, client.Files(dirs.Client)...)
	for i := range files {
		if filepath.Dir(files[i].Path) != dirs.CA {
			files[i].Mode = 0o600
		}
	}
	findings := append(FlagFindings("--client-dn", clientFlags), server.Findings...)
	return &QuickstartResult{Dirs: dirs, CA: created, Server: server, Client: client, Files: files,
		Findings: append(findings, client.Findings...)}, nil
}
