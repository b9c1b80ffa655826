package engineio

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"signalbox/internal/testwait"
)

// newParkingHarness is newHarness, skipping the test where connections
// never park.
func newParkingHarness(t *testing.T, cfg Config, rec *recorder) *harness {
	t.Helper()
	h := newHarness(t, cfg, rec)
	if h.srv.poller.Count() < 0 {
		t.Skip("no poller on this platform")
	}
	return h
}

// wsParked reports how many WebSocket connections the server has parked.
func (h *harness) wsParked() int { return h.srv.poller.Count() }

// eventually waits until cond holds (testwait.Until, within failAfter).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, what, failAfter, cond)
}

// sessionGoroutines counts the goroutines running a WebSocket session's
// reader or writer.
func sessionGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "engineio.(*Session).serveWebSocket") || strings.Contains(g, "engineio.(*Session).write(") {
			count++
		}
	}
	return count
}

// parkedIdle waits until the server's only WebSocket session is parked
// with no goroutine of its own.
func (h *harness) parkedIdle() {
	h.t.Helper()
	eventually(h.t, "the session is parked", func() bool { return h.wsParked() == 1 })
	eventually(h.t, "the session holds no goroutine", func() bool { return sessionGoroutines() == 0 })
}

func TestWebSocketSessionParksAndWakesOnMessage(t *testing.T) {
	h := newParkingHarness(t, Config{}, newRecorder(true))
	conn, _, s := h.openWebSocket()
	h.parkedIdle()
	for _, msg := range []string{"4first", "4second"} {
		writeText(t, conn, msg)
		if got := readText(t, conn); got != msg {
			t.Fatalf("echo of %q from a parked session = %q", msg, got)
		}
		if ev := recv(t, h.rec.messages); ev.s != s || ev.data != msg[1:] {
			t.Fatalf("Handler.Message(%s, %q), want %q", ev.s.ID(), ev.data, msg[1:])
		}
		h.parkedIdle() // parked again once the client is quiet
	}
}

// A parked session gets what the server sends, without waking its reader:
// the writer starts for the message and ends after it.
func TestParkedSessionReceivesPush(t *testing.T) {
	h := newParkingHarness(t, Config{}, newRecorder(false))
	conn, _, s := h.openWebSocket()
	h.parkedIdle()
	for _, msg := range []string{"a", "b", "c"} {
		if err := s.Send(msg); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"4a", "4b", "4c"} {
		if got := readText(t, conn); got != want {
			t.Fatalf("pushed frame = %q, want %q", got, want)
		}
	}
	if n := h.wsParked(); n != 1 {
		t.Errorf("%d sessions parked after a push, want 1: the push woke the reader", n)
	}
	h.parkedIdle()
}

// The heartbeat runs on a parked session: each ping goes out while it is
// parked, and each pong wakes it and is taken (the next ping only comes
// once it was), after which it parks again.
func TestParkedSessionHeartbeat(t *testing.T) {
	cfg := Config{PingInterval: 20 * time.Millisecond, PingTimeout: failAfter}
	h := newParkingHarness(t, cfg, newRecorder(false))
	conn, _, _ := h.openWebSocket()
	for i := range 3 {
		if got := readText(t, conn); got != "2" {
			t.Fatalf("frame %d = %q, want ping", i, got)
		}
		h.parkedIdle()
		writeText(t, conn, "3")
	}
	if got := readText(t, conn); got != "2" {
		t.Fatalf("frame after three pongs = %q, want ping", got)
	}
	select {
	case ev := <-h.rec.closed:
		t.Fatalf("session closed (%s) although every ping was answered", ev.reason)
	default:
	}
}

// A WebSocket ping to a parked session is answered with a pong and
// delivers nothing to the Handler.
func TestParkedSessionAnswersWebSocketPing(t *testing.T) {
	h := newParkingHarness(t, Config{}, newRecorder(true))
	conn, _, _ := h.openWebSocket()
	h.parkedIdle()
	pong := make(chan string, 1)
	conn.SetPongHandler(func(s string) error { pong <- s; return nil })
	if err := conn.WriteControl(websocket.PingMessage, []byte("hi"), time.Now().Add(failAfter)); err != nil {
		t.Fatal(err)
	}
	// The server answers in order: reading the echo lets gorilla see the
	// pong before it.
	writeText(t, conn, "4after ping")
	if got := readText(t, conn); got != "4after ping" {
		t.Fatalf("echo = %q", got)
	}
	select {
	case s := <-pong:
		if s != "hi" {
			t.Errorf("pong payload %q, want %q", s, "hi")
		}
	default:
		t.Error("parked session did not answer a WebSocket ping")
	}
	if ev := recv(t, h.rec.messages); ev.data != "after ping" {
		t.Errorf("Handler.Message got %q, want only the message", ev.data)
	}
}

func TestParkedSessionClose(t *testing.T) {
	h := newParkingHarness(t, Config{}, newRecorder(false))
	conn, _, s := h.openWebSocket()
	h.parkedIdle()
	if err := s.Send("last"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := readText(t, conn); got != "4last" {
		t.Errorf("frame = %q, want the queued message", got)
	}
	if err := readUntilError(t, conn); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Errorf("after Close: %v, want a normal close frame", err)
	}
	h.wantClosed(s, ReasonForcedClose)
	eventually(t, "the connection leaves the poller", func() bool { return h.wsParked() == 0 })
	// Done is their last call, so they may still be returning.
	eventually(t, "the session's goroutines end", func() bool { return sessionGoroutines() == 0 })
}

// A parked client that stops answering is closed by the heartbeat, and
// its connection leaves the poller.
func TestParkedSessionPingTimeout(t *testing.T) {
	// PingTimeout is what the test waits for.
	cfg := Config{PingInterval: 20 * time.Millisecond, PingTimeout: 500 * time.Millisecond}
	h := newParkingHarness(t, cfg, newRecorder(false))
	conn, _, s := h.openWebSocket()
	if got := readText(t, conn); got != "2" {
		t.Fatalf("frame = %q, want ping", got)
	}
	h.parkedIdle()
	h.wantClosed(s, ReasonPingTimeout)
	eventually(t, "the connection leaves the poller", func() bool { return h.wsParked() == 0 })
	// Done is their last call, so they may still be returning.
	eventually(t, "the session's goroutines end", func() bool { return sessionGoroutines() == 0 })
	if err := readUntilError(t, conn); err == nil {
		t.Error("connection still open after ping timeout")
	}
}

func TestParkedSessionClientCloses(t *testing.T) {
	h := newParkingHarness(t, Config{}, newRecorder(false))
	conn, _, s := h.openWebSocket()
	h.parkedIdle()
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	if err := conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(failAfter)); err != nil {
		t.Fatal(err)
	}
	h.wantClosed(s, ReasonTransportClose)
	eventually(t, "the connection leaves the poller", func() bool { return h.wsParked() == 0 })
}

// A session that arrived by polling parks too once on its WebSocket.
func TestUpgradedSessionParks(t *testing.T) {
	h := newParkingHarness(t, Config{}, newRecorder(true))
	_, s := h.openPolling()
	conn := h.probe(s)
	writeText(t, conn, "5")
	h.parkedIdle()
	writeText(t, conn, "4hello")
	if got := readText(t, conn); got != "4hello" {
		t.Errorf("echo from the parked, upgraded session = %q", got)
	}
	h.parkedIdle()
}

// Shutdown ends parked sessions, waits for them and leaves no goroutine
// behind: neither the sessions' nor the poller's.
func TestShutdownEndsParkedSessions(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	rec := newRecorder(false)
	srv, err := New(Config{}, rec, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if srv.poller.Count() < 0 {
		t.Skip("no poller on this platform")
	}
	mux := http.NewServeMux()
	mux.Handle(Path, srv)
	ts := httptest.NewServer(mux)
	defer ts.Close()
	h := &harness{t: t, srv: srv, ts: ts, rec: rec}
	var conns []*websocket.Conn
	for range 3 {
		conn, _, _ := h.openWebSocket()
		conns = append(conns, conn)
	}
	eventually(t, "the sessions are parked", func() bool { return srv.poller.Count() == 3 })

	ctx, cancel := context.WithTimeout(context.Background(), failAfter)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for range conns {
		if ev := recv(t, rec.closed); ev.reason != ReasonServerShutdown {
			t.Errorf("session closed with %q, want %q", ev.reason, ReasonServerShutdown)
		}
	}
	if n := srv.poller.Count(); n != 0 {
		t.Errorf("%d connections parked after Shutdown", n)
	}
	for _, conn := range conns {
		if err := readUntilError(t, conn); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
			t.Errorf("after Shutdown: %v, want a normal close frame", err)
		}
		conn.Close()
	}
	rec.check(t)
}
