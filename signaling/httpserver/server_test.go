package httpserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"signalbox/internal/certs"
	"signalbox/signaling"
)

var testClient = fstest.MapFS{
	"index.html":    {Data: []byte("client page")},
	"window.html":   {Data: []byte("window page")},
	"trust.html":    {Data: []byte("trust page")},
	"assets/app.js": {Data: []byte("console.log(1)")},
}

func newServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.Client = testClient
	s, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// serve runs s on a loopback listener and returns its address.
func serve(t *testing.T, s *Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve returned %v, want http.ErrServerClosed", err)
		}
	})
	return l.Addr().String()
}

func request(t *testing.T, h http.Handler, path, remote string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	r.RemoteAddr = remote
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

const (
	local = "127.0.0.1:50000"
	lan   = "192.168.1.30:50000"
)

func TestRoutes(t *testing.T) {
	s := newServer(t, Config{ListRooms: true, Version: "v9"})
	tests := []struct {
		path, remote string
		status       int
		body         string
	}{
		{"/", lan, 200, "client page"},
		{"/r/math", lan, 200, "client page"},
		{"/r/%E6%95%B0%E5%AD%A6", lan, 200, "client page"},
		{"/trust", lan, 200, "trust page"},
		{"/assets/app.js", lan, 200, "console.log(1)"},
		{"/window.html", lan, 404, ""},
		{"/healthz", lan, 200, `"status":"ok"`},
		{"/api/lobby", lan, 200, `"listed":true`},
		{"/api/rooms", local, 200, `"rooms":[]`},
		{"/api/rooms", lan, 403, ""},
		{"/metrics", local, 200, "signalbox_peers"},
		{"/metrics", lan, 403, ""},
		{"/trust/ca.crt", lan, 404, ""},
	}
	for _, tt := range tests {
		w := request(t, s.mux, tt.path, tt.remote)
		if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.body) {
			t.Errorf("GET %s from %s = %d %q, want %d containing %q", tt.path, tt.remote, w.Code, w.Body.String(), tt.status, tt.body)
		}
	}
	if csp := request(t, s.mux, "/", lan).Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("client CSP = %q", csp)
	}
}

func TestAPIFromLANAndHiddenLobby(t *testing.T) {
	s := newServer(t, Config{APIFromLAN: true, ListRooms: false})
	if w := request(t, s.mux, "/api/rooms", lan); w.Code != 200 {
		t.Errorf("/api/rooms from LAN with APIFromLAN = %d", w.Code)
	}
	w := request(t, s.mux, "/api/lobby", lan)
	var lobby struct {
		Listed bool
		Rooms  []any
	}
	if err := json.Unmarshal(w.Body.Bytes(), &lobby); err != nil || lobby.Listed || len(lobby.Rooms) != 0 {
		t.Errorf("hidden lobby = %s", w.Body)
	}
}

func TestServeAndShutdown(t *testing.T) {
	s := newServer(t, Config{Hub: signaling.Config{ServerName: "x"}})
	addr := serve(t, s)
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz = %d", resp.StatusCode)
	}
}

func TestHTTPSAndPlainShareOnePort(t *testing.T) {
	m, err := certs.Open(certs.Config{Dir: t.TempDir(), Hosts: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Config{TLS: m.TLSConfig(), Trust: &TrustInfo{CAPEM: m.CACertPEM(), CADER: m.CACertDER(), Fingerprint: m.CAFingerprint()}})
	addr := serve(t, s)

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(m.CACertPEM())
	secure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := secure.Get("https://" + addr + "/api/tls")
	if err != nil {
		t.Fatalf("HTTPS with only the local CA trusted: %v", err)
	}
	var info struct {
		HTTPS, Secure bool
		Fingerprint   string
	}
	json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if !info.HTTPS || !info.Secure || info.Fingerprint != m.CAFingerprint() {
		t.Errorf("/api/tls over HTTPS = %+v", info)
	}
	if resp.TLS == nil || resp.TLS.NegotiatedProtocol == "h2" {
		t.Errorf("negotiated %q: WebSockets need HTTP/1.1", resp.TLS.NegotiatedProtocol)
	}

	// Plain HTTP on the same port: this machine is served as is.
	resp, err = http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("plain HTTP from loopback: %v %v", err, resp)
	}
	resp.Body.Close()

	// Another device over plain HTTP is sent to HTTPS, except for /trust.
	plain := s.plainHandler()
	w := request(t, plain, "/r/math?x=1", lan)
	if w.Code != http.StatusPermanentRedirect || w.Header().Get("Location") != "https://example.com/r/math?x=1" {
		t.Errorf("plain request from LAN = %d → %q", w.Code, w.Header().Get("Location"))
	}
	for _, p := range []string{"/trust", "/trust/ca.crt", "/trust/ca.pem"} {
		if w := request(t, plain, p, lan); w.Code != 200 {
			t.Errorf("plain %s from LAN = %d, want 200", p, w.Code)
		}
	}
	w = request(t, plain, "/trust/ca.crt", lan)
	if ct := w.Header().Get("Content-Type"); ct != "application/x-x509-ca-cert" || !bytesEqual(w.Body.Bytes(), m.CACertDER()) {
		t.Errorf("ca.crt: type %q, %d bytes", ct, w.Body.Len())
	}
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }
