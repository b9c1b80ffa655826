package certs

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestRenewal(t *testing.T) {
	window := t0.Add(DefaultServerValidity - DefaultRenewBefore)
	tests := []struct {
		name    string
		at      time.Time
		reissue bool
	}{
		{"fresh", t0.Add(time.Hour), false},
		{"just before the window", window.Add(-time.Minute), false},
		{"inside the window", window.Add(time.Minute), true},
		{"expired", t0.Add(DefaultServerValidity + time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, via := range []string{"GetCertificate", "Open"} {
				cfg, c := testConfig(t)
				m := mustOpen(t, cfg)
				before := m.ServerFingerprint()
				c.Set(tt.at)
				if via == "Open" {
					m = mustOpen(t, cfg)
				}
				leaf := served(t, m)
				if got := fingerprint(leaf.Raw) != before; got != tt.reissue {
					t.Errorf("via %s at %v: reissued = %v, want %v", via, tt.at, got, tt.reissue)
				}
				if err := verifyName(m, leaf, "signalbox-test.local", tt.at); err != nil {
					t.Errorf("via %s at %v: served certificate does not verify: %v", via, tt.at, err)
				}
				if tt.reissue && !leaf.NotAfter.Equal(tt.at.Add(DefaultServerValidity)) {
					t.Errorf("via %s: renewed NotAfter = %v, want %v", via, leaf.NotAfter, tt.at.Add(DefaultServerValidity))
				}
			}
		})
	}
}

func TestClockWentBack(t *testing.T) {
	// A certificate issued while the clock ran a week ahead is not valid
	// once the clock is corrected: it is replaced.
	cfg, c := testConfig(t)
	m := mustOpen(t, cfg)
	ahead := t0.Add(7 * 24 * time.Hour)
	c.Set(ahead)
	if err := m.SetAddresses(nil, []string{"ahead.local"}); err != nil {
		t.Fatal(err)
	}
	if nb := served(t, m).NotBefore; !nb.Equal(ahead.Add(-clockSkew)) {
		t.Fatalf("NotBefore = %v, want %v", nb, ahead.Add(-clockSkew))
	}
	corrected := t0.Add(24 * time.Hour)
	c.Set(corrected)
	leaf := served(t, m)
	if err := verifyName(m, leaf, "ahead.local", corrected); err != nil {
		t.Errorf("after the clock went back: %v", err)
	}
}

func TestCustomValidity(t *testing.T) {
	cfg, c := testConfig(t)
	cfg.ServerValidity, cfg.RenewBefore = time.Hour, 10*time.Minute
	m := mustOpen(t, cfg)
	before := m.ServerFingerprint()
	c.Set(t0.Add(49 * time.Minute))
	if m.ServerFingerprint() != fingerprint(served(t, m).Raw) || fingerprint(served(t, m).Raw) != before {
		t.Error("reissued outside the renewal window")
	}
	c.Set(t0.Add(51 * time.Minute))
	if fingerprint(served(t, m).Raw) == before {
		t.Error("not reissued inside the renewal window")
	}

	for _, bad := range []Config{
		{Dir: cfg.Dir, ServerValidity: time.Hour, RenewBefore: time.Hour},
		{Dir: cfg.Dir, RenewBefore: -time.Minute},
	} {
		if _, err := Open(bad, nil); !errors.Is(err, ErrBadValidity) {
			t.Errorf("Open(validity %v, renew %v) err = %v, want ErrBadValidity", bad.ServerValidity, bad.RenewBefore, err)
		}
	}
}

func TestCANearExpiryClampsServerCertificate(t *testing.T) {
	cfg, c := testConfig(t)
	m := mustOpen(t, cfg)
	caNotAfter := t0.Add(caValidity)
	at := caNotAfter.Add(-10 * 24 * time.Hour)
	c.Set(at)
	leaf := served(t, m)
	if !leaf.NotAfter.Equal(caNotAfter) {
		t.Errorf("server NotAfter = %v, want the CA's %v", leaf.NotAfter, caNotAfter)
	}
	// It cannot get any better, so further handshakes must not reissue.
	c.Set(at.Add(time.Hour))
	if again := served(t, m); !again.Equal(leaf) {
		t.Error("reissued although no longer certificate is possible")
	}
	if err := verifyName(m, leaf, "localhost", at); err != nil {
		t.Errorf("verify: %v", err)
	}
}

func TestExpiredCAIsReplaced(t *testing.T) {
	after := t0.Add(caValidity + time.Hour)
	for _, via := range []string{"Open", "GetCertificate"} {
		t.Run(via, func(t *testing.T) {
			cfg, c := testConfig(t)
			m := mustOpen(t, cfg)
			oldCA := m.CAFingerprint()
			c.Set(after)
			if via == "Open" {
				m = mustOpen(t, cfg)
			}
			leaf := served(t, m)
			if m.CAFingerprint() == oldCA {
				t.Fatal("expired CA kept")
			}
			if err := verifyName(m, leaf, "signalbox-test.local", after); err != nil {
				t.Errorf("server certificate does not verify against the new CA: %v", err)
			}
			if got := mustRead(t, filepath.Join(cfg.Dir, caCertFile)); !bytes.Equal(got, m.CACertPEM()) {
				t.Error("new CA not written to ca.pem")
			}
		})
	}
}

func TestConcurrentRenewal(t *testing.T) {
	cfg, c := testConfig(t)
	m := mustOpen(t, cfg)
	c.Set(t0.Add(DefaultServerValidity - time.Hour))
	const callers = 16
	fps := make([]string, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			cert, err := m.GetCertificate(nil)
			if err != nil {
				t.Error(err)
				return
			}
			fps[i] = fingerprint(cert.Leaf.Raw)
			_ = m.ServerFingerprint()
			_, _ = m.Names()
		})
	}
	wg.Wait()
	slices.Sort(fps)
	if fps = slices.Compact(fps); len(fps) != 1 {
		t.Errorf("concurrent handshakes saw %d certificates, want 1 renewal", len(fps))
	}
}

func TestRenewalFailureServesCurrentCertificate(t *testing.T) {
	cfg, c := testConfig(t)
	m := mustOpen(t, cfg)
	before := m.ServerFingerprint()
	// Make every write fail, even for root: the directory becomes a file.
	if err := os.RemoveAll(cfg.Dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.Dir, nil, fileMode); err != nil {
		t.Fatal(err)
	}

	window := t0.Add(DefaultServerValidity - time.Hour)
	c.Set(window)
	cert, err := m.GetCertificate(nil)
	if err != nil || fingerprint(cert.Leaf.Raw) != before {
		t.Fatalf("GetCertificate during a failed renewal = %v, %v; want the current certificate", cert, err)
	}
	if err := m.SetAddresses([]net.IP{net.ParseIP("10.0.0.5")}, nil); err == nil {
		t.Error("SetAddresses succeeded although the certificate cannot be saved")
	}
	c.Set(t0.Add(DefaultServerValidity + time.Hour))
	if cert, err := m.GetCertificate(nil); err == nil {
		t.Errorf("GetCertificate with an expired certificate and a failed renewal = %v, want an error", cert.Leaf.NotAfter)
	}

	// Once the directory is back, the next attempt after the pause renews.
	if err := os.Remove(cfg.Dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(cfg.Dir, dirMode); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(DefaultServerValidity + time.Hour + retryAfterFailure)
	c.Set(later)
	if err := verifyName(m, served(t, m), "10.0.0.5", later); err != nil {
		t.Errorf("after recovery: %v", err)
	}
}
