package tlsprobe

import (
	"context"
	"crypto/tls"
	"strings"
	"sync"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// Options configure a Prober.
type Options struct {
	Credentials CredentialsSource
	// Timeout bounds each target as a whole (5 s when zero).
	Timeout time.Duration
	// Concurrency is how many targets ProbeAll works on at once (32 when
	// zero).
	Concurrency int
	// ForceClientCert sends our certificate even when its issuer is not in
	// the server's acceptable CA list (Go and GnuTLS withhold it).
	ForceClientCert bool
	// AllowedDN is the server's tls_allowed_dn_list when known
	// (AllowedDNSet), from --allowed-dn or --libvirtd-conf; AllowedDNFrom
	// names the source for messages.
	AllowedDN     []string
	AllowedDNSet  bool
	AllowedDNFrom string
	// Conf is the server's libvirtd.conf when given.
	Conf *layout.LibvirtdConf
	// Rules selects libvirt-version-specific certificate rules.
	Rules libvirtcert.Options
	// Now returns the current time (time.Now when nil).
	Now func() time.Time
	// Progress, when set, is called with 1 as ProbeAll finishes each
	// target, from any goroutine.
	Progress func(n int)
}

// MaxConcurrency is the largest Concurrency a command line should accept:
// each probe holds two connections, and more only exhausts descriptors.
const MaxConcurrency = 1024

// Prober probes libvirt TLS endpoints. It is safe for concurrent use and
// loads each set of credential files once.
type Prober struct {
	opts  Options
	mu    sync.Mutex
	creds map[string]*credEntry
}

type credEntry struct {
	once sync.Once
	c    *credentials
}

// New returns a Prober for opts.
func New(opts Options) *Prober {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 32
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Conf != nil && !opts.AllowedDNSet && opts.Conf.TLSAllowedDNListSet {
		opts.AllowedDN, opts.AllowedDNSet = opts.Conf.TLSAllowedDNList, true
		opts.AllowedDNFrom = "tls_allowed_dn_list in " + opts.Conf.Path
	}
	return &Prober{opts: opts, creds: map[string]*credEntry{}}
}

// ProbeAll probes targets with bounded concurrency and returns the results
// in input order.
func (p *Prober) ProbeAll(ctx context.Context, targets []Target) []*Result {
	out := make([]*Result, len(targets))
	next := make(chan int)
	var wg sync.WaitGroup
	workers := min(p.opts.Concurrency, len(targets))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = p.Probe(ctx, targets[i])
				if p.opts.Progress != nil {
					p.opts.Progress(1)
				}
			}
		}()
	}
	for i := range targets {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// Probe examines one target within the Prober's timeout.
func (p *Prober) Probe(ctx context.Context, t Target) *Result {
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	r := &Result{Target: t.Raw, Address: t.Address(), Host: t.Host, Transport: t.Transport,
		Handshakes: []HandshakeReport{}, TLSVersions: []string{}, ServerChain: []CertInfo{}, AcceptableCAs: []string{}}
	d := &diagnosis{p: p, t: t, r: r, now: p.opts.Now()}
	if t.Transport == TransportTCP {
		d.plainTransport(ctx)
		return r
	}
	d.creds = p.credentials(t, d.now)
	r.Credentials = d.creds.report
	r.ClientDN = d.creds.dn
	d.add(d.creds.findings...)
	if t.NoVerify {
		d.add(finding.Finding{ID: "no-verify", Status: finding.Warn,
			Message: "no_verify=1 in the URI: the libvirt client connects even when the server certificate fails its checks",
			Fix:     "remove no_verify=1 and fix the server certificate instead"})
	}
	d.conf()

	var atts [2]*attempt
	var wg sync.WaitGroup
	for i, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			atts[i] = runAttempt(ctx, r.Address, attemptConfig{version: v, cert: d.creds.cert, force: p.opts.ForceClientCert})
		}()
	}
	wg.Wait()
	d.handshakes(ctx, atts[:])
	return r
}

// credentials loads (once per set of files) what the libvirt client would
// use for t.
func (p *Prober) credentials(t Target, now time.Time) *credentials {
	rep := p.opts.Credentials.locate(t)
	key := strings.Join([]string{rep.CACert, rep.ClientCert, rep.ClientKey, strings.Join(rep.Why, "\n"), boolKey(t.NoSanity)}, "\x00")
	p.mu.Lock()
	e, ok := p.creds[key]
	if !ok {
		e = &credEntry{}
		p.creds[key] = e
	}
	p.mu.Unlock()
	e.once.Do(func() { e.c = loadCredentials(rep, t.NoSanity, now, p.opts.Rules) })
	return e.c
}

func boolKey(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
