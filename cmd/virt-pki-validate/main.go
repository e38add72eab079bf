// Command virt-pki-validate is a drop-in for libvirt's virt-pki-validate:
// the audit, command line, output and exit status of `virt-pki validate`
// (internal/validatecli) in a binary that links nothing else (no
// urfave/cli, no other command), so it starts about 1 ms sooner than the
// multi-command virt-pki. Install it statically linked, which saves
// another millisecond per run (the C loader), from a checkout:
//
//	CGO_ENABLED=0 go install ./cmd/virt-pki-validate
//
// Statically linked, owner and group names come from /etc/passwd and
// /etc/group and the host's FQDN from /etc/hosts and DNS, not from NSS
// modules (LDAP, SSSD).
package main

import (
	"os"

	"github.com/virt-pki/virt-pki/internal/validatecli"
)

func main() {
	os.Exit(validatecli.Main(os.Args, os.Stdout, os.Stderr))
}
