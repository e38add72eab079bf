package virtpkicli

import (
	"crypto"
	"fmt"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/virt-pki/virt-pki/ca"
	"github.com/virt-pki/virt-pki/issue"
	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/libvirtcert"
	"github.com/virt-pki/virt-pki/templates"
)

func init() {
	commands = append(commands, &cli.Command{
		Name:  "ca",
		Usage: "create a certificate authority",
		Subcommands: []*cli.Command{{
			Name:  "init",
			Usage: "create cakey.pem (0600) and cacert.pem in --out",
			Description: "Creates a CA from --template ca.info (certtool syntax) or from flags. Without flags\n" +
				"the CA key is ECDSA P-256 and the certificate is valid for 3650 days with\n" +
				"keyCertSign and cRLSign. Nothing is overwritten without --force, and a failure\n" +
				"leaves no file behind.",
			Flags: append([]cli.Flag{
				&cli.StringFlag{Name: "template", Usage: "certtool template `FILE` for the CA (it must contain the line \"ca\")"},
				&cli.StringFlag{Name: "cn", Usage: "common name of the CA (default: \"virt-pki CA on HOSTNAME\")"},
				&cli.IntFlag{Name: "days", Usage: "validity in days (overrides expiration_days); also for a --template without expiration_days or expiration_date, unlike certtool's 365", DefaultText: "3650"},
				&cli.StringFlag{Name: "load-privkey", Usage: "use this existing key instead of generating one"},
				&cli.StringFlag{Name: "out", Value: ".", Usage: "directory for cakey.pem and cacert.pem"},
			}, append(outputFlags(), keyFlags("CA", "ecdsa (P-256)")...)...),
			Action: runCAInit,
		}},
	})
}

func runCAInit(c *cli.Context) error {
	if err := checkIssueArgs(c, "ca init"); err != nil {
		return err
	}
	params, err := keyParams(c, ca.DefaultKey)
	if err != nil {
		return err
	}
	var t *templates.Template
	if path := c.String("template"); path != "" {
		if c.IsSet("cn") {
			return usagef("give either --template or --cn, not both")
		}
		if t, err = templates.ParseFile(path); err != nil {
			return err
		}
		if c.IsSet("days") {
			t.ExpirationDays = c.Int("days")
		} else if ca.ApplyDefaultDays(t) {
			fmt.Fprintf(c.App.ErrWriter, "note: %s sets no expiration_days; the CA is valid for %d days (certtool would use 365)\n", path, ca.DefaultDays)
		}
	} else {
		cn := c.String("cn")
		if cn == "" {
			cn = ca.DefaultCN(issue.ThisHost())
		}
		t = ca.DefaultTemplate(cn, c.Int("days"))
	}
	for _, w := range t.Warnings {
		fmt.Fprintln(c.App.ErrWriter, w.String())
	}
	var key crypto.Signer
	if p := c.String("load-privkey"); p != "" {
		if key, err = keys.ReadPrivateKeyFile(p); err != nil {
			return err
		}
	}
	out := c.String("out")
	if err := removeStaleTemps(c.App.ErrWriter, out, ca.CertFile, ca.KeyFile); err != nil {
		return err
	}
	created, err := ca.Create(t, key, params, time.Now())
	if err != nil {
		return err
	}
	certPath, keyPath := filepath.Join(out, ca.CertFile), filepath.Join(out, ca.KeyFile)
	files := created.Files(out)
	if err := writeOutputSet(c.App.ErrWriter, []string{out}, files, c.Bool("force")); err != nil {
		return err
	}
	subject, _ := libvirtcert.SubjectDN(created.Cert)
	kp := keys.Describe(created.Key.Public())
	if jsonRequested(c) {
		res := map[string]any{
			"subject":   subject,
			"key":       kp.String(),
			"not_after": created.Cert.NotAfter.UTC().Format(time.RFC3339),
			"serial":    fmt.Sprintf("%x", created.Cert.SerialNumber),
		}
		res["files"] = jsonFiles(files)
		return writeJSON(c.App.Writer, res)
	}
	w := c.App.Writer
	if created.KeyPEM != nil {
		fmt.Fprintf(w, "wrote %s (%s private key, mode 0600)\n", keyPath, kp)
	}
	fmt.Fprintf(w, "wrote %s (CA %s, valid until %s)\n", certPath, subject, created.Cert.NotAfter.UTC().Format(time.DateOnly))
	fmt.Fprintf(w, "next: virt-pki issue server --ca-dir %s --cn HOST.EXAMPLE.ORG\n", out)
	return nil
}
