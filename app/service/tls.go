package service

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"signalbox/app/mdns"
	"signalbox/internal/certs"
	"signalbox/signaling/httpserver"
)

// TLSFolder is the folder under Config.ConfigDir that holds the local CA
// and the server certificate (see package certs).
const TLSFolder = "tls"

// ErrNoConfigDir means HTTPS is on but the service has no configuration
// folder to keep its certificate authority in; it serves plain HTTP.
var ErrNoConfigDir = errors.New("no configuration folder for the certificates")

// TLSStatus says whether the server speaks HTTPS, and with what.
type TLSStatus struct {
	// Enabled is the setting; Active is true while HTTPS is served.
	Enabled bool `json:"enabled"`
	Active  bool `json:"active"`
	// Fingerprint is the SHA-256 of the local CA ("AB:CD:…"), which users
	// compare before trusting it; with a user-supplied certificate, that
	// certificate's.
	Fingerprint string `json:"fingerprint,omitempty"`
	// UserCert is true when the certificate is the user's own (--cert).
	UserCert bool `json:"userCert,omitempty"`
	// CAFile is the path of the CA certificate (ca.pem) on this machine.
	CAFile string `json:"caFile,omitempty"`
	// TrustURL is the page other devices open to install the CA, over
	// plain HTTP so it opens before they trust anything.
	TrustURL string `json:"trustUrl,omitempty"`
	// Error says why HTTPS is off although enabled; English, for the log.
	// Code is "failed" then.
	Error string `json:"error,omitempty"`
	Code  string `json:"code,omitempty"`
	// Uncovered are the hosts of join URLs (IP addresses or names) the
	// served certificate does not cover: browsers there refuse the page.
	// The window and the terminal say so with the fix.
	Uncovered []string `json:"uncovered,omitempty"`
}

// openCerts opens the certificate manager for st: the user's pair when
// given, else the local CA in the configuration folder, with a server
// certificate for ips and hosts.
func openCerts(st Settings, configDir string, ips []net.IP, hosts []string, log *slog.Logger) (*certs.Manager, error) {
	cfg := certs.Config{Hosts: hosts, IPs: ips, CertFile: st.CertFile, KeyFile: st.KeyFile}
	if cfg.CertFile == "" && cfg.KeyFile == "" {
		if configDir == "" {
			return nil, ErrNoConfigDir
		}
		cfg.Dir = filepath.Join(configDir, TLSFolder)
	}
	return certs.Open(cfg, log)
}

// trustInfo is what /trust offers: the CA, or nil with a user-supplied
// certificate (there is nothing to install then).
func trustInfo(m *certs.Manager) *httpserver.TrustInfo {
	der := m.CACertDER()
	if der == nil {
		return nil
	}
	return &httpserver.TrustInfo{CAPEM: m.CACertPEM(), CADER: der, Fingerprint: m.CAFingerprint()}
}

// certHosts are the DNS names the server certificate carries besides
// localhost: this machine's .local name and the advertised mDNS name.
func certHosts() []string {
	hosts := []string{mdnsHostName()}
	if h := machineLocalName(); h != "" && h != hosts[0] {
		hosts = append(hosts, h)
	}
	return hosts
}

// mdnsHostName is the host name the mDNS advertiser publishes, without the
// trailing dot: signalbox.local.
func mdnsHostName() string { return strings.TrimSuffix(mdns.DefaultHost, ".") }

// machineLocalName is this machine's own .local name (its host name's
// first label, which Bonjour and Avahi publish), or "" when unknown.
func machineLocalName() string {
	host, err := os.Hostname()
	if err != nil {
		return ""
	}
	label, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(host)), ".")
	if label == "" || label == "localhost" {
		return ""
	}
	return label + ".local"
}

// servedIPs lists the addresses the listeners bound to ips serve: every
// LAN address (of the interfaces in only, when not empty; IPv4 only for
// an IPv4 wildcard) for a wildcard, the address itself otherwise, then
// loopback. lan lists the machine's LAN addresses (LANAddrs).
func servedIPs(ips []net.IP, only []string, lan func([]string) []LANAddr) []net.IP {
	var out []net.IP
	add := func(ip net.IP) {
		if !slices.ContainsFunc(out, ip.Equal) {
			out = append(out, ip)
		}
	}
	for _, ip := range ips {
		if !ip.IsUnspecified() {
			continue
		}
		for _, a := range lan(only) {
			if ip.To4() == nil || a.IP.To4() != nil {
				add(a.IP)
			}
		}
	}
	for _, ip := range ips {
		if !ip.IsUnspecified() && !ip.IsLoopback() {
			add(ip)
		}
	}
	add(net.IPv4(127, 0, 0, 1))
	add(net.IPv6loopback)
	return out
}

// withScheme returns joins with the scheme other devices use: https for
// every URL but loopback ones (plain HTTP on loopback is a secure context
// and needs no certificate) when secure. When there is a LAN URL, the
// .local name alt is added after the LAN URLs as an alternative; never
// first, because Android resolves .local names unreliably.
func withScheme(joins []JoinURL, port int, secure bool, alt string) []JoinURL {
	out := make([]JoinURL, 0, len(joins)+1)
	lan := 0
	for _, j := range joins {
		if isLoopbackURL(j.URL) {
			out = append(out, j)
			continue
		}
		if secure {
			j.URL = "https://" + strings.TrimPrefix(j.URL, "http://")
		}
		out = slices.Insert(out, lan, j)
		lan++
	}
	if lan > 0 && alt != "" {
		scheme := "http://"
		if secure {
			scheme = "https://"
		}
		out = slices.Insert(out, lan, JoinURL{URL: scheme + net.JoinHostPort(alt, strconv.Itoa(port)) + "/"})
	}
	return out
}

// uncovered lists the hosts of the https join URLs that covers says the
// certificate does not cover, each once.
func uncovered(joins []JoinURL, covers func(host string) bool) []string {
	var out []string
	for _, j := range joins {
		u, err := url.Parse(j.URL)
		if err != nil || u.Scheme != "https" {
			continue
		}
		if h := u.Hostname(); !covers(h) && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// trustURL is the /trust page on the first join URL's host, over plain
// HTTP (which the server keeps serving for it), or "".
func trustURL(joins []JoinURL) string {
	if len(joins) == 0 {
		return ""
	}
	u, err := url.Parse(joins[0].URL)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("http://%s/trust", u.Host)
}

// TLS returns the state of HTTPS.
func (s *Service) TLS() TLSStatus {
	s.mu.Lock()
	var st TLSStatus
	var m *certs.Manager
	if s.sec != nil {
		st, m = s.sec.tls, s.sec.certs
	} else {
		st.Enabled = s.settings.HTTPS
	}
	s.mu.Unlock()
	if st.Active {
		joins := s.Joins()
		st.TrustURL = trustURL(joins)
		if m != nil {
			st.Uncovered = uncovered(joins, m.Covers)
		}
	}
	return st
}
