package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// caValidity is how long a new CA is valid: ten years, so a user installs it
// once per machine. Leaf certificates never outlive it.
const caValidity = 10 * 365 * 24 * time.Hour

// clockSkew backdates NotBefore of every certificate, so a phone whose clock
// runs a little behind still accepts a certificate issued a moment ago.
const clockSkew = time.Hour

// caOrganization is the Subject organisation of the CA and its certificates.
const caOrganization = "Signalbox"

// authority is the local CA: its certificate and the key it signs with.
type authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// newAuthority creates a CA named "Signalbox Local CA (<hostname>)", valid
// from now for caValidity, that may sign only leaf certificates for the names
// in permittedDomains and permittedPrefixes.
func newAuthority(now time.Time, hostname string) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		// SerialNumber nil: CreateCertificate draws a random RFC 5280 serial.
		Subject: pkix.Name{
			CommonName:   fmt.Sprintf("Signalbox Local CA (%s)", hostname),
			Organization: []string{caOrganization},
		},
		NotBefore:                   now.Add(-clockSkew),
		NotAfter:                    now.Add(caValidity),
		KeyUsage:                    x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid:       true,
		IsCA:                        true,
		MaxPathLenZero:              true, // it signs leaves, never another CA
		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         permittedDomains(),
		PermittedIPRanges:           permittedIPNets(),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &authority{cert: cert, key: key}, nil
}

// loadAuthority reads the CA from dir. It returns an error wrapping
// fs.ErrNotExist when there is no ca.pem, and one wrapping ErrInvalidCA when
// ca.pem exists but the CA cannot be used. An expired CA loads fine; the
// caller decides what to do with it.
func loadAuthority(dir string) (*authority, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, caCertFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalidCA, err)
	}
	cert, err := decodeCert(certPEM)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidCA, caCertFile, err)
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidCA, caCertFile, errNotCA)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, caKeyFile))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCA, err)
	}
	key, err := decodeKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidCA, caKeyFile, err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidCA, caKeyFile, errKeyMismatch)
	}
	return &authority{cert: cert, key: key}, nil
}

// save writes the key, then the certificate, so a crash in between leaves a
// stray key but never a certificate without its key.
func (a *authority) save(dir string) error {
	keyPEM, err := encodeKey(a.key)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, caKeyFile), keyPEM); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, caCertFile), encodeCert(a.cert.Raw))
}

// pool returns a certificate pool holding only the CA.
func (a *authority) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(a.cert)
	return p
}
