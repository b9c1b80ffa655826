package certs

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Defaults for Config.
const (
	// DefaultServerValidity is how long a server certificate is valid: 90
	// days. The Manager renews it by itself, so a short life costs nothing and
	// bounds the use of a copied server key. It is far below the 398 days
	// browsers allow for public certificates and the 825 days Apple allows
	// for any TLS server certificate, and users never compare it (they compare
	// the CA, which stays the same for ten years).
	DefaultServerValidity = 90 * 24 * time.Hour
	// DefaultRenewBefore is how long before expiry a server certificate is
	// replaced: 30 days, the last third of its life, like ACME clients do.
	// A server that runs for months renews from GetCertificate.
	DefaultRenewBefore = 30 * 24 * time.Hour
)

// retryAfterFailure is how long GetCertificate waits before trying again to
// renew after a renewal failed (a full disk, say), so a failure is logged once
// a minute and not on every handshake. The old certificate is served meanwhile.
const retryAfterFailure = time.Minute

// Config says where the CA lives and which names the server certificate must
// carry. The zero values of the optional fields pick the defaults.
type Config struct {
	// Dir holds ca.pem, ca-key.pem, server.pem and server-key.pem, for
	// example os.UserConfigDir()/signalbox/tls. It is created with mode 0700.
	Dir string
	// Hosts are the DNS names to serve: the machine's .local name, its mDNS
	// host name and so on. "localhost" is always added. Names outside the
	// CA's name constraints (see doc.go) are left out with a warning.
	Hosts []string
	// IPs are the addresses to serve: every LAN address the server listens
	// on. 127.0.0.1 and ::1 are always added. Public addresses are left out
	// with a warning.
	IPs []net.IP
	// CertFile and KeyFile name a user-supplied certificate (with its chain)
	// and key in PEM. When set, they are served exactly as given: no CA is
	// created, nothing is renewed, and Dir is not used.
	CertFile, KeyFile string
	// Now returns the current time; nil means time.Now. Tests inject a clock.
	Now func() time.Time
	// ServerValidity is the life of a server certificate; 0 means
	// DefaultServerValidity.
	ServerValidity time.Duration
	// RenewBefore is how long before its expiry a server certificate is
	// replaced; 0 means DefaultRenewBefore. It must be below ServerValidity.
	RenewBefore time.Duration
}

// Manager owns the local CA and the server certificate it signs, and renews
// the certificate when the wanted names change or expiry nears. All methods
// are safe for concurrent use.
type Manager struct {
	cfg      Config // defaults filled in; Hosts and IPs unused after Open
	log      *slog.Logger
	hostname string // goes into the name of a new CA

	mu        sync.Mutex
	ca        *authority       // nil for a user-supplied certificate
	leaf      *tls.Certificate // the certificate served, never nil after Open; Leaf is set
	want      sanSet           // names the certificate must carry
	failUntil time.Time        // no renewal attempt before this, after a failure
}

// Open loads the CA and the server certificate from cfg.Dir, creating or
// renewing whatever is missing, expired, about to expire or issued for other
// names, and writes them back. With cfg.CertFile and cfg.KeyFile it loads
// that pair instead. A CA that has expired is replaced by a new one (logged
// as a warning: users must install the new CA); a CA that cannot be read is
// an error wrapping ErrInvalidCA and is never overwritten.
func Open(cfg Config, log *slog.Logger) (*Manager, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ServerValidity == 0 {
		cfg.ServerValidity = DefaultServerValidity
	}
	if cfg.RenewBefore == 0 {
		cfg.RenewBefore = DefaultRenewBefore
	}
	if cfg.RenewBefore >= cfg.ServerValidity || cfg.RenewBefore < 0 {
		return nil, fmt.Errorf("%w: renew %v before expiry of %v", ErrBadValidity, cfg.RenewBefore, cfg.ServerValidity)
	}
	if (cfg.CertFile == "") != (cfg.KeyFile == "") {
		return nil, ErrIncompleteKeyPair
	}
	m := &Manager{cfg: cfg, log: log}
	if cfg.CertFile != "" {
		if err := m.openUserPair(); err != nil {
			return nil, err
		}
		return m, nil
	}
	if cfg.Dir == "" {
		return nil, ErrNoDir
	}
	m.hostname, _ = os.Hostname()
	if m.hostname == "" {
		m.hostname = "unknown host"
	}
	if err := os.MkdirAll(cfg.Dir, dirMode); err != nil {
		return nil, fmt.Errorf("certs: create %s: %w", cfg.Dir, err)
	}
	now := cfg.Now()
	if err := m.openCA(now); err != nil {
		return nil, err
	}
	m.setWant(cfg.IPs, cfg.Hosts)
	if leaf, err := loadLeaf(cfg.Dir, m.ca, now); err == nil {
		m.leaf = leaf
	} else if !errors.Is(err, fs.ErrNotExist) {
		log.Info("certs: replacing the stored server certificate", "reason", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.refreshLocked(now); err != nil {
		return nil, err
	}
	return m, nil
}

// openCA loads the CA, or creates one when there is none. An expired CA is
// loaded; refreshLocked replaces it.
func (m *Manager) openCA(now time.Time) error {
	ca, err := loadAuthority(m.cfg.Dir)
	switch {
	case errors.Is(err, ErrInvalidCA): // may wrap fs.ErrNotExist for ca-key.pem
		return err
	case errors.Is(err, fs.ErrNotExist):
		return m.newCA(now)
	case err != nil:
		return err
	}
	m.ca = ca
	return nil
}

// newCA creates, saves and installs a new CA. The caller replaces the leaf.
func (m *Manager) newCA(now time.Time) error {
	ca, err := newAuthority(now, m.hostname)
	if err != nil {
		return fmt.Errorf("certs: create CA: %w", err)
	}
	if err := ca.save(m.cfg.Dir); err != nil {
		return fmt.Errorf("certs: save CA: %w", err)
	}
	m.ca = ca
	m.log.Info("certs: created a local CA", "name", ca.cert.Subject.CommonName,
		"fingerprint", fingerprint(ca.cert.Raw), "file", filepath.Join(m.cfg.Dir, caCertFile))
	return nil
}

// setWant records the names the certificate must carry and logs the ones
// left out.
func (m *Manager) setWant(ips []net.IP, hosts []string) {
	want, dropped := newSANSet(hosts, ips)
	if len(dropped) > 0 {
		m.log.Warn("certs: names left out of the server certificate (not local or private)",
			"names", dropped)
	}
	m.want = want
}

// refreshLocked replaces the CA if it has expired and the server certificate
// if it is missing, names other than m.want, or due for renewal. m.mu is held.
func (m *Manager) refreshLocked(now time.Time) error {
	if m.ca == nil {
		return nil // user-supplied: served as given
	}
	caRenewed := false
	if !now.Before(m.ca.cert.NotAfter) {
		m.log.Warn("certs: the local CA has expired; creating a new one, which users must install again",
			"expired", m.ca.cert.NotAfter)
		if err := m.newCA(now); err != nil {
			return err
		}
		caRenewed = true // m.leaf, signed by the old CA, stays until replaced
	}
	if !caRenewed && m.leaf != nil && m.leafCurrent(now) {
		return nil
	}
	leaf, certPEM, keyPEM, err := issueLeaf(m.ca, m.want, now, m.notAfter(now))
	if err != nil {
		return fmt.Errorf("certs: issue server certificate: %w", err)
	}
	if err := saveLeaf(m.cfg.Dir, certPEM, keyPEM); err != nil {
		return fmt.Errorf("certs: save server certificate: %w", err)
	}
	m.leaf = leaf
	m.log.Info("certs: issued a server certificate", "notAfter", leaf.Leaf.NotAfter,
		"hosts", m.want.hosts, "ips", m.want.ips, "fingerprint", fingerprint(leaf.Leaf.Raw))
	return nil
}

// notAfter is the expiry of a certificate issued at now: ServerValidity
// later, but never after the CA's own expiry.
func (m *Manager) notAfter(now time.Time) time.Time {
	t := now.Add(m.cfg.ServerValidity)
	if t.After(m.ca.cert.NotAfter) {
		t = m.ca.cert.NotAfter
	}
	return t
}

// leafCurrent reports whether m.leaf can stay: it carries exactly m.want,
// is valid at now, and either lies outside the renewal window or could not
// be replaced by one that lives longer (the CA expires first).
func (m *Manager) leafCurrent(now time.Time) bool {
	leaf := m.leaf.Leaf
	switch {
	case !sansOf(leaf).equal(m.want):
		return false
	case now.Before(leaf.NotBefore) || !now.Before(leaf.NotAfter):
		return false
	case now.Add(m.cfg.RenewBefore).Before(leaf.NotAfter):
		return true
	default:
		return !m.notAfter(now).After(leaf.NotAfter)
	}
}

// SetAddresses replaces the names the server certificate must carry (plus
// localhost, 127.0.0.1 and ::1, always) and issues a new certificate if they
// differ from the current one, in any order or form. With a user-supplied
// certificate it only logs the names that certificate does not cover.
func (m *Manager) SetAddresses(ips []net.IP, hosts []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ca == nil {
		m.warnUncovered(ips, hosts)
		return nil
	}
	m.setWant(ips, hosts)
	m.failUntil = time.Time{}
	return m.refreshLocked(m.cfg.Now())
}

// GetCertificate returns the server certificate, renewing it first when it
// is due. It has the signature of tls.Config.GetCertificate. If renewal
// fails the current certificate is served while it is still valid and the
// failure is logged; renewal is retried a minute later.
func (m *Manager) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Now()
	if now.Before(m.failUntil) {
		return m.leaf, nil
	}
	if err := m.refreshLocked(now); err != nil {
		m.failUntil = now.Add(retryAfterFailure)
		m.log.Error("certs: renewal failed; serving the current certificate", "err", err)
		if m.leaf == nil || !now.Before(m.leaf.Leaf.NotAfter) {
			return nil, err
		}
	}
	return m.leaf, nil
}

// TLSConfig returns a new tls.Config that serves GetCertificate, TLS 1.2 or
// later. Do not add Certificates to it: crypto/tls then skips GetCertificate
// for clients that send no server name (every client that dials an IP).
func (m *Manager) TLSConfig() *tls.Config {
	return &tls.Config{
		GetCertificate: m.GetCertificate,
		MinVersion:     tls.VersionTLS12,
	}
}
