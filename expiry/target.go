package expiry

import (
	"net"
	"os"
	"strconv"
	"strings"
)

// TargetKind says how a target is read.
type TargetKind int

// The kinds of targets.
const (
	// File is one file, read whatever its name; anything in it that is not
	// a certificate or CRL is an Error record.
	File TargetKind = iota
	// Dir is walked recursively; only files named like certificates
	// (CertExtensions) are read, and PEM files with only keys are skipped.
	Dir
	// Glob is a shell pattern; each match is a File (or a Dir).
	Glob
	// Endpoint is a live TLS server: a libvirt URI or host:port.
	Endpoint
	// Missing is an argument that names nothing; it gives an Error record.
	Missing
)

// Target is one thing to scan.
type Target struct {
	Kind  TargetKind
	Value string
}

// CertExtensions are the file name endings a directory walk reads.
var CertExtensions = []string{".pem", ".crt", ".cer", ".cert", ".der", ".crl"}

// Classify turns a command-line argument into a target: an existing path is
// a File or Dir; "scheme://..." is an Endpoint (a libvirt URI such as
// qemu+tls://host/system); a pattern with *, ? or [ is a Glob; host:port
// that names no file is an Endpoint; anything else is Missing.
func Classify(arg string) Target {
	if fi, err := os.Stat(arg); err == nil {
		if fi.IsDir() {
			return Target{Dir, arg}
		}
		return Target{File, arg}
	} else if !os.IsNotExist(err) {
		return Target{File, arg} // exists but cannot be examined: reading it reports why
	}
	if strings.Contains(arg, "://") {
		return Target{Endpoint, arg}
	}
	if strings.ContainsAny(arg, "*?[") {
		return Target{Glob, arg}
	}
	if host, port, err := net.SplitHostPort(arg); err == nil && host != "" {
		if n, err := strconv.Atoi(port); err == nil && n > 0 && n < 65536 {
			return Target{Endpoint, arg}
		}
	}
	return Target{Missing, arg}
}

func hasCertExtension(name string) bool {
	lower := strings.ToLower(name)
	for _, ext := range CertExtensions {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}
