package service

// HTTPS and the relay, wired as the appliance runs them: a real local CA in
// a temporary config folder, real TLS clients that trust only that CA, the
// real TURN server with a pion client using the credentials a native
// welcome hands out. Everything talks to loopback only.

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/turn/v4"

	"signalbox/internal/turnrelay"
)

// ioTimeout bounds every network wait in these tests, so a lost datagram
// fails the test instead of hanging it.
const ioTimeout = 5 * time.Second

// newSecureService returns a stopped service with HTTPS on, its CA in a
// temporary config folder, TURN as given; stopped when t ends.
func newSecureService(t *testing.T, st Settings, configDir string) *Service {
	t.Helper()
	if st.Addr == "" {
		st.Addr = "127.0.0.1:0"
	}
	s := New(Config{Settings: st, Version: "test", ConfigDir: configDir}, quietAfterLogger(t))
	t.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			t.Errorf("Stop() = %v", err)
		}
	})
	return s
}

// afterWriter forwards log lines to t.Log until the test ends, then drops
// them: pion's TURN goroutines may still log while they wind down after
// the relay closed, and testing panics on output after a test.
type afterWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *afterWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

// quietAfterLogger logs to t until t ends.
func quietAfterLogger(t *testing.T) *slog.Logger {
	w := &afterWriter{t: t}
	t.Cleanup(func() { // registered before the service's Stop, so it runs after it
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// caPool reads the CA the service created in configDir.
func caPool(t *testing.T, configDir string) (*x509.CertPool, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(configDir, TLSFolder, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("ca.pem holds no PEM block")
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(b)
	return pool, block.Bytes
}

// httpsClient trusts only roots.
func httpsClient(t *testing.T, roots *x509.CertPool) *http.Client {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: ioTimeout}
}

// getJSON fetches u with c and decodes its JSON body into v.
func getJSON(t *testing.T, c *http.Client, u string, v any) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// canListen reports whether addr (an IP) can be bound here.
func canListen(ip string) bool {
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

func fingerprintOf(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, c := range sum {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}

// TestHTTPSEveryServedAddress starts the service with HTTPS on and checks
// that a TLS client trusting only the generated CA connects to every
// loopback address served (127.0.0.1, ::1 and localhost), that the
// fingerprint shown is the CA's, and that keys are private to the user.
// The wildcard case listens everywhere but talks to loopback only; its
// certificate must name every private LAN address of this machine.
func TestHTTPSEveryServedAddress(t *testing.T) {
	tests := []struct {
		name string
		addr string
		dial []string // hosts to connect to
	}{
		{"ipv4 loopback", "127.0.0.1:0", []string{"127.0.0.1", "localhost"}},
		{"ipv6 loopback", "[::1]:0", []string{"::1"}},
		{"wildcard", ":0", []string{"127.0.0.1", "::1", "localhost"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, h := range tt.dial {
				if ip := net.ParseIP(h); ip != nil && !canListen(h) {
					t.Skipf("no %s on this machine", h)
				}
			}
			dir := t.TempDir()
			s := newSecureService(t, Settings{Addr: tt.addr, HTTPS: true}, dir)
			if err := s.Start(); err != nil {
				t.Fatalf("Start() = %v", err)
			}
			roots, caDER := caPool(t, dir)
			st := s.TLS()
			if !st.Active || st.Error != "" || st.UserCert {
				t.Fatalf("TLS() = %+v, want active with the local CA", st)
			}
			if want := fingerprintOf(caDER); st.Fingerprint != want {
				t.Errorf("TLS().Fingerprint = %q, want the CA's %q", st.Fingerprint, want)
			}
			if st.CAFile != filepath.Join(dir, TLSFolder, "ca.pem") {
				t.Errorf("TLS().CAFile = %q", st.CAFile)
			}
			port := strconv.Itoa(s.Port())
			if want := "http://"; !strings.HasPrefix(st.TrustURL, want) || !strings.HasSuffix(st.TrustURL, ":"+port+"/trust") {
				t.Errorf("TLS().TrustURL = %q, want plain HTTP /trust on port %s", st.TrustURL, port)
			}
			c := httpsClient(t, roots)
			for _, h := range tt.dial {
				var info struct {
					HTTPS, Secure, CA bool
					Fingerprint       string
				}
				getJSON(t, c, "https://"+net.JoinHostPort(h, port)+"/api/tls", &info)
				if !info.HTTPS || !info.Secure || !info.CA || info.Fingerprint != st.Fingerprint {
					t.Errorf("https://%s /api/tls = %+v, want https, secure, the CA's fingerprint", h, info)
				}
			}
			// The same port still speaks plain HTTP to this machine.
			if tt.addr != "[::1]:0" {
				if code := healthz(t, s.Port()); code != http.StatusOK {
					t.Errorf("plain /healthz on loopback = %d, want 200", code)
				}
			}
			for _, f := range []string{"ca-key.pem", "server-key.pem"} {
				info, err := os.Stat(filepath.Join(dir, TLSFolder, f))
				if err != nil {
					t.Fatal(err)
				}
				if perm := info.Mode().Perm(); perm != 0o600 {
					t.Errorf("%s mode = %v, want 0600", f, perm)
				}
			}
			if tt.addr == ":0" {
				hosts, ips := s.sec.certs.Names()
				for _, a := range LANAddrs(nil) {
					if (a.IP.IsPrivate() || a.IP.IsLinkLocalUnicast()) && !slices.ContainsFunc(ips, a.IP.Equal) {
						t.Errorf("certificate IPs %v lack LAN address %v", ips, a.IP)
					}
				}
				if !slices.Contains(hosts, "signalbox.local") {
					t.Errorf("certificate names %v lack signalbox.local", hosts)
				}
			}
		})
	}
}

func TestHTTPSStoppedAndDisabled(t *testing.T) {
	s := newSecureService(t, Settings{HTTPS: true, TURN: true}, t.TempDir())
	if st, r := s.TLS(), s.Relay(); !st.Enabled || st.Active || !r.Enabled || r.Active {
		t.Errorf("stopped: TLS() = %+v, Relay() = %+v; want enabled, inactive", st, r)
	}
	off := newSecureService(t, Settings{}, t.TempDir())
	if err := off.Start(); err != nil {
		t.Fatal(err)
	}
	if st := off.TLS(); st.Enabled || st.Active || st.Fingerprint != "" || st.TrustURL != "" {
		t.Errorf("HTTPS off: TLS() = %+v, want all off", st)
	}
	if got := off.JoinURLs(); len(got) != 1 || !strings.HasPrefix(got[0], "http://127.0.0.1:") {
		t.Errorf("HTTPS off: JoinURLs() = %q", got)
	}
}

// TestCertsFailureServesPlainHTTP breaks the stored CA: HTTPS cannot start,
// which the status tells, and the server serves plain HTTP all the same.
func TestCertsFailureServesPlainHTTP(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) Settings
	}{
		{"unreadable CA", func(t *testing.T, dir string) Settings {
			if err := os.MkdirAll(filepath.Join(dir, TLSFolder), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, TLSFolder, "ca.pem"), []byte("not a certificate"), 0o600); err != nil {
				t.Fatal(err)
			}
			return Settings{HTTPS: true}
		}},
		{"missing user certificate", func(t *testing.T, dir string) Settings {
			return Settings{HTTPS: true, CertFile: filepath.Join(dir, "none.pem"), KeyFile: filepath.Join(dir, "none-key.pem")}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := newSecureService(t, tt.setup(t, dir), dir)
			if err := s.Start(); err != nil {
				t.Fatalf("Start() = %v, want the server to start without HTTPS", err)
			}
			if st := s.TLS(); !st.Enabled || st.Active || st.Code != "failed" || st.Error == "" {
				t.Errorf("TLS() = %+v, want enabled, inactive, code failed", st)
			}
			if code := healthz(t, s.Port()); code != http.StatusOK {
				t.Errorf("/healthz = %d, want 200", code)
			}
			var info struct{ HTTPS bool }
			getJSON(t, http.DefaultClient, "http://127.0.0.1:"+strconv.Itoa(s.Port())+"/api/tls", &info)
			if info.HTTPS {
				t.Errorf("/api/tls https = true, want false")
			}
		})
	}
}

// iceServer is an entry of the welcome's iceServers, as a client reads it.
type iceServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username"`
	Credential string   `json:"credential"`
}

// welcomeICE connects to the native protocol and returns the welcome's
// peer id and ICE servers.
func welcomeICE(t *testing.T, port int) (string, []iceServer) {
	t.Helper()
	id, ice, _ := welcomeConn(t, port)
	return id, ice
}

// seatedICE is welcomeICE for a peer that then takes a seat in room: TURN
// credentials are valid only while their peer holds one. It returns the
// connection too, to leave with.
func seatedICE(t *testing.T, port int, room string) (string, []iceServer, *websocket.Conn) {
	t.Helper()
	id, ice, ws := welcomeConn(t, port)
	if err := ws.WriteJSON(map[string]string{"type": "join", "room": room}); err != nil {
		t.Fatal(err)
	}
	for {
		var f struct{ Type string }
		if err := ws.ReadJSON(&f); err != nil {
			t.Fatalf("join: %v", err)
		}
		if f.Type == "joined" {
			return id, ice, ws
		}
	}
}

// welcomeConn is welcomeICE, also returning the open connection.
func welcomeConn(t *testing.T, port int) (string, []iceServer, *websocket.Conn) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://127.0.0.1:"+strconv.Itoa(port)+"/ws", nil)
	if err != nil {
		t.Fatalf("dial /ws: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	if err := ws.SetReadDeadline(time.Now().Add(ioTimeout)); err != nil {
		t.Fatal(err)
	}
	var w struct {
		Type string `json:"type"`
		Peer struct {
			ID string `json:"id"`
		} `json:"peer"`
		ICEServers *[]iceServer `json:"iceServers"`
	}
	if err := ws.ReadJSON(&w); err != nil {
		t.Fatalf("read welcome: %v", err)
	}
	if w.Type != "welcome" || w.ICEServers == nil {
		t.Fatalf("first frame = %+v, want a welcome with iceServers", w)
	}
	return w.Peer.ID, *w.ICEServers, ws
}

// TestTURNInWelcome checks the native welcome hands each peer the built-in
// relay with its own credentials, and that a TURN client using them
// relays data, which the relay status then shows as in use.
func TestTURNInWelcome(t *testing.T) {
	s := newSecureService(t, Settings{TURN: true, TURNPort: 0}, "")
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	r := s.Relay()
	if !r.Active || r.Addr != "127.0.0.1" || r.Port == 0 || r.InUse || r.ActiveAllocations != 0 {
		t.Fatalf("Relay() = %+v, want active on 127.0.0.1 (no LAN served), idle", r)
	}
	id, ice, _ := seatedICE(t, s.Port(), "turn")
	hostPort := net.JoinHostPort("127.0.0.1", strconv.Itoa(r.Port))
	want := []string{"turn:" + hostPort + "?transport=udp", "turn:" + hostPort + "?transport=tcp"}
	if len(ice) != 1 || !slices.Equal(ice[0].URLs, want) {
		t.Fatalf("welcome iceServers = %+v, want one server with %q", ice, want)
	}
	if !strings.HasSuffix(ice[0].Username, ":"+id) || ice[0].Credential == "" {
		t.Errorf("TURN username %q credential %q, want <expiry>:%s and a credential", ice[0].Username, ice[0].Credential, id)
	}
	_, other, _ := seatedICE(t, s.Port(), "turn")
	if other[0].Username == ice[0].Username {
		t.Errorf("two peers got the same TURN username %q", other[0].Username)
	}

	relayTo(t, hostPort, ice[0], other[0])
	r = s.Relay()
	if !r.InUse || r.RelayedBytes == 0 || r.ActiveAllocations != 2 {
		t.Errorf("Relay() after relaying = %+v, want in use with two allocations", r)
	}
}

// allocate makes a relay allocation on the TURN server at hostPort with
// the credentials of ice.
func allocate(t *testing.T, hostPort string, ice iceServer) (net.PacketConn, error) {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	client, err := turn.NewClient(&turn.ClientConfig{
		STUNServerAddr: hostPort, TURNServerAddr: hostPort, Conn: conn,
		Username: ice.Username, Password: ice.Credential, Realm: turnrelay.DefaultRealm,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	if err := client.Listen(); err != nil {
		t.Fatal(err)
	}
	relayConn, err := client.Allocate()
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { relayConn.Close() })
	return relayConn, nil
}

// relayTo allocates a relay for each of two peers on the TURN server at
// hostPort and sends a datagram from one relay to the other, and back: on
// a machine with no LAN, browsers here meet relay to relay (the relay
// reaches no other port of this machine).
func relayTo(t *testing.T, hostPort string, a, b iceServer) {
	t.Helper()
	relayConn, err := allocate(t, hostPort, a)
	if err != nil {
		t.Fatalf("Allocate with the welcome's credentials: %v", err)
	}
	peer, err := allocate(t, hostPort, b)
	if err != nil {
		t.Fatalf("Allocate with the welcome's credentials: %v", err)
	}
	// Each relay must permit the other's address.
	if _, err := peer.WriteTo([]byte("permit"), relayConn.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if _, err := relayConn.WriteTo([]byte("hello via relay"), peer.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	if err := peer.SetReadDeadline(time.Now().Add(ioTimeout)); err != nil {
		t.Fatal(err)
	}
	n, from, err := peer.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "hello via relay" {
		t.Fatalf("peer read %q, %v; want the relayed datagram", buf[:n], err)
	}
	if _, err := peer.WriteTo([]byte("and back"), from); err != nil {
		t.Fatal(err)
	}
	if err := relayConn.SetReadDeadline(time.Now().Add(ioTimeout)); err != nil {
		t.Fatal(err)
	}
	for { // "permit" may come first
		if n, _, err = relayConn.ReadFrom(buf); err != nil {
			t.Fatalf("relay read: %v; want the answer", err)
		}
		if string(buf[:n]) == "and back" {
			return
		}
	}
}

func TestTURNDisabled(t *testing.T) {
	s := newSecureService(t, Settings{TURN: false}, "")
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if _, ice := welcomeICE(t, s.Port()); len(ice) != 0 {
		t.Errorf("welcome iceServers = %+v with TURN off, want []", ice)
	}
	if r := s.Relay(); r.Enabled || r.Active {
		t.Errorf("Relay() = %+v, want off", r)
	}
}

// TestTURNFailureServes holds the relay's port: the relay cannot start,
// the status says why, peers get no ICE servers, and signalling goes on.
func TestTURNFailureServes(t *testing.T) {
	busy := busyPort(t) // TCP, which the relay needs besides UDP
	s := newSecureService(t, Settings{TURN: true, TURNPort: busy}, "")
	if err := s.Start(); err != nil {
		t.Fatalf("Start() = %v, want the server to start without the relay", err)
	}
	if r := s.Relay(); !r.Enabled || r.Active || r.Code != "failed" || r.Error == "" || r.Port != busy {
		t.Errorf("Relay() = %+v, want enabled, inactive, code failed, port %d", r, busy)
	}
	if _, ice := welcomeICE(t, s.Port()); len(ice) != 0 {
		t.Errorf("welcome iceServers = %+v without a relay, want []", ice)
	}
	if code := healthz(t, s.Port()); code != http.StatusOK {
		t.Errorf("/healthz = %d, want 200", code)
	}
}

// TestApplyTURNKeepsHub turns the relay off and on: the hub (and every
// peer) stays; new peers get the new ICE servers.
func TestApplyTURNKeepsHub(t *testing.T) {
	st := Settings{Addr: "127.0.0.1:0", TURN: true}
	s := newSecureService(t, st, "")
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	hub := s.Hub()
	for _, on := range []bool{false, true} {
		st.TURN = on
		restarted, err := s.Apply(context.Background(), st)
		if err != nil || restarted || s.Hub() != hub {
			t.Fatalf("Apply(TURN=%v) = %v, %v, hub replaced %v; want the same hub", on, restarted, err, s.Hub() != hub)
		}
		if r := s.Relay(); r.Active != on || r.Enabled != on {
			t.Errorf("TURN=%v: Relay() = %+v", on, r)
		}
		if _, ice := welcomeICE(t, s.Port()); (len(ice) == 1) != on {
			t.Errorf("TURN=%v: welcome iceServers = %+v", on, ice)
		}
	}
	// The relay takes its own port back, as it must with the fixed default
	// port: once when only the relay restarts, once with the whole server.
	port := s.Relay().Port
	st.TURNPort = port
	if restarted, err := s.Apply(context.Background(), st); err != nil || restarted {
		t.Fatalf("Apply(TURN port %d) = %v, %v; want no restart", port, restarted, err)
	}
	if r := s.Relay(); !r.Active || r.Port != port {
		t.Errorf("after Apply(TURN port %d): Relay() = %+v", port, r)
	}
	st.HTTPS = true
	if restarted, err := s.Apply(context.Background(), st); err != nil || !restarted {
		t.Errorf("Apply(HTTPS on) = %v, %v; want a restart", restarted, err)
	}
	if r := s.Relay(); !r.Active || r.Port != port {
		t.Errorf("after a restart: Relay() = %+v, want active on port %d again", r, port)
	}
}

// TestAddressesChanged gives the running service a new LAN address: the
// certificate is re-issued for it, without a restart.
func TestAddressesChanged(t *testing.T) {
	dir := t.TempDir()
	s := newSecureService(t, Settings{HTTPS: true}, dir)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	lan := net.ParseIP("10.9.8.7")
	s.mu.Lock()
	sec := s.sec
	s.mu.Unlock()
	if _, ips := sec.certs.Names(); slices.ContainsFunc(ips, lan.Equal) {
		t.Fatalf("certificate names %v before the change", ips)
	}
	before := sec.certs.ServerFingerprint()
	sec.addressesChanged([]net.IP{lan, net.IPv4(127, 0, 0, 1), net.IPv6loopback})
	if _, ips := sec.certs.Names(); !slices.ContainsFunc(ips, lan.Equal) {
		t.Errorf("certificate IPs %v after the change, want %v among them", ips, lan)
	}
	if sec.certs.ServerFingerprint() == before {
		t.Errorf("server certificate not re-issued")
	}
	if s.TLS().Fingerprint != fingerprintOf(mustCADER(t, dir)) {
		t.Errorf("the CA fingerprint changed with the addresses")
	}
	// The new certificate is served at once.
	roots, _ := caPool(t, dir)
	conn, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(s.Port()), &tls.Config{RootCAs: roots})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	leaf := conn.ConnectionState().PeerCertificates[0]
	if !slices.ContainsFunc(leaf.IPAddresses, lan.Equal) {
		t.Errorf("served certificate IPs %v, want %v among them", leaf.IPAddresses, lan)
	}
}

func mustCADER(t *testing.T, dir string) []byte {
	t.Helper()
	_, der := caPool(t, dir)
	return der
}

func TestWithScheme(t *testing.T) {
	joins := []JoinURL{
		{URL: "http://192.168.1.20:7480/", Interface: "wlan0"},
		{URL: "http://[fd00::2]:7480/", Interface: "wlan0"},
		{URL: "http://127.0.0.1:7480/"},
	}
	tests := []struct {
		name   string
		joins  []JoinURL
		secure bool
		alt    string
		want   []string
	}{
		{"https", joins, true, "signalbox.local", []string{
			"https://192.168.1.20:7480/", "https://[fd00::2]:7480/", "https://signalbox.local:7480/", "http://127.0.0.1:7480/"}},
		{"plain", joins, false, "lab.local", []string{
			"http://192.168.1.20:7480/", "http://[fd00::2]:7480/", "http://lab.local:7480/", "http://127.0.0.1:7480/"}},
		{"no alternative name", joins[:1], true, "", []string{"https://192.168.1.20:7480/"}},
		{"loopback only", joins[2:], true, "signalbox.local", []string{"http://127.0.0.1:7480/"}},
		{"loopback listed first", []JoinURL{joins[2], joins[0]}, true, "", []string{"https://192.168.1.20:7480/", "http://127.0.0.1:7480/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, j := range withScheme(tt.joins, 7480, tt.secure, tt.alt) {
				got = append(got, j.URL)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("withScheme() = %q, want %q", got, tt.want)
			}
		})
	}
	if got := trustURL(withScheme(joins, 7480, true, "")); got != "http://192.168.1.20:7480/trust" {
		t.Errorf("trustURL() = %q, want the primary address over plain HTTP", got)
	}
}

func TestServedIPs(t *testing.T) {
	lan := func(only []string) []LANAddr {
		all := []LANAddr{{IP: net.ParseIP("192.168.1.20"), Interface: "wlan0"}, {IP: net.ParseIP("fd00::2"), Interface: "wlan0"}, {IP: net.ParseIP("10.1.0.2"), Interface: "eth0"}}
		if len(only) == 0 {
			return all
		}
		return slices.DeleteFunc(all, func(a LANAddr) bool { return !slices.Contains(only, a.Interface) })
	}
	tests := []struct {
		name string
		ips  []net.IP
		only []string
		want string
	}{
		{"loopback", []net.IP{net.IPv4(127, 0, 0, 1)}, nil, "127.0.0.1 ::1"},
		{"dual-stack wildcard", []net.IP{net.IPv6unspecified}, nil, "192.168.1.20 fd00::2 10.1.0.2 127.0.0.1 ::1"},
		{"ipv4 wildcard", []net.IP{net.IPv4zero}, nil, "192.168.1.20 10.1.0.2 127.0.0.1 ::1"},
		{"chosen interface", []net.IP{net.IPv6unspecified}, []string{"eth0"}, "10.1.0.2 127.0.0.1 ::1"},
		{"specific", []net.IP{net.IPv4(127, 0, 0, 1), net.ParseIP("10.1.0.2")}, []string{"eth0"}, "10.1.0.2 127.0.0.1 ::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, ip := range servedIPs(tt.ips, tt.only, lan) {
				got = append(got, ip.String())
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("servedIPs(%v) = %q, want %q", tt.ips, got, tt.want)
			}
			plan := planRelay(servedIPs(tt.ips, tt.only, lan))
			if wantLoop := tt.name == "loopback"; plan.loopback != wantLoop || (wantLoop && !plan.listen.Equal(net.IPv4(127, 0, 0, 1))) || (!wantLoop && plan.listen != nil) {
				t.Errorf("planRelay = %+v, loopback %v", plan, wantLoop)
			}
		})
	}
}

func TestRelayInUse(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		stats turnrelay.Stats
		grew  time.Time
		want  bool
	}{
		{"idle", turnrelay.Stats{}, time.Time{}, false},
		{"allocated but unused", turnrelay.Stats{ActiveAllocations: 2}, time.Time{}, false},
		{"relaying", turnrelay.Stats{ActiveAllocations: 2, RelayedBytes: 9000}, now.Add(-time.Second), true},
		{"quiet for a while", turnrelay.Stats{ActiveAllocations: 2, RelayedBytes: 9000}, now.Add(-relayIdleAfter), false},
		{"allocations gone", turnrelay.Stats{RelayedBytes: 9000}, now, false},
	}
	for _, tt := range tests {
		if got := relayInUse(tt.stats, tt.grew, now); got != tt.want {
			t.Errorf("%s: relayInUse() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMachineLocalName(t *testing.T) {
	host, err := os.Hostname()
	if err != nil || host == "" || strings.EqualFold(host, "localhost") {
		t.Skip("no host name")
	}
	label, _, _ := strings.Cut(strings.ToLower(host), ".")
	if got := machineLocalName(); got != label+".local" {
		t.Errorf("machineLocalName() = %q, want %q", got, label+".local")
	}
	if got := certHosts(); !slices.Contains(got, "signalbox.local") || !slices.Contains(got, label+".local") {
		t.Errorf("certHosts() = %q", got)
	}
}

// TestTXTFingerprint: the mDNS TXT record carries the scheme and the CA's
// fingerprint, so a client that discovers the server can pin it.
func TestTXTFingerprint(t *testing.T) {
	tests := []struct {
		name       string
		https      bool
		wantScheme string
	}{
		{"https", true, "https"},
		{"plain", false, "http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSecureService(t, Settings{HTTPS: tt.https, MDNS: true}, t.TempDir())
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}
			s.mu.Lock()
			txt := s.adv.cfg.TXT
			s.mu.Unlock()
			if txt.Scheme != tt.wantScheme || txt.Fingerprint != s.TLS().Fingerprint || (tt.https && txt.Fingerprint == "") {
				t.Errorf("TXT = %+v, want scheme %s and fingerprint %q", txt, tt.wantScheme, s.TLS().Fingerprint)
			}
		})
	}
}

func TestUncoveredJoinHosts(t *testing.T) {
	covered := map[string]bool{"192.168.1.20": true, "signalbox.local": true}
	joins := []JoinURL{
		{URL: "https://192.168.1.20:7480/"},
		{URL: "https://203.0.113.7:7480/"},
		{URL: "https://[2001:db8::7]:7480/"},
		{URL: "https://203.0.113.7:7480/"},
		{URL: "https://signalbox.local:7480/"},
		{URL: "http://127.0.0.1:7480/"}, // plain HTTP: no certificate involved
	}
	got := uncovered(joins, func(h string) bool { return covered[h] })
	if want := []string{"203.0.113.7", "2001:db8::7"}; !slices.Equal(got, want) {
		t.Errorf("uncovered = %q, want %q", got, want)
	}
}
