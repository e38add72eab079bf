package layout

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// DefaultLibvirtdConf is the system daemon's configuration file. The
// modular daemon virtproxyd reads /etc/libvirt/virtproxyd.conf, with the
// same TLS settings.
const DefaultLibvirtdConf = "/etc/libvirt/libvirtd.conf"

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
	// Raw is the whole parsed file, unknown settings included. Use
	// Raw.Has to tell an empty string from an absent setting.
	Raw *Conf
}

// ParseLibvirtdConf parses libvirt's configuration syntax (virConf, see
// ParseConf) and extracts the TLS settings with libvirtd's types: strings
// for ca_file, cert_file, key_file, crl_file, tls_port, tls_priority and
// auth_tls; 0/1 for listen_tls, listen_tcp, tls_no_verify_certificate and
// tls_no_sanity_certificate; a list of strings for tls_allowed_dn_list.
// Errors are *ConfError naming name:line, with libvirt's messages for
// syntax and type errors (a wrong type stops libvirtd too). Unknown keys
// are kept in Raw. When a key appears twice the first one counts, as in
// libvirt.
func ParseLibvirtdConf(name string, data []byte) (*LibvirtdConf, error) {
	raw, err := ParseConf(name, data)
	if err != nil {
		return nil, err
	}
	c := &LibvirtdConf{Path: name, Raw: raw}
	strs := []struct {
		key string
		dst *string
	}{
		{"ca_file", &c.CAFile}, {"cert_file", &c.CertFile}, {"key_file", &c.KeyFile},
		{"crl_file", &c.CRLFile}, {"tls_port", &c.TLSPort}, {"tls_priority", &c.TLSPriority},
		{"auth_tls", &c.AuthTLS},
	}
	for _, s := range strs {
		if *s.dst, _, err = raw.GetString(s.key); err != nil {
			return nil, err
		}
	}
	for _, b := range []struct {
		key string
		dst **bool
	}{{"listen_tls", &c.ListenTLS}, {"listen_tcp", &c.ListenTCP}} {
		v, set, err := raw.GetBool(b.key)
		if err != nil {
			return nil, err
		}
		if set {
			*b.dst = &v
		}
	}
	for _, b := range []struct {
		key string
		dst *bool
	}{{"tls_no_verify_certificate", &c.TLSNoVerifyCertificate}, {"tls_no_sanity_certificate", &c.TLSNoSanityCertificate}} {
		if *b.dst, _, err = raw.GetBool(b.key); err != nil {
			return nil, err
		}
	}
	if c.TLSAllowedDNList, c.TLSAllowedDNListSet, err = raw.GetStringList("tls_allowed_dn_list", false); err != nil {
		return nil, err
	}
	return c, nil
}

// ReadLibvirtdConf reads and parses the libvirtd.conf at path. When
// allowMissing is true (libvirtd's behaviour for its default file) a
// missing file yields an empty configuration; otherwise it is an error
// "PATH: no such file or directory" that wraps fs.ErrNotExist.
// Only a regular file is read (see readConfFile): a named pipe or device
// is the one-line error "PATH: cannot be read: not a regular file (a
// named pipe)" and is never opened for a blocking read.
// Files above MaxConfSize are refused, as libvirt does.
func ReadLibvirtdConf(path string, allowMissing bool) (*LibvirtdConf, error) {
	data, err := readConfFile(path)
	if err != nil {
		if allowMissing && errors.Is(err, fs.ErrNotExist) {
			return &LibvirtdConf{Path: path, Raw: &Conf{Name: path}}, nil
		}
		return nil, err
	}
	return ParseLibvirtdConf(path, data)
}

// Set reports whether key is present in the file (also as an empty
// string), which is what libvirtd's all-or-none rule looks at.
func (c *LibvirtdConf) Set(key string) bool {
	if c == nil {
		return false
	}
	if c.Raw != nil {
		return c.Raw.Has(key)
	}
	switch key {
	case "ca_file":
		return c.CAFile != ""
	case "cert_file":
		return c.CertFile != ""
	case "key_file":
		return c.KeyFile != ""
	case "crl_file":
		return c.CRLFile != ""
	}
	return false
}

// ServerFiles are the files a privileged libvirtd loads for TLS.
type ServerFiles struct {
	CACert, CRL, ServerCert, ServerKey string
	// Custom is true when the paths come from libvirtd.conf settings
	// rather than the built-in system layout.
	Custom bool
	// CRLDefault is true when CRL is the built-in path, which libvirtd
	// loads only if it exists. With custom paths CRL is "" unless
	// crl_file is set.
	CRLDefault bool
	// Why explains the choice, one line per decision.
	Why []string
}

// ConfProblem is a configuration mistake that stops libvirtd.
type ConfProblem struct {
	// ID is stable: "libvirtd-conf-no-ca-file", "libvirtd-conf-no-cert-file",
	// "libvirtd-conf-no-key-file".
	ID string
	// Message is libvirtd's own log text.
	Message string
	// Fix says what to change.
	Fix string
}

// The exact texts libvirtd logs when the all-or-none rule is broken
// (remote_daemon.c, reported as VIR_ERR_CONFIG_UNSUPPORTED).
const (
	MsgNoCAFile   = "unsupported configuration: No CA certificate path set to match server key/cert"
	MsgNoCertFile = "unsupported configuration: No server certificate path set to match server key"
	MsgNoKeyFile  = "unsupported configuration: No server key path set to match server cert"
)

// EffectiveServerFiles returns the files a privileged libvirtd (running as
// root) uses with conf (nil for no libvirtd.conf) under root. If none of
// ca_file, cert_file and key_file is set, the system layout is used and the
// CRL is the default cacrl.pem when present. If any is set, all three must
// be: libvirtd checks ca_file, then cert_file, then key_file, and refuses
// to start with the first missing one (the returned problem, with
// libvirtd's exact text); crl_file is then used only if given. Paths from
// the file are taken as host paths (a relative one against libvirtd's
// working directory, see DaemonPath) and placed under root.
func EffectiveServerFiles(root string, conf *LibvirtdConf) (ServerFiles, *ConfProblem) {
	anySet := conf.Set("ca_file") || conf.Set("cert_file") || conf.Set("key_file")
	if !anySet {
		sf := ServerFiles{
			CACert:     Under(root, SystemCACert),
			CRL:        Under(root, SystemCRL),
			ServerCert: Under(root, SystemServerCert),
			ServerKey:  Under(root, SystemServerKey),
			CRLDefault: true,
			Why:        []string{"none of ca_file, cert_file, key_file is set: libvirtd uses the system layout"},
		}
		if conf.Set("crl_file") {
			// libvirtd ignores crl_file unless the three paths are set.
			sf.Why = append(sf.Why, "crl_file is set but ignored: libvirtd reads it only together with ca_file, cert_file and key_file")
		}
		return sf, nil
	}
	name := DefaultLibvirtdConf
	if conf.Path != "" {
		name = conf.Path
	}
	sf := ServerFiles{Custom: true}
	if conf.Set("ca_file") {
		sf.CACert = Under(root, DaemonPath(conf.CAFile))
	}
	if conf.Set("cert_file") {
		sf.ServerCert = Under(root, DaemonPath(conf.CertFile))
	}
	if conf.Set("key_file") {
		sf.ServerKey = Under(root, DaemonPath(conf.KeyFile))
	}
	if conf.Set("crl_file") {
		sf.CRL = Under(root, DaemonPath(conf.CRLFile))
		sf.Why = append(sf.Why, "crl_file is set in "+name)
	} else {
		sf.Why = append(sf.Why, "crl_file is not set: with custom paths libvirtd loads no CRL")
	}
	fix := fmt.Sprintf("set all three of ca_file, cert_file and key_file in %s (when one is set libvirtd does not default the others)", name)
	switch {
	case !conf.Set("ca_file"):
		return sf, &ConfProblem{ID: "libvirtd-conf-no-ca-file", Message: MsgNoCAFile, Fix: fix}
	case !conf.Set("cert_file"):
		return sf, &ConfProblem{ID: "libvirtd-conf-no-cert-file", Message: MsgNoCertFile, Fix: fix}
	case !conf.Set("key_file"):
		return sf, &ConfProblem{ID: "libvirtd-conf-no-key-file", Message: MsgNoKeyFile, Fix: fix}
	}
	sf.Why = append([]string{"ca_file, cert_file and key_file are set in " + name}, sf.Why...)
	return sf, nil
}

// DaemonWorkDir is the working directory of a libvirtd started by systemd
// or daemonized (it changes to /), against which it resolves a relative
// ca_file, cert_file, key_file or crl_file.
const DaemonWorkDir = "/"

// DaemonPath returns the absolute path libvirtd opens for a file setting:
// a relative value is resolved against DaemonWorkDir; an absolute one is
// returned as written (not cleaned, so that a root prefix joined to it
// still shows '..' climbing out of the prefix).
func DaemonPath(value string) string {
	if filepath.IsAbs(value) {
		return value
	}
	return filepath.Join(DaemonWorkDir, value)
}

// RelativeSetting is a file setting of libvirtd.conf whose value is a
// relative path.
type RelativeSetting struct {
	// Key is the setting's name ("ca_file").
	Key string
	// Value is the relative path as written.
	Value string
	// Absolute is the path libvirtd opens (DaemonPath(Value)), the value to
	// write instead.
	Absolute string
}

// RelativeFileSettings returns, in the order ca_file, cert_file, key_file,
// crl_file, the file settings of c given as relative paths. libvirtd
// resolves them against its working directory (usually /, but the
// directory it was started from when run by hand), so such a setting is a
// trap; callers warn and suggest Absolute. Empty values are not listed.
func (c *LibvirtdConf) RelativeFileSettings() []RelativeSetting {
	if c == nil {
		return nil
	}
	var out []RelativeSetting
	for _, s := range []struct{ key, value string }{
		{"ca_file", c.CAFile}, {"cert_file", c.CertFile}, {"key_file", c.KeyFile}, {"crl_file", c.CRLFile},
	} {
		if s.value != "" && !filepath.IsAbs(s.value) {
			out = append(out, RelativeSetting{Key: s.key, Value: s.value, Absolute: DaemonPath(s.value)})
		}
	}
	return out
}
