package validate

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/layout"
)

// audit carries one run's state: options, findings so far, and caches so
// that every file is read and parsed once.
type audit struct {
	opts  Options
	now   time.Time
	out   finding.List
	certs map[string]*certFile
	keys  map[string]*keyFile
	crls  map[string]*crlFile
	conf  *layout.LibvirtdConf
	// confDefaults: the default libvirtd.conf does not exist, so libvirtd
	// runs on its built-in settings.
	confDefaults bool
	version      *versionInfo
	hosts        []string // the host names, resolved once (see hostnames)
	// keyJobs are private keys being parsed in the background (RSA key
	// parsing dominates an audit's CPU time).
	keyJobs map[string]*keyJob
	// checked holds objects whose owner/mode/content was already reported,
	// so that a file shared by two scopes is reported once.
	checked map[string]bool
	// dirResults are the findings of the layout directories reported so
	// far; blocked maps a directory this process cannot enter, outside the
	// layout, to the finding that reported it.
	dirResults map[string]finding.Finding
	blocked    map[string]string
	// qemuLabels are the id prefixes of the QEMU directories ("qemu[qemu]").
	qemuLabels map[string]string
}

// Run audits the host's TLS setup described by opts and returns one
// finding per check, in scope order (trust, server, client, qemu). It never
// panics on bad input: unreadable directories, symbolic link loops, garbage
// or DER files, oversized files, directories in place of files and broken
// configuration files all become findings.
func Run(opts Options) finding.List {
	a := &audit{
		opts:       opts,
		now:        opts.now(),
		certs:      map[string]*certFile{},
		keys:       map[string]*keyFile{},
		crls:       map[string]*crlFile{},
		checked:    map[string]bool{},
		keyJobs:    map[string]*keyJob{},
		dirResults: map[string]finding.Finding{},
		blocked:    map[string]string{},
	}
	if opts.LibvirtVersion != "" {
		a.version = parseVersionInfo(opts.LibvirtVersion, "given")
	}
	if opts.LibvirtdConf != "" && opts.wants(Server) {
		a.readConf()
	}
	if opts.wants(Server) {
		a.prefetchKey(a.serverFiles().key)
	}
	if opts.wants(Client) {
		a.prefetchKey(a.clientFiles().key)
	}
	if opts.wants(Trust) {
		a.trust()
	}
	if opts.wants(Server) {
		a.identityTrust(a.serverFiles())
	}
	if opts.wants(Client) {
		a.identityTrust(a.clientFiles())
	}
	if opts.wants(Server) {
		if a.conf != nil {
			a.confChecks()
		} else if a.confDefaults {
			a.defaultsFinding()
		}
		a.identity(a.serverFiles())
	}
	if opts.wants(Client) {
		a.identity(a.clientFiles())
	}
	a.qemu()
	return a.out
}

// Dir audits one pkipath-style directory (cacert.pem, servercert.pem,
// serverkey.pem, clientcert.pem, clientkey.pem, cacrl.pem side by side), as
// `virsh -c ...?pkipath=DIR` and libvirtd would use it, for the given scopes
// (all three when none). opts supplies the owner, host names, time and
// expiry window; its Mode, Path and Scopes are replaced.
func Dir(dir string, scopes []Scope, opts Options) finding.List {
	opts.Mode = PathMode
	opts.Path = dir
	opts.Scopes = scopes
	return Run(opts)
}

func (a *audit) add(f finding.Finding) { a.out = append(a.out, f) }

// baseLayout is the layout of the selected mode.
func (a *audit) baseLayout() layout.Layout {
	switch a.opts.Mode {
	case UserMode:
		return layout.NewUser(a.opts.Home, a.opts.UID, a.opts.GID)
	case PathMode:
		return layout.NewPKIPath(a.opts.Path, a.opts.UID, a.opts.GID)
	}
	return layout.NewSystem(a.opts.Root)
}

func (a *audit) systemLayout() layout.Layout { return layout.NewSystem(a.opts.Root) }

// exists reports whether path exists (following links).
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil || !errors.Is(err, fs.ErrNotExist)
}

func (a *audit) certFile(path string) *certFile {
	if cf, ok := a.certs[path]; ok {
		return cf
	}
	cf := loadCertFile(path)
	a.certs[path] = cf
	return cf
}

// keyJob is a key file parsed in the background.
type keyJob struct {
	done chan struct{}
	kf   *keyFile
}

// prefetchKey starts parsing the regular file at path in the background;
// keyFile collects the result.
func (a *audit) prefetchKey(path string) {
	if path == "" || a.keyJobs[path] != nil {
		return
	}
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return
	}
	j := &keyJob{done: make(chan struct{})}
	a.keyJobs[path] = j
	go func() {
		j.kf = loadKeyFile(path)
		close(j.done)
	}()
}

func (a *audit) keyFile(path string) *keyFile {
	if kf, ok := a.keys[path]; ok {
		return kf
	}
	if j := a.keyJobs[path]; j != nil {
		<-j.done
		a.keys[path] = j.kf
		return j.kf
	}
	kf := loadKeyFile(path)
	a.keys[path] = kf
	return kf
}

// layoutFile returns the layout's entry for role, or a synthetic one for a
// path the layout does not know (a libvirtd.conf override), with the
// system layout's expectations for that role.
func layoutFile(l layout.Layout, r layout.Role, path string) layout.File {
	if f, ok := l.File(r); ok && f.Path == path {
		return f
	}
	sys := layout.NewSystem("")
	f, _ := sys.File(r)
	f.Path = path
	return f
}

// dirsOf returns the layout's directories that contain path (ancestors),
// outermost first.
func dirsOf(l layout.Layout, path string) []layout.Dir {
	var out []layout.Dir
	for _, d := range l.Dirs {
		rel, err := filepath.Rel(d.Path, path)
		if err == nil && rel != "." && !startsWithDotDot(rel) {
			out = append(out, d)
		}
	}
	return out
}

func startsWithDotDot(rel string) bool {
	return rel == ".." || len(rel) > 2 && rel[:3] == "../"
}
