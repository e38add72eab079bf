package expiry

import (
	"os"
	"path/filepath"

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
// appears once.
func HostTargets(h Host) []Target {
	root := h.Root
	layouts := []layout.Layout{layout.NewSystem(root)}
	if h.Home != "" {
		layouts = append(layouts, layout.NewUser(layout.Under(root, h.Home), h.UID, h.GID))
	}
	layouts = append(layouts, layout.NewQEMU(layout.Under(root, layout.DefaultQEMUDir), 0))
	// The layout readers refuse a named pipe or device at once, so a FIFO
	// in place of a configuration file cannot hang the scan; validate
	// reports broken or unreadable configuration files.
	qemuConf, _ := layout.ReadQEMUConf(layout.Under(root, layout.DefaultQEMUConf), false)
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	dirs, _ := qemuConf.CertDirs(root, exists)
	for _, d := range dirs {
		layouts = append(layouts, layout.NewQEMU(d.Dir, 0))
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
		conf, err := layout.ReadLibvirtdConf(layout.Under(root, name), false)
		if err != nil {
			continue
		}
		for _, p := range []string{conf.CAFile, conf.CertFile, conf.CRLFile} {
			if p != "" {
				paths = append(paths, layout.Under(root, p))
			}
		}
	}

	seen := map[string]bool{}
	var targets []Target
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
	return targets
}
