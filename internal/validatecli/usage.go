package validatecli

// Usage is the help text of `virt-pki validate` and virt-pki-validate.
const Usage = `Usage: virt-pki validate [OPTIONS] [trust|server|client]
       virt-pki-validate [OPTIONS] [trust|server|client]

Audits the TLS files libvirt and QEMU use: libvirt's own checks (directories
and files with the layout's owner and mode, libvirt's certificate rules, the
chain against the first 16 CA certificates, the 64 KiB cap) and what libvirt
misses (key/certificate match, certificates GnuTLS will not use, ECDSA keys
against the installed libvirt, CRLs, expiry within --warn-days, server names,
libvirtd.conf overrides and tls_allowed_dn_list, the per-user layout's traps,
QEMU directories). Prints one line per check, "SCOPE: what: PASS|WARN|FAIL|SKIP",
with the reason and the command that fixes every WARN and FAIL.

The scope (case-insensitive) limits the audit to one of trust, server, client.

Options:
  -s, --system           audit /etc/pki (default as root)
  -u, --user             audit $HOME/.pki/libvirt with libvirt's fallbacks (default for other users)
  -p, --path DIR         audit a custom pkipath directory
      --root PREFIX      audit a system layout below PREFIX (image builds, tests)
      --libvirtd-conf FILE
                         libvirtd.conf whose ca_file/cert_file/key_file/crl_file and TLS
                         settings are audited (default with --system: PREFIX/etc/libvirt/libvirtd.conf)
      --qemu[=DIR]       also audit QEMU's TLS directory DIR, or with no DIR every directory
                         qemu.conf selects (default /etc/pki/qemu); repeatable
      --qemu-conf FILE   the qemu.conf whose *_tls_x509_cert_dir settings and group select the
                         QEMU directories (default: PREFIX/etc/libvirt/qemu.conf); implies --qemu
      --qemu-group NAME  the group QEMU runs in (default: qemu.conf's, else libvirt-qemu, qemu, kvm)
      --hostname NAME|IP a name or address clients use for this server; repeatable
                         (default: this host's FQDN, short name and non-loopback addresses)
      --warn-days N      WARN when a certificate expires within N days (default 30)
      --libvirt-version V
                         judge version-dependent rules for libvirt V (default: the installed one)
      --format text|json output format (default text)
      --strict           a WARN fails the run too
  -h, --help             show this help

Exit status: 0 when nothing FAILs, 1 when a check FAILs (or WARNs with --strict),
2 on usage errors. Unlike libvirt's virt-pki-validate, a WARN alone does not
fail the run.
`
