package expiry

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// TestHostSourcesReportsBrokenConfiguration: a configuration file that
// cannot be parsed, or that selects a directory that does not exist, is an
// Error record naming the file; the rest of the host is still scanned.
func TestHostSourcesReportsBrokenConfiguration(t *testing.T) {
	f := newFixtures(t)
	root := t.TempDir()
	server := pkitest.WriteFile(t, root, "etc/pki/libvirt/servercert.pem", f.ca.CertPEM(), 0o644)
	libvirtd := pkitest.WriteFile(t, root, "etc/libvirt/libvirtd.conf", []byte("ca_file = \"/srv/ca.pem\"\ncert_file = [\n"), 0o644)
	qemu := pkitest.WriteFile(t, root, "etc/libvirt/qemu.conf", []byte("vnc_tls = 1\nvnc_tls_x509_cert_dir = \"/etc/pki/vnc\"\n"), 0o644)

	targets, problems := HostSources(Host{Root: root})
	if len(targets) != 1 || targets[0] != (Target{File, server}) {
		t.Errorf("targets %+v; want only %s", targets, server)
	}
	want := map[string]string{
		libvirtd: "line 3: ",
		qemu:     "vnc_tls_x509_cert_dir directory '" + filepath.Join(root, "etc/pki/vnc") + "' does not exist",
	}
	if len(problems) != len(want) {
		t.Fatalf("problems %+v; want one for each of %v", problems, want)
	}
	for _, r := range problems {
		if r.Status != Error || r.Kind != Source || !strings.Contains(r.Reason, want[r.Path]) {
			t.Errorf("problem %+v; want an error for %s mentioning %q", r, r.Path, want[r.Path])
		}
	}

	recs, sum, err := CollectWith(context.Background(), problems, targets, Options{Policy: policy()})
	if err != nil {
		t.Fatal(err)
	}
	if sum != (Summary{OK: 1, Error: 2}) || len(recs) != 3 || recs[0].Status != Error || recs[2].Path != server {
		t.Errorf("collected %+v, %+v", sum, recs)
	}
	var streamed []Record
	if err := ScanWith(context.Background(), problems, targets, Options{Policy: policy()}, func(r Record) { streamed = append(streamed, r) }); err != nil {
		t.Fatal(err)
	}
	if len(streamed) != 3 || streamed[0].Path != problems[0].Path || streamed[2].Path != server {
		t.Errorf("streamed %+v; want the problems first", streamed)
	}
}

// TestHostSourcesMissingConfigurationIsFine: a host without libvirtd.conf,
// virtproxyd.conf or qemu.conf has no problems (defaults apply).
func TestHostSourcesMissingConfigurationIsFine(t *testing.T) {
	f := newFixtures(t)
	root := t.TempDir()
	pkitest.WriteFile(t, root, "etc/pki/CA/cacert.pem", f.ca.CertPEM(), 0o644)
	targets, problems := HostSources(Host{Root: root})
	if len(targets) != 1 || len(problems) != 0 {
		t.Errorf("targets %+v, problems %+v; want one target and no problem", targets, problems)
	}
}
