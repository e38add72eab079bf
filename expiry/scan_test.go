package expiry

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

var at = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// fixtures issues a CA and leaves with fixed validity around at.
type fixtures struct {
	ca, soon, warn, expired, future *pkitest.Cert
}

func newFixtures(t testing.TB) fixtures {
	ca := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "Test CA"}, IsCA: pkitest.Bool(true),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, NotBefore: day(2020, 1, 1), NotAfter: day(2120, 1, 1), Serial: big.NewInt(1)}, nil)
	leaf := func(cn string, nb, na time.Time, serial int64) *pkitest.Cert {
		return pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: cn, Organization: []string{"Example"}}, NotBefore: nb, NotAfter: na, Serial: big.NewInt(serial)}, ca)
	}
	return fixtures{
		ca:      ca,
		soon:    leaf("soon", day(2020, 1, 1), day(2030, 1, 5), 2),
		warn:    leaf("warn", day(2020, 1, 1), day(2030, 1, 20), 3),
		expired: leaf("expired", day(2010, 1, 1), day(2020, 1, 1), 4),
		future:  leaf("future", day(2031, 1, 1), day(2040, 1, 1), 5),
	}
}

func policy() Policy { return DefaultPolicy(at) }

func TestParseFileJudgesEveryCertificate(t *testing.T) {
	f := newFixtures(t)
	data := append(append(append(append(f.ca.CertPEM(), f.soon.CertPEM()...), f.warn.CertPEM()...), f.expired.CertPEM()...), f.future.CertPEM()...)
	recs := ParseFile("bundle.pem", data, policy(), false)
	want := []struct {
		status Status
		reason string
	}{
		{OK, ""},
		{Fail, "certificate expires 2030-01-05 00:00 UTC (in 4 days), within --fail 7d"},
		{Warn, "certificate expires 2030-01-20 00:00 UTC (in 19 days), within --warn 30d"},
		{Fail, "certificate expired 2020-01-01 00:00 UTC (3653 days ago)"},
		{Fail, "certificate is not valid yet: valid from 2031-01-01 00:00 UTC (in 365 days)"},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d", len(recs), len(want))
	}
	for i, w := range want {
		r := recs[i]
		if r.Status != w.status || r.Reason != w.reason || r.Index != i || r.Count != 5 || r.Path != "bundle.pem" {
			t.Errorf("record %d = %+v; want %s %q", i, r, w.status, w.reason)
		}
	}
	if recs[1].Serial != "02" || recs[1].Issuer() == "" || !strings.Contains(recs[1].Subject(), "CN=soon") {
		t.Errorf("names/serial: %q %q %q", recs[1].Serial, recs[1].Subject(), recs[1].Issuer())
	}
	if got := policy().Problem(recs[3]); got != "expired" {
		t.Errorf("Problem(expired) = %q", got)
	}
	if got := policy().Problem(recs[4]); got != "not-yet-valid" {
		t.Errorf("Problem(future) = %q", got)
	}
}

func TestParseFileFormats(t *testing.T) {
	f := newFixtures(t)
	crlDER, err := x509.CreateRevocationList(randReader{}, &x509.RevocationList{Number: big.NewInt(9),
		ThisUpdate: day(2029, 12, 1), NextUpdate: day(2029, 12, 31)}, f.ca.Cert, f.ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	trusted := pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: append(append([]byte{}, f.ca.DER...), 0x30, 0x00)})
	key := f.ca.KeyPEM(t)
	for _, tc := range []struct {
		name    string
		data    []byte
		lenient bool
		want    []Status
		reason  string
	}{
		{"der", f.soon.DER, false, []Status{Fail}, ""},
		{"der-concatenated", append(append([]byte{}, f.ca.DER...), f.warn.DER...), false, []Status{OK, Warn}, ""},
		{"crl-pem", pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crlDER}), false, []Status{Fail}, "CRL is stale: next update was due 2029-12-31 00:00 UTC (24 hours ago)"},
		{"crl-der", crlDER, false, []Status{Fail}, "CRL is stale"},
		{"trusted-certificate", trusted, false, []Status{OK}, ""},
		{"key-only-explicit", key, false, []Status{Error}, "no certificate or CRL in the file (found only PRIVATE KEY)"},
		{"key-only-walk", key, true, nil, ""},
		{"key-and-cert", append(key, f.ca.CertPEM()...), false, []Status{OK}, ""},
		{"garbage", []byte("hello\n"), true, []Status{Error}, "not a certificate or CRL: neither PEM nor DER"},
		{"empty", nil, false, []Status{Error}, "empty file"},
		{"broken-block-kept-going", append([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), f.ca.CertPEM()...), false, []Status{Error, OK}, "PEM block 1 (CERTIFICATE) is not a valid certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := ParseFile("f", tc.data, policy(), tc.lenient)
			var got []Status
			for _, r := range recs {
				got = append(got, r.Status)
			}
			if strings.Join(statusStrings(got), ",") != strings.Join(statusStrings(tc.want), ",") {
				t.Fatalf("statuses = %v; want %v (%+v)", got, tc.want, recs)
			}
			if tc.reason != "" && !strings.Contains(recs[0].Reason, tc.reason) {
				t.Errorf("reason = %q; want %q", recs[0].Reason, tc.reason)
			}
		})
	}
}

func statusStrings(s []Status) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return out
}

type randReader struct{}

func (randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i*7 + 3)
	}
	return len(p), nil
}

func TestScanWalksGlobsProbesAndReportsProblems(t *testing.T) {
	f := newFixtures(t)
	dir := t.TempDir()
	pkitest.WriteFile(t, dir, "ca.pem", f.ca.CertPEM(), 0o644)
	pkitest.WriteFile(t, dir, "sub/deeper/server.crt", f.soon.CertPEM(), 0o644)
	pkitest.WriteFile(t, dir, "sub/private/key.pem", f.ca.KeyPEM(t), 0o600)
	pkitest.WriteFile(t, dir, "sub/notes.txt", []byte("ignored"), 0o644)
	pkitest.WriteFile(t, dir, "sub/junk.der", []byte("junk"), 0o644)
	if err := os.Symlink(filepath.Join(dir, "ca.pem"), filepath.Join(dir, "sub", "link.pem")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(dir, "sub", "loop")); err != nil { // not followed
		t.Fatal(err)
	}
	other := t.TempDir()
	pkitest.WriteFile(t, other, "a-warn.pem", f.warn.CertPEM(), 0o644)
	pkitest.WriteFile(t, other, "b-expired.pem", f.expired.CertPEM(), 0o644)
	unreadable := pkitest.WriteFile(t, other, "c-unreadable.txt", f.ca.CertPEM(), 0o000)

	var probed []string
	var mu sync.Mutex // ServerChain runs on several workers at once
	opts := Options{Policy: policy(), Workers: 3, ServerChain: func(ctx context.Context, target string, _ time.Duration) ([]*x509.Certificate, error) {
		mu.Lock()
		probed = append(probed, target)
		mu.Unlock()
		if target == "down.example:16514" {
			return nil, errors.New("connection refused")
		}
		return []*x509.Certificate{f.soon.Cert, f.ca.Cert}, nil
	}}
	targets := []Target{
		Classify(dir),
		Classify(filepath.Join(other, "*.pem")),
		Classify(filepath.Join(other, "*.pem")), // same files again: read once
		Classify(filepath.Join(other, "nothing-*.pem")),
		Classify("qemu+tls://host.example/system"),
		Classify("down.example:16514"),
		Classify(filepath.Join(other, "missing.pem")),
	}
	if os.Geteuid() != 0 {
		targets = append(targets, Classify(unreadable))
	}
	recs, sum, err := Collect(context.Background(), targets, opts)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range recs {
		rel := strings.TrimPrefix(strings.TrimPrefix(r.Label(), dir), other)
		lines = append(lines, string(r.Status)+" "+rel+" "+r.Reason)
	}
	want := []string{
		"error " + filepath.Join(other, "missing.pem") + " no such file or directory (a live server is written host:port or as a libvirt URI)",
		"error " + filepath.Join(other, "nothing-*.pem") + " no file matches the pattern",
		"error /sub/junk.der not a certificate or CRL: neither PEM nor DER",
		"error down.example:16514 connection refused",
	}
	if os.Geteuid() != 0 {
		want = append(want[:2], append([]string{"error /c-unreadable.txt cannot read: permission denied"}, want[2:]...)...)
	}
	// Unreadable sources first (by path), then by end of validity.
	for i, w := range want {
		w = strings.Replace(w, filepath.Join(other, "missing.pem"), "/missing.pem", 1)
		w = strings.Replace(w, filepath.Join(other, "nothing-*.pem"), "/nothing-*.pem", 1)
		want[i] = w
	}
	want = append(want,
		"fail /b-expired.pem certificate expired 2020-01-01 00:00 UTC (3653 days ago)",
		"fail /sub/deeper/server.crt certificate expires 2030-01-05 00:00 UTC (in 4 days), within --fail 7d",
		"fail qemu+tls://host.example/system#1 certificate expires 2030-01-05 00:00 UTC (in 4 days), within --fail 7d",
		"warn /a-warn.pem certificate expires 2030-01-20 00:00 UTC (in 19 days), within --warn 30d",
		"ok /ca.pem ",
		"ok /sub/link.pem ",
		"ok qemu+tls://host.example/system#2 ",
	)
	// Errors come first; their order follows full paths, which differ
	// between the temporary directories, so compare them as a set.
	sortErrorsByPath(want)
	sortErrorsByPath(lines)
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if sum.Total() != len(recs) || sum.Fail != 3 || sum.Warn != 1 || sum.OK != 3 {
		t.Errorf("summary = %+v", sum)
	}
	if len(probed) != 2 {
		t.Errorf("probed %v", probed)
	}
}

// sortErrorsByPath sorts the leading error lines.
func sortErrorsByPath(lines []string) {
	n := 0
	for n < len(lines) && strings.HasPrefix(lines[n], "error ") {
		n++
	}
	sort.Strings(lines[:n])
}

func TestScanStopsWhenCancelled(t *testing.T) {
	f := newFixtures(t)
	dir := t.TempDir()
	for i := range 200 {
		pkitest.WriteFile(t, dir, filepath.Join("d", strings.Repeat("x", i%7+1)+string(rune('a'+i%26))+itoa(i)+".pem"), f.ca.CertPEM(), 0o644)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := Scan(ctx, []Target{{Dir, dir}}, Options{Policy: policy(), Workers: 2}, func(Record) {
		n++
		if n == 5 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || n >= 200 {
		t.Errorf("Scan after cancel: err %v, %d records", err, n)
	}
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }

// TestWalkReportsDanglingLinks: a directory walk reports a link named like
// a certificate whose target is gone as an Error record, and still ignores
// a dangling link with another name.
func TestWalkReportsDanglingLinks(t *testing.T) {
	f := newFixtures(t)
	dir := t.TempDir()
	pkitest.WriteFile(t, dir, "ca.pem", f.ca.CertPEM(), 0o644)
	if err := os.Symlink(filepath.Join(dir, "renewed-away.pem"), filepath.Join(dir, "servercert.pem")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "notes.txt")); err != nil {
		t.Fatal(err)
	}
	recs, sum, err := Collect(context.Background(), []Target{Classify(dir)}, Options{Policy: policy()})
	if err != nil {
		t.Fatal(err)
	}
	if sum != (Summary{OK: 1, Error: 1}) {
		t.Fatalf("summary %+v: %+v", sum, recs)
	}
	want := "dangling symbolic link: its target " + filepath.Join(dir, "renewed-away.pem") + " does not exist"
	if r := recs[0]; r.Status != Error || r.Path != filepath.Join(dir, "servercert.pem") || r.Reason != want {
		t.Errorf("dangling link: %+v, want reason %q", r, want)
	}
}
