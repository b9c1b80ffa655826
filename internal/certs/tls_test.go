package certs

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// clientTimeout bounds one test request, so a broken server fails the test
// instead of hanging it.
const clientTimeout = 10 * time.Second

// serveTLS starts an HTTPS test server on addr ("127.0.0.1:0", "[::1]:0")
// that takes its certificate from tlsConfig, and returns the address it
// listens on. It skips the test if addr cannot be bound.
func serveTLS(t *testing.T, addr string, tlsConfig *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	_ = srv.Listener.Close() // the default listener; ours replaces it
	srv.Listener = tls.NewListener(ln, tlsConfig)
	srv.Start()
	t.Cleanup(srv.Close)
	return ln.Addr().String()
}

// get fetches https://name:port/ through a connection to dialAddr, trusting
// only roots and checking certificates at now. It returns the certificate
// the server presented.
func get(t *testing.T, dialAddr, name string, roots *x509.CertPool, now func() time.Time) (*x509.Certificate, error) {
	t.Helper()
	_, port, err := net.SplitHostPort(dialAddr)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, Time: now},
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", dialAddr)
		},
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: clientTimeout}
	resp, err := client.Get("https://" + net.JoinHostPort(name, port) + "/")
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if string(body) != "ok" {
		return nil, errors.New("unexpected body " + string(body))
	}
	return resp.TLS.PeerCertificates[0], nil
}

func rootsOf(t *testing.T, m *Manager) *x509.CertPool {
	t.Helper()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(m.CACertPEM()) {
		t.Fatal("CACertPEM holds no certificate")
	}
	return roots
}

func TestTLSClientTrustingOnlyTheCA(t *testing.T) {
	cfg, c := testConfig(t)
	m := mustOpen(t, cfg)
	otherCfg, _ := testConfig(t)
	other := mustOpen(t, otherCfg)
	roots, otherRoots := rootsOf(t, m), rootsOf(t, other)

	for _, listen := range []string{"127.0.0.1:0", "[::1]:0"} {
		t.Run(listen, func(t *testing.T) {
			addr := serveTLS(t, listen, m.TLSConfig())
			tests := []struct {
				name  string
				roots *x509.CertPool
				ok    bool
			}{
				{"localhost", roots, true},
				{"signalbox-test.local", roots, true},
				{"printer.lan", roots, true},
				{"127.0.0.1", roots, true},
				{"::1", roots, true},
				{"192.168.1.20", roots, true}, // a LAN address, dialled through loopback
				{"fd00::20", roots, true},
				{"other.local", roots, false},
				{"10.9.9.9", roots, false},
				{"localhost", otherRoots, false},
			}
			for _, tt := range tests {
				cert, err := get(t, addr, tt.name, tt.roots, c.Now)
				if (err == nil) != tt.ok {
					t.Errorf("GET via %q (other CA: %v): err = %v, want ok = %v", tt.name, tt.roots == otherRoots, err, tt.ok)
				}
				if err == nil && fingerprint(cert.Raw) != m.ServerFingerprint() {
					t.Errorf("GET via %q: served %s, want %s", tt.name, fingerprint(cert.Raw), m.ServerFingerprint())
				}
			}
		})
	}
}

func TestTLSRenewalDuringServing(t *testing.T) {
	cfg, c := testConfig(t)
	m := mustOpen(t, cfg)
	addr := serveTLS(t, "127.0.0.1:0", m.TLSConfig())
	roots := rootsOf(t, m)

	first, err := get(t, addr, "signalbox-test.local", roots, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	c.Set(t0.Add(DefaultServerValidity - time.Hour)) // inside the renewal window
	second, err := get(t, addr, "signalbox-test.local", roots, c.Now)
	if err != nil {
		t.Fatalf("after renewal: %v", err)
	}
	if second.Equal(first) {
		t.Error("handshake in the renewal window served the old certificate")
	}
	if err := m.SetAddresses([]net.IP{net.ParseIP("10.4.4.4")}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := get(t, addr, "10.4.4.4", roots, c.Now); err != nil {
		t.Errorf("new address after SetAddresses: %v", err)
	}
	if _, err := get(t, addr, "192.168.1.20", roots, c.Now); err == nil {
		t.Error("old address still accepted after SetAddresses")
	}
}

// writeUserPair writes a certificate for user.example signed by a separate
// CA, followed by that CA (a chain, as users get them), and its key.
func writeUserPair(t *testing.T) (certFile, keyFile string, leafDER []byte, issuer *authority) {
	t.Helper()
	now := time.Now()
	issuer, err := newAuthority(now, "user")
	if err != nil {
		t.Fatal(err)
	}
	// The issuer's name constraints would forbid user.example; sign with a
	// copy that has none, as a real user CA would.
	tmplCA := *issuer.cert
	tmplCA.PermittedDNSDomains, tmplCA.PermittedIPRanges = nil, nil
	caDER, err := x509.CreateCertificate(rand.Reader, &tmplCA, &tmplCA, &issuer.key.PublicKey, issuer.key)
	if err != nil {
		t.Fatal(err)
	}
	if issuer.cert, err = x509.ParseCertificate(caDER); err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "user.example"},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"user.example"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	leafDER, err = x509.CreateCertificate(rand.Reader, tmpl, issuer.cert, &key.PublicKey, issuer.key)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "user.pem"), filepath.Join(dir, "user-key.pem")
	chain := append(encodeCert(leafDER), encodeCert(issuer.cert.Raw)...)
	if err := os.WriteFile(certFile, chain, fileMode); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, fileMode); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, leafDER, issuer
}

func TestUserSuppliedCertificate(t *testing.T) {
	certFile, keyFile, leafDER, issuer := writeUserPair(t)
	dir := filepath.Join(t.TempDir(), "tls")
	m := mustOpen(t, Config{
		Dir: dir, CertFile: certFile, KeyFile: keyFile,
		Hosts: []string{"box.local"}, IPs: []net.IP{net.ParseIP("192.168.1.20")},
	})

	cert, err := m.GetCertificate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.Certificate) != 2 || string(cert.Certificate[0]) != string(leafDER) {
		t.Errorf("served chain of %d certificates, want the 2 given", len(cert.Certificate))
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Dir touched with a user-supplied certificate: %v", err)
	}
	if m.CACertPEM() != nil || m.CACertDER() != nil || m.CAFingerprint() != "" || m.CAPath() != "" {
		t.Error("CA accessors return something with a user-supplied certificate")
	}
	if want := fingerprint(leafDER); m.Fingerprint() != want || m.ServerFingerprint() != want {
		t.Errorf("Fingerprint() = %q, ServerFingerprint() = %q, want %q", m.Fingerprint(), m.ServerFingerprint(), want)
	}
	if err := m.SetAddresses([]net.IP{net.ParseIP("10.0.0.9")}, []string{"new.local"}); err != nil {
		t.Errorf("SetAddresses: %v", err)
	}
	if got := m.ServerFingerprint(); got != fingerprint(leafDER) {
		t.Error("SetAddresses replaced a user-supplied certificate")
	}

	for host, want := range map[string]bool{"user.example": true, "127.0.0.1": true, "192.168.1.20": false, "box.local": false} {
		if got := m.Covers(host); got != want {
			t.Errorf("Covers(%q) = %v, want %v", host, got, want)
		}
	}

	roots := x509.NewCertPool()
	roots.AddCert(issuer.cert)
	addr := serveTLS(t, "127.0.0.1:0", m.TLSConfig())
	for _, name := range []string{"user.example", "127.0.0.1"} {
		if _, err := get(t, addr, name, roots, time.Now); err != nil {
			t.Errorf("GET via %q: %v", name, err)
		}
	}
}

func TestUserSuppliedCertificateErrors(t *testing.T) {
	certFile, keyFile, _, _ := writeUserPair(t)
	otherCert, otherKey, _, _ := writeUserPair(t)
	tests := []struct {
		name          string
		cert, keyFile string
	}{
		{"missing certificate", filepath.Join(t.TempDir(), "none.pem"), keyFile},
		{"missing key", certFile, filepath.Join(t.TempDir(), "none.pem")},
		{"key of another certificate", certFile, otherKey},
		{"key file holds a certificate", otherCert, certFile},
	}
	for _, tt := range tests {
		if _, err := Open(Config{CertFile: tt.cert, KeyFile: tt.keyFile}, nil); err == nil {
			t.Errorf("%s: Open succeeded", tt.name)
		}
	}
}
