package layout

import "testing"

func TestClientCredentials(t *testing.T) {
	const home = "/home/u"
	const ud = "/home/u/.pki/libvirt/"
	sys := struct{ ca, crl, cert, key string }{
		"/r/etc/pki/CA/cacert.pem", "/r/etc/pki/CA/cacrl.pem",
		"/r/etc/pki/libvirt/clientcert.pem", "/r/etc/pki/libvirt/private/clientkey.pem",
	}
	all := []string{ud + "cacert.pem", ud + "cacrl.pem", ud + "clientcert.pem", ud + "clientkey.pem",
		sys.ca, sys.crl, sys.cert, sys.key}
	cases := []struct {
		name             string
		pkipath          string
		euid             int
		exists           []string
		ca, crl          string
		cert, key        string
		crlPresent, noCe bool
	}{
		{"pkipath, no fallback even when files are missing", "/p", 1000, []string{sys.ca, sys.cert, sys.key},
			"/p/cacert.pem", "/p/cacrl.pem", "/p/clientcert.pem", "/p/clientkey.pem", false, true},
		{"pkipath as root", "/p/", 0, []string{"/p/cacert.pem", "/p/clientcert.pem", "/p/clientkey.pem"},
			"/p/cacert.pem", "/p/cacrl.pem", "/p/clientcert.pem", "/p/clientkey.pem", false, false},
		{"non-root, everything in the user dir", "", 1000, all,
			ud + "cacert.pem", ud + "cacrl.pem", ud + "clientcert.pem", ud + "clientkey.pem", true, false},
		{"non-root, user CA, no user pair: pair falls back", "", 1000, []string{ud + "cacert.pem", sys.cert, sys.key},
			ud + "cacert.pem", sys.crl, sys.cert, sys.key, false, false},
		{"non-root, user cert without key: both fall back", "", 1000, []string{ud + "clientcert.pem", sys.ca, sys.cert, sys.key},
			sys.ca, sys.crl, sys.cert, sys.key, false, false},
		{"non-root, user key without cert: both fall back", "", 1000, []string{ud + "clientkey.pem", sys.ca, sys.crl},
			sys.ca, sys.crl, sys.cert, sys.key, true, true},
		{"non-root, user pair, system CA", "", 1000, []string{ud + "clientcert.pem", ud + "clientkey.pem", sys.ca},
			sys.ca, sys.crl, ud + "clientcert.pem", ud + "clientkey.pem", false, false},
		{"root ignores the user dir", "", 0, all,
			sys.ca, sys.crl, sys.cert, sys.key, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ClientCredentials("/r", tc.pkipath, home, tc.euid, existsIn(tc.exists...))
			if c.CACert != tc.ca || c.CRL != tc.crl || c.ClientCert != tc.cert || c.ClientKey != tc.key {
				t.Errorf("got ca=%s crl=%s cert=%s key=%s\nwant ca=%s crl=%s cert=%s key=%s",
					c.CACert, c.CRL, c.ClientCert, c.ClientKey, tc.ca, tc.crl, tc.cert, tc.key)
			}
			if c.CRLPresent != tc.crlPresent || c.NoCertificate != tc.noCe {
				t.Errorf("crlPresent=%v noCertificate=%v, want %v %v", c.CRLPresent, c.NoCertificate, tc.crlPresent, tc.noCe)
			}
			if len(c.Why) == 0 {
				t.Error("no explanation")
			}
		})
	}
}
