package validatecli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/validate"
)

// options maps the command line to the library's options.
func options(v *flags) (validate.Options, error) {
	o := validate.Options{
		Root:           v.root,
		UID:            os.Getuid(),
		GID:            os.Getgid(),
		Hostnames:      v.hostnames.vals,
		HostnamesGiven: v.hostnames.set,
		WarnWithin:     time.Duration(v.warnDays) * 24 * time.Hour,
		LibvirtVersion: v.version,
		QEMUGroup:      v.qemuGroup,
	}
	if v.warnDays == 0 {
		o.WarnWithin = -1
	}
	if v.scope != "" {
		o.Scopes = []validate.Scope{validate.Scope(v.scope)}
	}
	home, _ := os.UserHomeDir()
	o.Home = home
	switch {
	case v.path != "":
		o.Mode, o.Path = validate.PathMode, v.path
	case v.user || (!v.system && v.root == "" && os.Geteuid() != 0):
		o.Mode = validate.UserMode
		if home == "" {
			return o, errors.New("--user: $HOME is not set")
		}
	default:
		o.Mode = validate.SystemMode
	}
	switch {
	case v.conf != "":
		o.LibvirtdConf = v.conf
	case o.Mode == validate.SystemMode:
		o.LibvirtdConf = layout.Under(v.root, layout.DefaultLibvirtdConf)
		o.LibvirtdConfOptional = true
	}
	for _, d := range v.qemu.vals {
		if d == "" {
			o.QEMUFromConf = true
		} else {
			o.QEMUDirs = append(o.QEMUDirs, d)
		}
	}
	if v.qemuConf != "" {
		// Naming qemu.conf asks for the directories it selects.
		o.QEMUConf, o.QEMUFromConf = v.qemuConf, true
	}
	if v.qemuGroup != "" {
		// A name (or GID, also as +GID) below root; numbers need no
		// group database.
		gid, err := layout.LookupGroup(v.root, strings.TrimPrefix(v.qemuGroup, "+"))
		if err != nil {
			return o, fmt.Errorf("--qemu-group %s: %v; pass the group's number instead", v.qemuGroup, err)
		}
		o.QEMUGID = gid
	}
	if !o.HostnamesGiven && (v.scope == "" || v.scope == "server") {
		// Look the names up while the files are being checked.
		names := make(chan []string, 1)
		go func() { names <- validate.LocalHostnames(2 * time.Second) }()
		o.HostnamesFunc = func() []string { return <-names }
	}
	return o, nil
}
