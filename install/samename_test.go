package install

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/layout"
)

// Two CAs created with one name (newSet always names its CA "Install Test
// CA") but different keys: the refusal must say so, not claim that no CA
// of that name exists.
func TestSameNameDifferentKeyCAIsExplained(t *testing.T) {
	requireRoot(t)
	a, b := newSet(t, nil), newSet(t, nil)
	sameName := "the CA file holds a CA with the same name but a different key"
	check := func(t *testing.T, req Request, id, want string) {
		t.Helper()
		res, _ := Install(req, Options{DryRun: true})
		for _, f := range res.Plan.Findings {
			if f.ID != id {
				continue
			}
			if !strings.Contains(f.Message, want) || !strings.Contains(f.Message, "this certificate was issued by another CA of that name") {
				t.Errorf("message %q lacks %q", f.Message, want)
			}
			if strings.Contains(f.Message, "no certificate in the CA file has the subject") {
				t.Errorf("message claims the name is missing: %q", f.Message)
			}
			return
		}
		t.Fatalf("no %s finding: %+v", id, res.Plan.Findings)
	}
	t.Run("leaf from the other CA, its CA in --from", func(t *testing.T) {
		root := t.TempDir()
		mustInstall(t, systemReq(root, a, RoleCA))
		check(t, systemReq(root, b, RoleClient), "install-not-issued-by-ca",
			sameName+" (SHA-256 fingerprints "+Fingerprint(a.CA.Cert)+" vs "+Fingerprint(b.CA.Cert)+")")
	})
	t.Run("leaf from the other CA, its CA unknown", func(t *testing.T) {
		root := t.TempDir()
		mustInstall(t, systemReq(root, a, RoleCA))
		req := Request{Roles: []Role{RoleClient}, Target: systemReq(root, a).Target,
			Sources: Sources{Cert: filepath.Join(b.Dir, "clientcert.pem"), Key: filepath.Join(b.Dir, "clientkey.pem")}}
		check(t, req, "install-not-issued-by-ca", sameName+" (SHA-256 fingerprint "+Fingerprint(a.CA.Cert))
	})
	t.Run("new CA of the same name orphans the installed server certificate", func(t *testing.T) {
		root := t.TempDir()
		mustInstall(t, systemReq(root, a, RoleCA, RoleServer))
		req := systemReq(root, b, RoleCA)
		req.Backup = true
		check(t, req, "install-orphans-leaf", sameName+" (SHA-256 fingerprints "+Fingerprint(b.CA.Cert)+" vs "+Fingerprint(a.CA.Cert)+")")
	})
}

// The placeholders in install's fixes are validate's: CA_DIR for the CA
// directory and CLIENT_NAME for a client's name, so one runbook covers
// both commands.
func TestFixPlaceholdersMatchValidate(t *testing.T) {
	for _, r := range []layout.Role{layout.ServerCert, layout.ClientCert} {
		for _, other := range []string{"a client certificate", "a server certificate", "a CA certificate"} {
			fix := otherRoleFix(r, other)
			if !strings.Contains(fix, "--ca-dir CA_DIR ") || strings.Contains(fix, "CADIR") {
				t.Errorf("%s / %s: fix %q does not use CA_DIR", r.Describe(), other, fix)
			}
			if r == layout.ClientCert && !strings.Contains(fix, "--cn CLIENT_NAME") {
				t.Errorf("client fix %q does not use CLIENT_NAME", fix)
			}
		}
	}
}
