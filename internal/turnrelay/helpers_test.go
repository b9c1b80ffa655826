package turnrelay

import (
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/turn/v4"
)

// ioTimeout bounds every read in the tests, so a lost datagram or a broken
// server fails the test instead of hanging it.
const ioTimeout = 5 * time.Second

// t0 is the tests' starting time.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable time source for Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// testWriter forwards log lines to t.Log until the test ends, then drops
// them: pion's goroutines may still log while they wind down after Close.
type testWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func testLogger(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() { // registered first, so it runs last
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// allowLoopback lets the tests' peers, which live on loopback (127.0.0.2:
// the relay's own address, 127.0.0.1, is this machine), be relayed to.
func allowLoopback(ip net.IP) bool { return ip.IsLoopback() }

// startTest starts a server on 127.0.0.1 with the test defaults (a clock at
// t0, loopback peers allowed) unless cfg sets them, and closes it at the end.
func startTest(t *testing.T, cfg Config) (*Server, *clock) {
	t.Helper()
	c := &clock{t: t0}
	if cfg.ListenIP == nil {
		cfg.ListenIP = net.IPv4(127, 0, 0, 1)
	}
	if cfg.Now == nil {
		cfg.Now = c.Now
	}
	log := testLogger(t)
	s, err := Start(cfg, log)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, c
}

// newClient returns a pion TURN client talking to s over transport ("udp"
// or "tcp") from loopback.
func newClient(t *testing.T, s *Server, transport, username, password string) *turn.Client {
	t.Helper()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port()))
	var conn net.PacketConn
	switch transport {
	case "udp":
		pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		conn = pc
	case "tcp":
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conn = turn.NewSTUNConn(c)
	default:
		t.Fatalf("transport %q", transport)
	}
	client, err := turn.NewClient(&turn.ClientConfig{
		STUNServerAddr: addr,
		TURNServerAddr: addr,
		Conn:           conn,
		Username:       username,
		Password:       password,
		LoggerFactory:  pionLoggers{log: testLogger(t)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		client.Close()
		_ = conn.Close()
	})
	return client
}

// listenPeer opens a plain UDP socket on ip, standing for a remote peer.
func listenPeer(t *testing.T, ip string) net.PacketConn {
	t.Helper()
	pc, err := net.ListenPacket("udp4", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Skipf("cannot listen on %s: %v", ip, err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	return pc
}

// readFrom reads one datagram from pc within ioTimeout.
func readFrom(t *testing.T, pc net.PacketConn) (string, net.Addr) {
	t.Helper()
	if err := pc.SetReadDeadline(time.Now().Add(ioTimeout)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	n, from, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatalf("read on %v: %v", pc.LocalAddr(), err)
	}
	return string(buf[:n]), from
}
