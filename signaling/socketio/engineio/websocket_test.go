package engineio

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// openWebSocket starts a WebSocket-only session and returns its handshake
// data and the session the Handler saw.
func (h *harness) openWebSocket() (*websocket.Conn, handshake, *Session) {
	h.t.Helper()
	conn := h.mustDial("transport=websocket")
	open := readText(h.t, conn)
	if !strings.HasPrefix(open, "0") {
		h.t.Fatalf("first frame %q, want an open packet", open)
	}
	var hs handshake
	if err := json.Unmarshal([]byte(open[1:]), &hs); err != nil {
		h.t.Fatalf("open packet %q: %v", open, err)
	}
	s := recv(h.t, h.rec.opened)
	if s.ID() != hs.SID {
		h.t.Fatalf("Handler.Open got session %q, handshake said %q", s.ID(), hs.SID)
	}
	return conn, hs, s
}

func TestWebSocketHandshake(t *testing.T) {
	cfg := Config{PingInterval: 300 * time.Millisecond, PingTimeout: 200 * time.Millisecond}
	h := newHarness(t, cfg, newRecorder(false))
	_, hs, s := h.openWebSocket()
	if hs.Upgrades == nil || len(hs.Upgrades) != 0 {
		t.Errorf("upgrades = %#v, want []", hs.Upgrades)
	}
	if hs.PingInterval != 300 || hs.PingTimeout != 200 || hs.MaxPayload != DefaultMaxPayload {
		t.Errorf("open packet %+v, want pingInterval 300, pingTimeout 200, maxPayload %d", hs, DefaultMaxPayload)
	}
	if s.Transport() != TransportWebSocket {
		t.Errorf("Transport() = %q, want websocket", s.Transport())
	}
}

func TestWebSocketBadHandshakes(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(false))
	tests := []struct {
		name   string
		query  string
		header http.Header
		status int
	}{
		{"no EIO", "transport=websocket&EIO=", nil, 400},
		{"EIO abc", "transport=websocket&EIO=abc", nil, 400},
		{"no transport", "", nil, 400},
		{"polling transport on an upgrade", "transport=polling", nil, 400},
		{"unknown sid", "transport=websocket&sid=nope", nil, 400},
		{"cross-site", "transport=websocket", http.Header{"Origin": {"http://evil.example"}}, 403},
	}
	for _, tc := range tests {
		conn, res, err := h.dial(tc.query, tc.header)
		if err == nil {
			conn.Close()
			t.Errorf("%s: dial succeeded, want %d", tc.name, tc.status)
			continue
		}
		if res == nil || res.StatusCode != tc.status {
			t.Errorf("%s: dial error %v, response %v, want status %d", tc.name, err, res, tc.status)
		}
	}
}

func TestCheckOriginConfig(t *testing.T) {
	allow := func(r *http.Request) bool {
		return r.Header.Get("Origin") == "wails://wails" || SameOrigin(r)
	}
	h := newHarness(t, Config{CheckOrigin: allow}, newRecorder(false))
	conn, _, err := h.dial("transport=websocket", http.Header{"Origin": {"wails://wails"}})
	if err != nil {
		t.Fatalf("dial from an allowed origin: %v", err)
	}
	conn.Close()
	if _, res, err := h.dial("transport=websocket", http.Header{"Origin": {"http://evil.example"}}); err == nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("dial from a refused origin: err %v, want 403", err)
	}
	sameOrigin := http.Header{"Origin": {h.ts.URL}}
	conn, _, err = h.dial("transport=websocket", sameOrigin)
	if err != nil {
		t.Fatalf("dial from the same origin: %v", err)
	}
	conn.Close()
}

func TestWebSocketEcho(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(true))
	conn, _, _ := h.openWebSocket()
	for _, msg := range []string{"4hello", "4€€€", "4", `42["message",{"type":"offer"}]`} {
		writeText(t, conn, msg)
		if got := readText(t, conn); got != msg {
			t.Errorf("echo of %q = %q", msg, got)
		}
	}
	writeText(t, conn, "6") // a noop from the client means nothing
	writeText(t, conn, "4after noop")
	if got := readText(t, conn); got != "4after noop" {
		t.Errorf("echo after noop = %q", got)
	}
}

func TestWebSocketBadFramesCloseSession(t *testing.T) {
	tests := []struct {
		name   string
		kind   int
		data   string
		reason string
	}{
		{"garbage", websocket.TextMessage, "abc", ReasonParseError},
		{"empty", websocket.TextMessage, "", ReasonParseError},
		{"bad base64 packet", websocket.TextMessage, "bAQIDBA=", ReasonParseError},
		{"invalid utf-8", websocket.TextMessage, "4\xff", ReasonParseError},
		{"ping from client", websocket.TextMessage, "2", ReasonTransportError},
		{"close packet", websocket.TextMessage, "1", ReasonTransportClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Config{}, newRecorder(false))
			conn, _, s := h.openWebSocket()
			if err := conn.WriteMessage(tc.kind, []byte(tc.data)); err != nil {
				t.Fatal(err)
			}
			h.wantClosed(s, tc.reason)
			if err := readUntilError(t, conn); err == nil {
				t.Error("connection still open")
			}
		})
	}
}

// A binary frame is a binary message: the Handler gets its bytes, and
// SendBinary answers with a binary frame. A text "b" + base64 packet is
// one too, as the reference server takes it.
func TestWebSocketBinary(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(true))
	conn, _, _ := h.openWebSocket()
	for _, tc := range []struct {
		kind int
		data string
		want string
	}{
		{websocket.BinaryMessage, "\x00\x01\x1e\xff", "\x00\x01\x1e\xff"},
		{websocket.BinaryMessage, "", ""},
		{websocket.TextMessage, "bAQIDBA==", "\x01\x02\x03\x04"},
	} {
		if err := conn.WriteMessage(tc.kind, []byte(tc.data)); err != nil {
			t.Fatal(err)
		}
		if ev := recv(t, h.rec.messages); ev.data != tc.want || !ev.binary {
			t.Errorf("Handler got %q (binary %v), want binary %q", ev.data, ev.binary, tc.want)
		}
		_ = conn.SetReadDeadline(time.Now().Add(failAfter))
		kind, got, err := conn.ReadMessage()
		if err != nil || kind != websocket.BinaryMessage || string(got) != tc.want {
			t.Errorf("echo = kind %d %q %v, want a binary frame %q", kind, got, err, tc.want)
		}
	}
	writeText(t, conn, "4still text")
	if got := readText(t, conn); got != "4still text" {
		t.Errorf("text echo = %q", got)
	}
}

func TestWebSocketClientCloses(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(false))
	conn, _, s := h.openWebSocket()
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	if err := conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(failAfter)); err != nil {
		t.Fatal(err)
	}
	h.wantClosed(s, ReasonTransportClose)
}

func TestWebSocketPingPong(t *testing.T) {
	cfg := Config{PingInterval: 10 * time.Millisecond, PingTimeout: failAfter}
	h := newHarness(t, cfg, newRecorder(false))
	conn, _, _ := h.openWebSocket()
	for i := range 3 {
		if got := readText(t, conn); got != "2" {
			t.Fatalf("frame %d = %q, want ping", i, got)
		}
		writeText(t, conn, "3")
	}
	select {
	case ev := <-h.rec.closed:
		t.Fatalf("session closed (%s) although every ping was answered", ev.reason)
	default:
	}
}

func TestWebSocketPingTimeout(t *testing.T) {
	cfg := Config{PingInterval: 10 * time.Millisecond, PingTimeout: 10 * time.Millisecond}
	h := newHarness(t, cfg, newRecorder(false))
	conn, _, s := h.openWebSocket()
	if got := readText(t, conn); got != "2" {
		t.Fatalf("frame = %q, want ping", got)
	}
	h.wantClosed(s, ReasonPingTimeout)
	if err := readUntilError(t, conn); err == nil {
		t.Error("connection still open after ping timeout")
	}
}

func TestWebSocketMaxPayload(t *testing.T) {
	h := newHarness(t, Config{MaxPayload: 100}, newRecorder(true))
	conn, hs, s := h.openWebSocket()
	if hs.MaxPayload != 100 {
		t.Errorf("maxPayload = %d, want 100", hs.MaxPayload)
	}
	fits := "4" + strings.Repeat("a", 99)
	writeText(t, conn, fits)
	if got := readText(t, conn); got != fits {
		t.Fatalf("echo of a frame of exactly MaxPayload = %q", got)
	}
	writeText(t, conn, fits+"a")
	h.wantClosed(s, ReasonTransportError)
}

func TestSessionCloseWebSocket(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(false))
	conn, _, s := h.openWebSocket()
	for _, m := range []string{"a", "b"} {
		if err := s.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	for _, want := range []string{"4a", "4b"} {
		if got := readText(t, conn); got != want {
			t.Errorf("frame = %q, want %q", got, want)
		}
	}
	if err := readUntilError(t, conn); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Errorf("after Close: %v, want a normal close frame", err)
	}
	h.wantClosed(s, ReasonForcedClose)
}
