package engineio

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestNewRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		h    Handler
	}{
		{"nil handler", Config{}, nil},
		{"negative ping interval", Config{PingInterval: -time.Second}, newRecorder(false)},
		{"negative max payload", Config{MaxPayload: -1}, newRecorder(false)},
		{"negative queue", Config{SendQueueSize: -1}, newRecorder(false)},
	}
	for _, tc := range tests {
		if _, err := New(tc.cfg, tc.h, nil); !errors.Is(err, errBadConfig) {
			t.Errorf("%s: New error = %v, want errBadConfig", tc.name, err)
		}
	}
}

func TestShutdown(t *testing.T) {
	rec := newRecorder(false)
	h := newHarness(t, Config{}, rec)
	_, parkedSession := h.openPolling()
	pending := h.getAsync(context.Background(), parkedSession.ID())
	h.awaitParked(parkedSession)
	_, idleSession := h.openPolling()
	conn, _, wsSession := h.openWebSocket()
	if err := wsSession.Send("bye"); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), failAfter)
	defer cancel()
	if err := h.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	// Shutdown returned: every Handler.Close has run.
	reasons := map[*Session]string{}
	for range 3 {
		ev := recv(t, rec.closed)
		reasons[ev.s] = ev.reason
	}
	for _, s := range []*Session{parkedSession, idleSession, wsSession} {
		if reasons[s] != ReasonServerShutdown {
			t.Errorf("session %s closed with %q, want %q", s.ID(), reasons[s], ReasonServerShutdown)
		}
	}
	if res := recv(t, pending); res.body != "1" {
		t.Errorf("pending poll = %d %q, want \"1\"", res.status, res.body)
	}
	if got := readText(t, conn); got != "4bye" {
		t.Errorf("WebSocket frame = %q, want the queued message", got)
	}
	if err := readUntilError(t, conn); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Errorf("WebSocket after Shutdown: %v, want a normal close frame", err)
	}
	res, err := h.do(context.Background(), http.MethodGet, "transport=polling", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, "handshake after Shutdown", res, http.StatusServiceUnavailable, codeBadRequest)
	if c, res, err := h.dial("transport=websocket", nil); err == nil {
		c.Close()
		t.Error("WebSocket handshake after Shutdown succeeded")
	} else if res == nil || res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("WebSocket handshake after Shutdown: %v, want 503", err)
	}
}

func TestShutdownDeadline(t *testing.T) {
	rec := newRecorder(false)
	rec.block = make(chan struct{})
	h := newHarness(t, Config{}, rec)
	conn, _, s := h.openWebSocket()
	writeText(t, conn, "4stuck")
	recv(t, rec.messages) // the handler is now inside Message and stays there
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := h.srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown with a stuck handler = %v, want DeadlineExceeded", err)
	}
	close(rec.block)
	h.wantClosed(s, ReasonServerShutdown)
}

func TestManySessions(t *testing.T) {
	const n = 20
	h := newHarness(t, Config{}, newRecorder(true))
	ids := map[string]bool{}
	for i := range n {
		_, s := h.openPolling()
		if ids[s.ID()] {
			t.Fatalf("session id %q handed out twice", s.ID())
		}
		ids[s.ID()] = true
		msg := "4m" + strconv.Itoa(i)
		h.post(s.ID(), msg)
		if res := h.get(s.ID()); res.body != msg {
			t.Errorf("session %d echo = %q, want %q", i, res.body, msg)
		}
	}
}

// TestShutdownDropsPatientlyClosingPoll checks that a polling session the
// server already closed patiently (Session.Close, waiting up to PingTimeout
// for a poll to fetch the close packet) is still dropped at once by
// Shutdown when no poll is pending: Shutdown must not wait out PingTimeout.
// (The hub's Shutdown closes its peers' sessions this way just before the
// transport's Shutdown runs.)
func TestShutdownDropsPatientlyClosingPoll(t *testing.T) {
	rec := newRecorder(false)
	h := newHarness(t, Config{PingTimeout: time.Hour}, rec)
	_, s := h.openPolling()
	s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), failAfter)
	defer cancel()
	if err := h.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown after Close: %v", err)
	}
	if ev := recv(t, rec.closed); ev.reason != ReasonForcedClose {
		t.Errorf("session closed with %q, want %q", ev.reason, ReasonForcedClose)
	}
}
