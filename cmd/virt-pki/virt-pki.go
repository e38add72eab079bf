// Command virt-pki makes TLS for libvirt and QEMU hosts boring: it creates a
// CA, issues certificates from certtool-style templates, installs them where
// libvirt and QEMU look, audits a host's PKI, probes a running libvirtd and
// gates CI on expiry (see internal/virtpkicli).
//
// Started through a link named certtool, virt-pki-query-dn or
// virt-pki-validate, it behaves as that tool.
package main

import (
	"os"

	"github.com/virt-pki/virt-pki/internal/virtpkicli"
)

func main() {
	os.Exit(virtpkicli.Main(os.Args, os.Stdout, os.Stderr))
}
