package certs

import (
	"crypto/sha256"
	"fmt"
	"net"
	"path/filepath"
	"strings"
)

// CACertPEM returns the CA certificate in PEM, for users to download and
// install; nil with a user-supplied certificate. It never holds a key.
func (m *Manager) CACertPEM() []byte {
	der := m.CACertDER()
	if der == nil {
		return nil
	}
	return encodeCert(der)
}

// CACertDER returns the CA certificate in DER (what some phones want to
// install, as application/x-x509-ca-cert); nil with a user-supplied
// certificate. It never holds a key.
func (m *Manager) CACertDER() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ca == nil {
		return nil
	}
	return append([]byte(nil), m.ca.cert.Raw...)
}

// CAPath returns the path of ca.pem; "" with a user-supplied certificate.
func (m *Manager) CAPath() string {
	if m.cfg.CertFile != "" {
		return ""
	}
	return filepath.Join(m.cfg.Dir, caCertFile)
}

// Fingerprint returns what a user compares before trusting the server: the
// CA's fingerprint (see CAFingerprint), which stays the same while server
// certificates are renewed and addresses change, and is what browsers and
// operating systems show for an installed root. With a user-supplied
// certificate, which has no CA here, it is ServerFingerprint.
func (m *Manager) Fingerprint() string {
	if fp := m.CAFingerprint(); fp != "" {
		return fp
	}
	return m.ServerFingerprint()
}

// CAFingerprint returns the SHA-256 fingerprint of the CA certificate as
// colon-separated upper-case hex ("AB:01:…", 32 bytes); "" with a
// user-supplied certificate.
func (m *Manager) CAFingerprint() string {
	der := m.CACertDER()
	if der == nil {
		return ""
	}
	return fingerprint(der)
}

// ServerFingerprint returns the SHA-256 fingerprint of the server
// certificate served now, formatted like CAFingerprint. It changes with
// every renewal.
func (m *Manager) ServerFingerprint() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fingerprint(m.leaf.Leaf.Raw)
}

// Names returns the DNS names and IP addresses the served certificate
// covers, so a UI shows only addresses that will verify.
func (m *Manager) Names() (hosts []string, ips []net.IP) {
	m.mu.Lock()
	defer m.mu.Unlock()
	leaf := m.leaf.Leaf
	return append([]string(nil), leaf.DNSNames...), append([]net.IP(nil), leaf.IPAddresses...)
}

// Covers reports whether the served certificate is valid for host (a DNS
// name or an IP address), as a browser would check it.
func (m *Manager) Covers(host string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.leaf.Leaf.VerifyHostname(host) == nil
}

// fingerprint formats the SHA-256 of der as "AB:CD:…".
func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	var b strings.Builder
	for i, c := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}
