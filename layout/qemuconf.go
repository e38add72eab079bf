package layout

import (
	"errors"
	"fmt"
	"io/fs"
)

// DefaultQEMUConf is the QEMU driver's configuration file.
const DefaultQEMUConf = "/etc/libvirt/qemu.conf"

// QEMUService describes one QEMU TLS consumer that qemu.conf configures
// with "<Name>_tls_x509_cert_dir" and friends.
type QEMUService struct {
	// Name is the qemu.conf key prefix: vnc, spice, chardev, migrate,
	// backup, nbd.
	Name string
	// Switch is the key that turns TLS on for the service ("vnc_tls"), or
	// "" when there is none (migration and backup use TLS on request).
	Switch string
	// HasVerify is true when "<Name>_tls_x509_verify" exists;
	// DefaultVerify is its value when neither it nor
	// default_tls_x509_verify is set.
	HasVerify, DefaultVerify bool
	// HasSecret is true when "<Name>_tls_x509_secret_uuid" exists.
	HasSecret bool
}

// DefaultDir is the service's own default directory, /etc/pki/libvirt-NAME,
// used only when it exists.
func (s QEMUService) DefaultDir() string { return "/etc/pki/libvirt-" + s.Name }

// QEMUServices lists the services in the order libvirt resolves them
// (vxhs is left out: QEMU dropped it in 5.2).
var QEMUServices = []QEMUService{
	{Name: "vnc", Switch: "vnc_tls", HasVerify: true, DefaultVerify: false, HasSecret: true},
	{Name: "spice", Switch: "spice_tls"},
	{Name: "chardev", Switch: "chardev_tls", HasVerify: true, DefaultVerify: true, HasSecret: true},
	{Name: "migrate", HasVerify: true, DefaultVerify: true, HasSecret: true},
	{Name: "backup", HasVerify: true, DefaultVerify: true, HasSecret: true},
	{Name: "nbd", Switch: "nbd_tls", HasSecret: true},
}

// QEMUServiceConf is what qemu.conf says about one service. Nil pointers
// and CertDirSet=false mean "not set".
type QEMUServiceConf struct {
	Name       string
	Enabled    *bool // the Switch key (vnc_tls, ...)
	CertDir    string
	CertDirSet bool
	Verify     *bool
	SecretUUID string
	Priority   string
}

// QEMUConf holds the TLS-relevant settings of a qemu.conf.
type QEMUConf struct {
	Path                     string
	DefaultTLSx509CertDir    string
	DefaultCertDirSet        bool
	DefaultTLSx509Verify     *bool
	DefaultTLSx509SecretUUID string
	DefaultTLSPriority       string
	MigrateTLSForce          *bool
	// User and Group are the QEMU process's user and group ("" = the
	// build default).
	User, Group string
	// Services holds one entry per QEMUServices name.
	Services map[string]QEMUServiceConf
	// Raw is the whole parsed file, unknown settings included.
	Raw *Conf
}

// ParseQEMUConf parses a qemu.conf (same virConf syntax as libvirtd.conf,
// see ParseConf) and extracts the TLS settings: default_tls_x509_cert_dir,
// default_tls_x509_verify, default_tls_x509_secret_uuid,
// default_tls_priority, user, group, migrate_tls_force and for every
// service in QEMUServices its switch, _tls_x509_cert_dir,
// _tls_x509_verify, _tls_x509_secret_uuid and _tls_priority. Type errors
// are *ConfError naming name:line with libvirt's wording.
func ParseQEMUConf(name string, data []byte) (*QEMUConf, error) {
	raw, err := ParseConf(name, data)
	if err != nil {
		return nil, err
	}
	c := &QEMUConf{Path: name, Raw: raw, Services: map[string]QEMUServiceConf{}}
	if c.DefaultTLSx509CertDir, c.DefaultCertDirSet, err = raw.GetString("default_tls_x509_cert_dir"); err != nil {
		return nil, err
	}
	if c.DefaultTLSx509Verify, err = optBool(raw, "default_tls_x509_verify"); err != nil {
		return nil, err
	}
	if c.MigrateTLSForce, err = optBool(raw, "migrate_tls_force"); err != nil {
		return nil, err
	}
	for _, s := range []struct {
		key string
		dst *string
	}{
		{"default_tls_x509_secret_uuid", &c.DefaultTLSx509SecretUUID},
		{"default_tls_priority", &c.DefaultTLSPriority},
		{"user", &c.User}, {"group", &c.Group},
	} {
		if *s.dst, _, err = raw.GetString(s.key); err != nil {
			return nil, err
		}
	}
	for _, svc := range QEMUServices {
		sc := QEMUServiceConf{Name: svc.Name}
		if svc.Switch != "" {
			if sc.Enabled, err = optBool(raw, svc.Switch); err != nil {
				return nil, err
			}
		}
		if sc.CertDir, sc.CertDirSet, err = raw.GetString(svc.Name + "_tls_x509_cert_dir"); err != nil {
			return nil, err
		}
		if svc.HasVerify {
			if sc.Verify, err = optBool(raw, svc.Name+"_tls_x509_verify"); err != nil {
				return nil, err
			}
		}
		if svc.HasSecret {
			if sc.SecretUUID, _, err = raw.GetString(svc.Name + "_tls_x509_secret_uuid"); err != nil {
				return nil, err
			}
		}
		if sc.Priority, _, err = raw.GetString(svc.Name + "_tls_priority"); err != nil {
			return nil, err
		}
		c.Services[svc.Name] = sc
	}
	return c, nil
}

func optBool(c *Conf, key string) (*bool, error) {
	v, set, err := c.GetBool(key)
	if err != nil || !set {
		return nil, err
	}
	return &v, nil
}

// ReadQEMUConf reads and parses the qemu.conf at path; with allowMissing
// a missing file yields an empty configuration (all defaults). Errors are
// those of ReadLibvirtdConf: "PATH: no such file or directory" (wrapping
// fs.ErrNotExist), "PATH: cannot be read: not a regular file (a named
// pipe)", or the parser's error naming the file and line.
func ReadQEMUConf(path string, allowMissing bool) (*QEMUConf, error) {
	data, err := readConfFile(path)
	if err != nil {
		if allowMissing && errors.Is(err, fs.ErrNotExist) {
			return ParseQEMUConf(path, nil)
		}
		return nil, err
	}
	return ParseQEMUConf(path, data)
}

// QEMUCertDir is the directory one QEMU service takes its TLS files from.
type QEMUCertDir struct {
	Service string
	// Dir is the effective directory (under the root prefix).
	Dir string
	// Enabled reports the service's TLS switch (nil: the service has no
	// switch, or it is unset and TLS is off).
	Enabled *bool
	// Verify is whether QEMU demands a client certificate from peers.
	Verify bool
	// SecretUUID decrypts an encrypted server-key.pem ("" for none).
	SecretUUID string
	// Why explains how Dir was chosen.
	Why string
}

// CertDirs resolves each service's directory the way the QEMU driver does
// at start (virQEMUDriverConfigValidate + SetDefaults): a directory set in
// qemu.conf must exist (else the driver refuses to start: the returned
// problem with libvirt's text); when unset, /etc/pki/libvirt-NAME is used
// if it exists, else the default directory (default_tls_x509_cert_dir,
// itself /etc/pki/qemu when unset, and required to exist when set).
// Verification defaults to default_tls_x509_verify when set, else to the
// service's own default; the secret UUID defaults to
// default_tls_x509_secret_uuid only when the service sets neither a
// directory nor a secret. A nil c means no qemu.conf. Paths from the file
// are host paths, placed under root.
func (c *QEMUConf) CertDirs(root string, exists func(string) bool) ([]QEMUCertDir, []ConfProblem) {
	if c == nil {
		c = &QEMUConf{}
	}
	var problems []ConfProblem
	missing := func(key, dir string) {
		name := c.Path
		if name == "" {
			name = DefaultQEMUConf
		}
		problems = append(problems, ConfProblem{
			ID:      "qemu-conf-cert-dir-missing",
			Message: fmt.Sprintf("configuration file syntax error: %s directory '%s' does not exist", key, dir),
			Fix:     fmt.Sprintf("create %s or fix %s in %s", dir, key, name),
		})
	}
	defDir, defWhy := Under(root, DefaultQEMUDir), "default_tls_x509_cert_dir is not set: QEMU's default "+DefaultQEMUDir
	if c.DefaultCertDirSet {
		defDir, defWhy = Under(root, c.DefaultTLSx509CertDir), "default_tls_x509_cert_dir = "+c.DefaultTLSx509CertDir
		if !exists(defDir) {
			missing("default_tls_x509_cert_dir", defDir)
		}
	}
	var out []QEMUCertDir
	for _, svc := range QEMUServices {
		sc := c.Services[svc.Name]
		d := QEMUCertDir{Service: svc.Name, Enabled: sc.Enabled}
		key := svc.Name + "_tls_x509_cert_dir"
		switch {
		case sc.CertDirSet:
			d.Dir, d.Why = Under(root, sc.CertDir), key+" = "+sc.CertDir
			if !exists(d.Dir) {
				missing(key, d.Dir)
			}
		case exists(Under(root, svc.DefaultDir())):
			d.Dir, d.Why = Under(root, svc.DefaultDir()), key+" is not set and "+svc.DefaultDir()+" exists"
		default:
			d.Dir, d.Why = defDir, key+" is not set and "+svc.DefaultDir()+" does not exist: "+defWhy
		}
		if svc.HasVerify {
			switch {
			case sc.Verify != nil:
				d.Verify = *sc.Verify
			case c.DefaultTLSx509Verify != nil:
				d.Verify = *c.DefaultTLSx509Verify
			default:
				d.Verify = svc.DefaultVerify
			}
		}
		d.SecretUUID = sc.SecretUUID
		if svc.HasSecret && !sc.CertDirSet && sc.SecretUUID == "" {
			d.SecretUUID = c.DefaultTLSx509SecretUUID
		}
		out = append(out, d)
	}
	return out, problems
}
