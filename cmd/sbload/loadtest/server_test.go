package loadtest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"signalbox/internal/certs"
	"signalbox/internal/testwait"
	"signalbox/signaling"
	"signalbox/signaling/httpserver"
)

// waitFor bounds every wait of these tests for something that must happen.
const waitFor = 10 * time.Second

// testServer is a real Signalbox HTTP server on a loopback port.
type testServer struct {
	addr string
	hub  *signaling.Hub
}

// startServer serves cfg on 127.0.0.1 until the test ends.
func startServer(t testing.TB, cfg signaling.Config) *testServer {
	t.Helper()
	return startServerWith(t, httpserver.Config{Hub: cfg, Version: "test"})
}

// startTLSServer is startServer speaking HTTPS, with a certificate from a
// local CA of its own, as Signalbox serves the LAN.
func startTLSServer(t testing.TB, cfg signaling.Config) *testServer {
	t.Helper()
	m, err := certs.Open(certs.Config{Dir: t.TempDir(), IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	return startServerWith(t, httpserver.Config{Hub: cfg, Version: "test", TLS: m.TLSConfig()})
}

// quietLog is a logger that says nothing.
func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startServerWith serves hc on 127.0.0.1 until the test ends; before
// serving, it hands the hub to each of setup (to attach a cluster).
func startServerWith(t testing.TB, hc httpserver.Config, setup ...func(*signaling.Hub)) *testServer {
	t.Helper()
	srv, err := httpserver.New(hc, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range setup {
		f(srv.Hub())
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return &testServer{addr: l.Addr().String(), hub: srv.Hub()}
}

// eventually waits until cond holds (testwait.Until, within waitFor).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, what, waitFor, cond)
}
