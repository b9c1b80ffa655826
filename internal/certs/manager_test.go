package certs

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"testing"
	"time"

	"signalbox/internal/testclock"
)

// t0 is the time the tests' CA is made.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// testConfig returns a Config with a fresh directory, a clock at t0, and
// names of every kind.
func testConfig(t *testing.T) (Config, *testclock.Clock) {
	c := testclock.New(t0)
	return Config{
		Dir:   filepath.Join(t.TempDir(), "tls"),
		Hosts: []string{"signalbox-test.local", "Printer.LAN."},
		IPs:   []net.IP{net.ParseIP("192.168.1.20"), net.ParseIP("fd00::20")},
		Now:   c.Now,
	}, c
}

func mustOpen(t *testing.T, cfg Config) *Manager {
	t.Helper()
	m, err := Open(cfg, testLogger(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return m
}

// served returns the certificate GetCertificate hands out now.
func served(t *testing.T, m *Manager) *x509.Certificate {
	t.Helper()
	cert, err := m.GetCertificate(nil)
	if err != nil {
		t.Fatalf("GetCertificate: %v", err)
	}
	return cert.Leaf
}

// verifyName checks leaf for name against the CA alone, as a browser that
// installed ca.pem would.
func verifyName(m *Manager, leaf *x509.Certificate, name string, now time.Time) error {
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(m.CACertPEM()) {
		return errors.New("CACertPEM holds no certificate")
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		DNSName:     name,
		Roots:       roots,
		CurrentTime: now,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err
}

func TestServerCertificateVerifiesForEachName(t *testing.T) {
	cfg, _ := testConfig(t)
	m := mustOpen(t, cfg)
	leaf := served(t, m)
	tests := []struct {
		name string
		ok   bool
	}{
		{"localhost", true},
		{"signalbox-test.local", true},
		{"printer.lan", true},
		{"127.0.0.1", true},
		{"::1", true},
		{"192.168.1.20", true},
		{"fd00::20", true},
		{"other.local", false},
		{"example.com", false},
		{"192.168.1.21", false},
	}
	for _, tt := range tests {
		err := verifyName(m, leaf, tt.name, t0)
		if (err == nil) != tt.ok {
			t.Errorf("verify %q: err = %v, want ok = %v", tt.name, err, tt.ok)
		}
	}
	if got, want := leaf.NotAfter, t0.Add(DefaultServerValidity); !got.Equal(want) {
		t.Errorf("NotAfter = %v, want %v", got, want)
	}
	if !leaf.NotBefore.Before(t0) {
		t.Errorf("NotBefore = %v, want before %v (clock skew)", leaf.NotBefore, t0)
	}
}

func TestCACertificate(t *testing.T) {
	cfg, _ := testConfig(t)
	m := mustOpen(t, cfg)
	ca, err := x509.ParseCertificate(m.CACertDER())
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if want := "Signalbox Local CA (" + host + ")"; host != "" && ca.Subject.CommonName != want {
		t.Errorf("CA name = %q, want %q", ca.Subject.CommonName, want)
	}
	if !ca.IsCA || !ca.MaxPathLenZero || ca.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("CA IsCA=%v MaxPathLenZero=%v KeyUsage=%v", ca.IsCA, ca.MaxPathLenZero, ca.KeyUsage)
	}
	if got, want := ca.NotAfter, t0.Add(caValidity); !got.Equal(want) {
		t.Errorf("CA NotAfter = %v, want %v", got, want)
	}
	if ca.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("CA key = %v, want ECDSA", ca.PublicKeyAlgorithm)
	}
	if !ca.PermittedDNSDomainsCritical || len(ca.PermittedDNSDomains) == 0 || len(ca.PermittedIPRanges) == 0 {
		t.Errorf("CA name constraints missing: %v %v", ca.PermittedDNSDomains, ca.PermittedIPRanges)
	}
}

func TestFingerprints(t *testing.T) {
	cfg, _ := testConfig(t)
	m := mustOpen(t, cfg)
	format := regexp.MustCompile(`^([0-9A-F]{2}:){31}[0-9A-F]{2}$`)
	caSum := sha256.Sum256(m.CACertDER())
	leafSum := sha256.Sum256(served(t, m).Raw)
	tests := []struct {
		name, got string
		sum       [32]byte
	}{
		{"CAFingerprint", m.CAFingerprint(), caSum},
		{"ServerFingerprint", m.ServerFingerprint(), leafSum},
		{"Fingerprint", m.Fingerprint(), caSum},
	}
	for _, tt := range tests {
		if !format.MatchString(tt.got) {
			t.Errorf("%s() = %q, not colon-separated upper-case hex", tt.name, tt.got)
		}
		if parsed := parseFingerprint(t, tt.got); parsed != tt.sum {
			t.Errorf("%s() = %q, want SHA-256 %X", tt.name, tt.got, tt.sum)
		}
	}
}

// parseFingerprint turns "AB:CD:…" back into bytes.
func parseFingerprint(t *testing.T, s string) [32]byte {
	t.Helper()
	var out [32]byte
	for i := range out {
		if 3*i+2 > len(s) {
			t.Fatalf("fingerprint %q too short", s)
		}
		var b byte
		for _, c := range s[3*i : 3*i+2] {
			b <<= 4
			switch {
			case c >= '0' && c <= '9':
				b |= byte(c - '0')
			case c >= 'A' && c <= 'F':
				b |= byte(c - 'A' + 10)
			}
		}
		out[i] = b
	}
	return out
}

func TestCACertPEMHoldsOnlyTheCertificate(t *testing.T) {
	cfg, _ := testConfig(t)
	m := mustOpen(t, cfg)
	rest := m.CACertPEM()
	var types []string
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		types = append(types, block.Type)
	}
	if !slices.Equal(types, []string{"CERTIFICATE"}) {
		t.Errorf("CACertPEM blocks = %v, want [CERTIFICATE]", types)
	}
	secret, err := m.ca.key.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(m.CACertPEM(), []byte("PRIVATE")) || bytes.Contains(m.CACertDER(), secret) {
		t.Error("CA certificate bytes contain the private key")
	}
}

func TestFilesAndPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	cfg, _ := testConfig(t)
	m := mustOpen(t, cfg)
	info, err := os.Stat(cfg.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != dirMode {
		t.Errorf("dir mode = %v, want %v", got, dirMode)
	}
	for _, name := range []string{caCertFile, caKeyFile, serverCertFile, serverKeyFile} {
		info, err := os.Stat(filepath.Join(cfg.Dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := info.Mode().Perm(); got != fileMode {
			t.Errorf("%s mode = %v, want %v", name, got, fileMode)
		}
	}
	entries, err := os.ReadDir(cfg.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 {
		t.Errorf("dir holds %d entries, want 4 (no temporary files left)", len(entries))
	}
	if got, want := m.CAPath(), filepath.Join(cfg.Dir, caCertFile); got != want {
		t.Errorf("CAPath() = %q, want %q", got, want)
	}
	data, err := os.ReadFile(m.CAPath())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, m.CACertPEM()) {
		t.Error("ca.pem differs from CACertPEM()")
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	cfg, c := testConfig(t)
	first := mustOpen(t, cfg)
	c.Set(t0.Add(24 * time.Hour))
	// Same names in another order and form.
	cfg.Hosts = []string{"PRINTER.lan", "signalbox-test.local.", "localhost", "printer.lan"}
	cfg.IPs = []net.IP{net.ParseIP("fd00::20"), net.ParseIP("::ffff:192.168.1.20"), net.ParseIP("127.0.0.1")}
	second := mustOpen(t, cfg)
	if a, b := first.CAFingerprint(), second.CAFingerprint(); a != b {
		t.Errorf("CA changed on reopen: %s -> %s", a, b)
	}
	if a, b := first.ServerFingerprint(), second.ServerFingerprint(); a != b {
		t.Errorf("server certificate reissued on reopen with the same names: %s -> %s", a, b)
	}
}

func TestSetAddresses(t *testing.T) {
	cfg, c := testConfig(t)
	m := mustOpen(t, cfg)
	caBefore := m.CAFingerprint()
	before := m.ServerFingerprint()
	certBefore, err := os.ReadFile(filepath.Join(cfg.Dir, serverCertFile))
	if err != nil {
		t.Fatal(err)
	}

	// Unchanged (other order, duplicates, mapped form): nothing happens.
	c.Set(t0.Add(time.Hour))
	err = m.SetAddresses(
		[]net.IP{net.ParseIP("fd00::20"), net.ParseIP("::ffff:192.168.1.20"), net.ParseIP("192.168.1.20")},
		[]string{"printer.lan", "SIGNALBOX-TEST.local"})
	if err != nil {
		t.Fatalf("SetAddresses(same): %v", err)
	}
	if got := m.ServerFingerprint(); got != before {
		t.Errorf("SetAddresses(same) reissued: %s -> %s", before, got)
	}
	certAfter, err := os.ReadFile(filepath.Join(cfg.Dir, serverCertFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(certBefore, certAfter) {
		t.Error("SetAddresses(same) rewrote server.pem")
	}

	// Changed: a new certificate with the new names, from the same CA.
	err = m.SetAddresses([]net.IP{net.ParseIP("10.1.2.3")}, []string{"signalbox-test.local"})
	if err != nil {
		t.Fatalf("SetAddresses(new): %v", err)
	}
	if got := m.ServerFingerprint(); got == before {
		t.Error("SetAddresses(new) did not reissue")
	}
	if got := m.CAFingerprint(); got != caBefore {
		t.Error("SetAddresses changed the CA")
	}
	leaf := served(t, m)
	now := c.Now()
	for name, ok := range map[string]bool{
		"10.1.2.3": true, "signalbox-test.local": true, "localhost": true, "127.0.0.1": true,
		"192.168.1.20": false, "printer.lan": false,
	} {
		if err := verifyName(m, leaf, name, now); (err == nil) != ok {
			t.Errorf("after SetAddresses, verify %q: err = %v, want ok = %v", name, err, ok)
		}
	}
	hosts, ips := m.Names()
	if !slices.Equal(hosts, []string{"localhost", "signalbox-test.local"}) || len(ips) != 3 {
		t.Errorf("Names() = %v, %v", hosts, ips)
	}
	if bytes.Equal(certBefore, mustRead(t, filepath.Join(cfg.Dir, serverCertFile))) {
		t.Error("new certificate not written to server.pem")
	}

	// A reopen picks up the new certificate from disk.
	cfg.Hosts, cfg.IPs = []string{"signalbox-test.local"}, []net.IP{net.ParseIP("10.1.2.3")}
	if got := mustOpen(t, cfg).ServerFingerprint(); got != m.ServerFingerprint() {
		t.Errorf("reopen served %s, want the certificate on disk %s", got, m.ServerFingerprint())
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestInvalidCAIsReported(t *testing.T) {
	otherCA, err := newAuthority(t0, "other")
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := encodeKey(otherCA.key)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		damage func(dir string) error
	}{
		{"garbage ca.pem", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, caCertFile), []byte("not a certificate"), fileMode)
		}},
		{"missing ca-key.pem", func(dir string) error {
			return os.Remove(filepath.Join(dir, caKeyFile))
		}},
		{"key of another CA", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, caKeyFile), otherKey, fileMode)
		}},
		{"ca.pem is a server certificate", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, caCertFile), mustRead(t, filepath.Join(dir, serverCertFile)), fileMode)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _ := testConfig(t)
			mustOpen(t, cfg)
			if err := tt.damage(cfg.Dir); err != nil {
				t.Fatal(err)
			}
			before := mustRead(t, filepath.Join(cfg.Dir, caCertFile))
			if _, err := Open(cfg, testLogger(t)); !errors.Is(err, ErrInvalidCA) {
				t.Errorf("Open err = %v, want ErrInvalidCA", err)
			}
			if after := mustRead(t, filepath.Join(cfg.Dir, caCertFile)); !bytes.Equal(before, after) {
				t.Error("Open overwrote ca.pem")
			}
		})
	}
}

func TestBrokenServerCertificateIsReplaced(t *testing.T) {
	otherCfg, _ := testConfig(t)
	other := mustOpen(t, otherCfg)
	tests := []struct {
		name   string
		damage func(dir string) error
	}{
		{"garbage server.pem", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, serverCertFile), []byte("junk"), fileMode)
		}},
		{"missing server-key.pem", func(dir string) error {
			return os.Remove(filepath.Join(dir, serverKeyFile))
		}},
		{"signed by another CA", func(dir string) error {
			for _, name := range []string{serverCertFile, serverKeyFile} {
				data := mustRead(t, filepath.Join(otherCfg.Dir, name))
				if err := os.WriteFile(filepath.Join(dir, name), data, fileMode); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _ := testConfig(t)
			mustOpen(t, cfg)
			if err := tt.damage(cfg.Dir); err != nil {
				t.Fatal(err)
			}
			m := mustOpen(t, cfg)
			leaf := served(t, m)
			if err := verifyName(m, leaf, "printer.lan", t0); err != nil {
				t.Errorf("served certificate does not verify: %v", err)
			}
			if m.ServerFingerprint() == other.ServerFingerprint() {
				t.Error("serving the other CA's certificate")
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"no dir", Config{}, ErrNoDir},
		{"cert without key", Config{CertFile: "x.pem"}, ErrIncompleteKeyPair},
		{"key without cert", Config{KeyFile: "x.pem"}, ErrIncompleteKeyPair},
	}
	for _, tt := range tests {
		if _, err := Open(tt.cfg, nil); !errors.Is(err, tt.want) {
			t.Errorf("%s: Open err = %v, want %v", tt.name, err, tt.want)
		}
	}
}
