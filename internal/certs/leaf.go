package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"os"
	"path/filepath"
	"time"
)

// issueLeaf creates a server certificate for sans, signed by ca, valid from
// now until notAfter, with a fresh key. It returns the certificate ready for
// tls.Config and its PEM encodings.
func issueLeaf(ca *authority, sans sanSet, now, notAfter time.Time) (cert *tls.Certificate, certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	commonName := "localhost"
	if len(sans.hosts) > 0 {
		commonName = sans.hosts[0]
	}
	tmpl := &x509.Certificate{
		// SerialNumber nil: CreateCertificate draws a random RFC 5280 serial.
		Subject: pkix.Name{
			CommonName:   commonName, // ignored by clients; SANs decide
			Organization: []string{caOrganization},
		},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              sans.hosts,
		IPAddresses:           sans.netIPs(),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, nil, nil, err
	}
	certPEM = encodeCert(der)
	keyPEM, err = encodeKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, nil, nil, err
	}
	return &pair, certPEM, keyPEM, nil
}

// saveLeaf writes the server key, then its certificate. A crash in between
// leaves a pair that does not match, which loadLeaf refuses, so the next
// Open issues a new one.
func saveLeaf(dir string, certPEM, keyPEM []byte) error {
	if err := writeFileAtomic(filepath.Join(dir, serverKeyFile), keyPEM); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, serverCertFile), certPEM)
}

// loadLeaf reads the server certificate from dir and checks that its key
// matches and that ca signed it and vouches for it at now. Any error means
// "issue a new one": the server certificate is disposable.
func loadLeaf(dir string, ca *authority, now time.Time) (*tls.Certificate, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, serverCertFile))
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, serverKeyFile))
	if err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	_, err = pair.Leaf.Verify(x509.VerifyOptions{
		Roots:       ca.pool(),
		CurrentTime: now,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return nil, err
	}
	return &pair, nil
}
