package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// makePKI writes dir/cacert.pem, dir/clientcert.pem, dir/clientkey.pem
// and the server pair (dir/server/...) and returns the CA, server
// certificate and server key paths.
func makePKI(dir string) (caFile, certFile, keyFile string, err error) {
	if err := os.MkdirAll(filepath.Join(dir, "server"), 0o700); err != nil {
		return "", "", "", err
	}
	now := time.Now()
	caKey, ca, err := issue(&x509.Certificate{Subject: pkix.Name{CommonName: "Bench CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}, nil, nil, now)
	if err != nil {
		return "", "", "", err
	}
	leafKU := x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	srvKey, srv, err := issue(&x509.Certificate{Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, BasicConstraintsValid: true, KeyUsage: leafKU,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, ca, caKey, now)
	if err != nil {
		return "", "", "", err
	}
	cliKey, cli, err := issue(&x509.Certificate{Subject: pkix.Name{Country: []string{"GB"}, Organization: []string{"Bench"}, CommonName: "client1"},
		BasicConstraintsValid: true, KeyUsage: leafKU, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, ca, caKey, now)
	if err != nil {
		return "", "", "", err
	}
	caFile = filepath.Join(dir, "cacert.pem")
	certFile = filepath.Join(dir, "server", "servercert.pem")
	keyFile = filepath.Join(dir, "server", "serverkey.pem")
	for _, f := range []struct {
		path string
		der  []byte
		typ  string
	}{
		{caFile, ca.Raw, "CERTIFICATE"},
		{certFile, srv.Raw, "CERTIFICATE"},
		{keyFile, pkcs8(srvKey), "PRIVATE KEY"},
		{filepath.Join(dir, "clientcert.pem"), cli.Raw, "CERTIFICATE"},
		{filepath.Join(dir, "clientkey.pem"), pkcs8(cliKey), "PRIVATE KEY"},
	} {
		if err := os.WriteFile(f.path, pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der}), 0o600); err != nil {
			return "", "", "", err
		}
	}
	return caFile, certFile, keyFile, nil
}

func issue(tmpl, parent *x509.Certificate, parentKey crypto.Signer, now time.Time) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, nil, err
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.Add(24*time.Hour)
	signer := crypto.Signer(key)
	if parent == nil {
		parent = tmpl
	} else {
		signer = parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		return nil, nil, err
	}
	c, err := x509.ParseCertificate(der)
	return key, c, err
}

func pkcs8(k *ecdsa.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err) // cannot fail for an ECDSA P-256 key
	}
	return der
}
