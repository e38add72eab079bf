package tlsprobe

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Default ports of libvirtd's remote listeners.
const (
	DefaultTLSPort = 16514
	DefaultTCPPort = 16509
)

// Transport is how a target is reached.
type Transport string

// The transports the prober understands.
const (
	TransportTLS Transport = "tls" // libvirt's default remote transport
	TransportTCP Transport = "tcp" // unencrypted libvirt RPC
)

// Target is one endpoint to probe, parsed from a libvirt URI or host[:port].
type Target struct {
	// Raw is the text the user gave.
	Raw string
	// Driver is the URI's driver ("qemu", "test", ...); empty for host[:port].
	Driver    string
	Transport Transport
	// Host is the name the libvirt client judges the server certificate
	// against (the URI host, brackets removed for IPv6).
	Host string
	Port int
	// PKIPath is the URI's pkipath parameter (HasPKIPath tells it was given).
	PKIPath    string
	HasPKIPath bool
	// NoVerify and NoSanity are the URI parameters no_verify=1 and no_sanity=1.
	NoVerify, NoSanity bool
	// Connect, when set, is the host:port actually dialled (like curl's
	// --connect-to); Host is still the name judged.
	Connect string
}

// Address is the host:port the prober dials.
func (t Target) Address() string {
	if t.Connect != "" {
		return t.Connect
	}
	return net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
}

// ParseTarget parses a libvirt URI (driver+tls://[user@]host[:port]/path?params,
// driver+tcp://..., or driver://host/... which libvirt reaches over TLS) or
// a plain host[:port] (port 16514 by default). Transports that are not TCP
// based (unix, ssh, libssh, ext) and URIs without a host are errors.
func ParseTarget(s string) (Target, error) {
	raw := strings.TrimSpace(s)
	t := Target{Raw: raw, Transport: TransportTLS}
	if raw == "" {
		return t, fmt.Errorf("empty target")
	}
	if !strings.Contains(raw, "://") {
		host, port, err := splitHostPort(raw, DefaultTLSPort)
		if err != nil {
			return t, fmt.Errorf("target %q: %v", raw, err)
		}
		t.Host, t.Port = host, port
		return t, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return t, fmt.Errorf("target %q: not a libvirt URI: %v", raw, err)
	}
	driver, transport, _ := strings.Cut(u.Scheme, "+")
	t.Driver = driver
	switch transport {
	case "", "tls":
		t.Transport = TransportTLS
	case "tcp":
		t.Transport = TransportTCP
	default:
		return t, fmt.Errorf("target %q: transport %q does not use TCP; only +tls (and +tcp) endpoints are reached over the network", raw, transport)
	}
	if u.Hostname() == "" {
		return t, fmt.Errorf("target %q: no host name, so libvirt connects to the local socket, not over TLS; write %s+tls://HOST/...", raw, driver)
	}
	t.Host = u.Hostname()
	t.Port = DefaultTLSPort
	if t.Transport == TransportTCP {
		t.Port = DefaultTCPPort
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return t, fmt.Errorf("target %q: invalid port %q", raw, p)
		}
		t.Port = n
	}
	q := u.Query()
	if v, ok := q["pkipath"]; ok {
		t.PKIPath, t.HasPKIPath = v[0], true
		if t.PKIPath == "" {
			return t, fmt.Errorf("target %q: empty pkipath", raw)
		}
	}
	t.NoVerify = boolParam(q.Get("no_verify"))
	t.NoSanity = boolParam(q.Get("no_sanity"))
	return t, nil
}

// boolParam reads a libvirt URI flag: libvirt parses it as an integer and
// treats any non-zero value as set.
func boolParam(v string) bool {
	n, err := strconv.Atoi(v)
	return err == nil && n != 0
}

// splitHostPort splits host[:port], [v6]:port or a bare IPv6 address.
func splitHostPort(s string, defPort int) (string, int, error) {
	if ip := net.ParseIP(s); ip != nil {
		return s, defPort, nil
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if net.ParseIP(s[1:len(s)-1]) == nil {
			return "", 0, fmt.Errorf("%s is not an IPv6 address", s)
		}
		return s[1 : len(s)-1], defPort, nil
	}
	if !strings.Contains(s, ":") {
		if strings.ContainsAny(s, "/ ") {
			return "", 0, fmt.Errorf("not a host name")
		}
		return s, defPort, nil
	}
	host, p, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, err
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return "", 0, fmt.Errorf("invalid port %q", p)
	}
	if host == "" {
		return "", 0, fmt.Errorf("no host name")
	}
	return host, n, nil
}

// ParseConnect checks a --connect ADDR:PORT value.
func ParseConnect(s string) (string, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return "", fmt.Errorf("--connect %q: want ADDR:PORT", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("--connect %q: invalid port", s)
	}
	return net.JoinHostPort(host, port), nil
}
