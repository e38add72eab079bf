package expiry

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/virt-pki/virt-pki/layout"
)

// certRoles are the layout roles that hold certificates or CRLs.
var certRoles = map[layout.Role]bool{
	layout.CACert:     true,
	layout.CRL:        true,
	layout.ServerCert: true,
	layout.ClientCert: true,
}

// libvirtConfs are the daemon configuration files whose ca_file,
// cert_file and crl_file override the system layout: the monolithic
// libvirtd and the modular proxy daemon.
var libvirtConfs = []string{"/etc/libvirt/libvirtd.conf", "/etc/libvirt/virtproxyd.conf"}

// Host is the machine whose layouts HostTargets lists.
type Host struct {
	// Root prefixes every system path ("" or "/" for the real host).
	Root string
	// Home, UID and GID select the per-user layout (Home/.pki/libvirt);
	// an empty Home skips it. Home is taken under Root too.
	Home     string
	UID, GID int
}

// HostTargets lists the certificate and CRL files of every libvirt and
// QEMU layout of the host that exist: the system layout, the user's
// layout, QEMU's default directory and every per-service directory
// qemu.conf selects (vnc, spice, chardev, migrate, backup, nbd), and the
// files that libvirtd.conf and virtproxyd.conf point to. Missing files are
// left out (judging a layout's completeness is validate's job); each path
// appears once. HostSources also says which configuration files were
// broken.
func HostTargets(h Host) []Target {
	targets, _ := HostSources(h)
	return targets
}

// HostSources is HostTargets together with an Error record (Kind Source,
// Path the configuration file) for every configuration file that exists
// but cannot be read or parsed, or that selects a certificate directory
// that does not exist: the certificates it would have pointed to are not
// in targets, and a gate must not pass silently because of it. A missing
// configuration file is not a problem (libvirt and QEMU use their
// defaults). ScanWith and CollectWith put the records into a report.
func HostSources(h Host) (targets []Target, problems []Record) {
	root := h.Root
	layouts := []layout.Layout{layout.NewSystem(root)}
	if h.Home != "" {
		layouts = append(layouts, layout.NewUser(layout.Under(root, h.Home), h.UID, h.GID))
	}
	layouts = append(layouts, layout.NewQEMU(layout.Under(root, layout.DefaultQEMUDir), 0))
	// The layout readers refuse a named pipe or device at once, so a FIFO
	// in place of a configuration file cannot hang the scan.
	qemuPath := layout.Under(root, layout.DefaultQEMUConf)
	qemuConf, err := layout.ReadQEMUConf(qemuPath, true)
	if err != nil {
		problems = append(problems, confError(qemuPath, err, "the certificate directories it selects were not scanned"))
	} else {
		exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
		dirs, confProblems := qemuConf.CertDirs(root, exists)
		for _, d := range dirs {
			layouts = append(layouts, layout.NewQEMU(d.Dir, 0))
		}
		for _, p := range confProblems {
			problems = append(problems, sourceError(qemuPath, p.Message+"; "+p.Fix))
		}
	}

	var paths []string
	for _, l := range layouts {
		for _, f := range l.Files {
			if certRoles[f.Role] {
				paths = append(paths, f.Path)
			}
		}
	}
	for _, name := range libvirtConfs {
		path := layout.Under(root, name)
		conf, err := layout.ReadLibvirtdConf(path, true)
		if err != nil {
			problems = append(problems, confError(path, err, "the ca_file, cert_file and crl_file it may set were not scanned"))
			continue
		}
		for _, p := range []string{conf.CAFile, conf.CertFile, conf.CRLFile} {
			if p != "" {
				paths = append(paths, layout.Under(root, p))
			}
		}
	}

	seen := map[string]bool{}
	for _, p := range paths {
		p = filepath.Clean(p)
		if seen[p] {
			continue
		}
		seen[p] = true
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			targets = append(targets, Target{File, p})
		}
	}
	return targets, problems
}

// confError is the Error record for the configuration file at path that
// could not be read or parsed: the reader's error without the path the
// record already names ("line N: ..." for a parse error), and what was
// not scanned because of it.
func confError(path string, err error, consequence string) Record {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, path+": "); ok {
		msg = rest
	} else if rest, ok := strings.CutPrefix(msg, path+":"); ok {
		msg = "line " + rest
	}
	return sourceError(path, msg+"; "+consequence)
}
