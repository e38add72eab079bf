// Command fleet serves N libvirt-like TLS endpoints on loopback for
// scripts/bench-probe: each requests a client certificate, checks it
// against the CA and answers libvirt's confirmation byte. With -pki DIR it
// first creates a CA, a server certificate for localhost/127.0.0.1 and a
// client pair (ECDSA P-256, with the key usages libvirt 9.0 demands) and
// writes cacert.pem, clientcert.pem and clientkey.pem to DIR as a libvirt
// pkipath. It prints one host:port per line once all listen and runs until
// its stdin closes.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/virt-pki/virt-pki/tlsprobe/internal/fakelibvirtd"
)

func main() {
	n := flag.Int("n", 100, "number of endpoints")
	caFile := flag.String("ca", "", "CA certificate (PEM) trusted for clients")
	certFile := flag.String("cert", "", "server certificate (PEM)")
	keyFile := flag.String("key", "", "server key (PEM)")
	pkiDir := flag.String("pki", "", "create the PKI and write a libvirt pkipath to this directory")
	flag.Parse()
	if *pkiDir != "" {
		var err error
		if *caFile, *certFile, *keyFile, err = makePKI(*pkiDir); err != nil {
			fmt.Fprintln(os.Stderr, "fleet:", err)
			os.Exit(1)
		}
	}
	if err := run(*n, *caFile, *certFile, *keyFile); err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

func run(n int, caFile, certFile, keyFile string) error {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return err
	}
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return fmt.Errorf("%s: no PEM certificate", caFile)
	}
	var servers []*fakelibvirtd.Server
	defer func() {
		for _, s := range servers {
			s.Close()
		}
	}()
	for range n {
		s, err := fakelibvirtd.Start(fakelibvirtd.Options{Certificate: pair, ClientCAs: pool})
		if err != nil {
			return err
		}
		servers = append(servers, s)
		fmt.Println(s.Addr())
	}
	io.Copy(io.Discard, os.Stdin) // serve until stdin closes
	return nil
}
