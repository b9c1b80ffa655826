package certs

import (
	"crypto/tls"
	"fmt"
	"net"
)

// openUserPair loads the user-supplied certificate and warns about anything
// that will make clients refuse it; it is served regardless.
func (m *Manager) openUserPair() error {
	pair, err := tls.LoadX509KeyPair(m.cfg.CertFile, m.cfg.KeyFile)
	if err != nil {
		return fmt.Errorf("certs: load %s: %w", m.cfg.CertFile, err)
	}
	m.leaf = &pair
	now := m.cfg.Now()
	if now.After(pair.Leaf.NotAfter) || now.Before(pair.Leaf.NotBefore) {
		m.log.Warn("certs: the supplied certificate is not valid now",
			"file", m.cfg.CertFile, "notBefore", pair.Leaf.NotBefore, "notAfter", pair.Leaf.NotAfter)
	}
	m.warnUncovered(m.cfg.IPs, m.cfg.Hosts)
	return nil
}

// warnUncovered logs the names a user-supplied certificate does not cover.
func (m *Manager) warnUncovered(ips []net.IP, hosts []string) {
	var missing []string
	for _, h := range hosts {
		if m.leaf.Leaf.VerifyHostname(h) != nil {
			missing = append(missing, h)
		}
	}
	for _, ip := range ips {
		if m.leaf.Leaf.VerifyHostname(ip.String()) != nil {
			missing = append(missing, ip.String())
		}
	}
	if len(missing) > 0 {
		m.log.Warn("certs: the supplied certificate does not cover these names",
			"file", m.cfg.CertFile, "names", missing)
	}
}
