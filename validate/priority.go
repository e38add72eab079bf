package validate

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/finding"
)

// checkPriority reports whether GnuTLS accepts libvirtd.conf's
// tls_priority. libvirtd does not check it at start-up: with an invalid
// string it listens, then drops every connection before the ServerHello
// ("Failed to set TLS session priority to ..."). GnuTLS's own parser
// decides, through `gnutls-cli --priority STRING -l`.
func (a *audit) checkPriority() {
	c := a.conf
	if c.TLSPriority == "" {
		return
	}
	id := "server.conf.tls-priority"
	bin, err := exec.LookPath("gnutls-cli")
	if err != nil {
		a.add(finding.Finding{ID: id, Scope: string(Server), Status: finding.Skip, Path: c.Path,
			Message: fmt.Sprintf("tls_priority %q not checked: gnutls-cli is not installed (apt-get install gnutls-bin)", c.TLSPriority)})
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--priority", c.TLSPriority, "-l").CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		a.add(finding.Finding{ID: id, Scope: string(Server), Status: finding.Pass, Path: c.Path,
			Message: fmt.Sprintf("GnuTLS accepts tls_priority %q", c.TLSPriority)})
	case errors.As(err, &ee):
		why := firstLine(strings.TrimSpace(string(out)))
		a.add(finding.Finding{ID: id, Scope: string(Server), Status: finding.Fail, Path: c.Path,
			Message: fmt.Sprintf("GnuTLS rejects tls_priority %q (%s): libvirtd starts but drops every TLS connection (\"Failed to set TLS session priority\")", c.TLSPriority, why),
			Fix:     fmt.Sprintf("fix or delete tls_priority in %s (test a string with: gnutls-cli --priority 'STRING' -l)", c.Path)})
	default:
		a.add(finding.Finding{ID: id, Scope: string(Server), Status: finding.Skip, Path: c.Path,
			Message: fmt.Sprintf("tls_priority %q not checked: %v", c.TLSPriority, err)})
	}
}
