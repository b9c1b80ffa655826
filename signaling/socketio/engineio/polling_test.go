package engineio

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPollingHandshake(t *testing.T) {
	cfg := Config{PingInterval: 300 * time.Millisecond, PingTimeout: 200 * time.Millisecond}
	h := newHarness(t, cfg, newRecorder(false))
	res, err := h.do(context.Background(), http.MethodGet, "transport=polling", "", http.Header{"User-Agent": {"test-agent/1"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.status != http.StatusOK {
		t.Fatalf("handshake status %d, want 200", res.status)
	}
	if ct := res.header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
		t.Errorf("Content-Type %q, want text/plain; charset=UTF-8", ct)
	}
	const prefix = `0{"sid":"`
	if !strings.HasPrefix(res.body, prefix) {
		t.Fatalf("handshake body %q, want an open packet", res.body)
	}
	sid, rest, _ := strings.Cut(res.body[len(prefix):], `"`)
	const want = `,"upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}`
	if rest != want {
		t.Errorf("open packet after the sid = %s, want %s", rest, want)
	}
	s := recv(t, h.rec.opened)
	if s.ID() != sid || sid == "" {
		t.Errorf("session id %q, handshake sid %q", s.ID(), sid)
	}
	if s.Transport() != TransportPolling {
		t.Errorf("Transport() = %q, want polling", s.Transport())
	}
	if s.UserAgent() != "test-agent/1" {
		t.Errorf("UserAgent() = %q", s.UserAgent())
	}
	if !strings.HasPrefix(s.RemoteAddr(), "127.0.0.1:") {
		t.Errorf("RemoteAddr() = %q, want loopback", s.RemoteAddr())
	}
}

func TestBadRequests(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(false))
	_, s := h.openPolling()
	tests := []struct {
		name   string
		method string
		query  string
		header http.Header
		status int
		code   errorCode
	}{
		{"no transport", "GET", "", nil, 400, codeUnknownTransport},
		{"unknown transport", "GET", "transport=abc", nil, 400, codeUnknownTransport},
		{"no EIO", "GET", "transport=polling&EIO=", nil, 400, codeUnsupportedVersion},
		{"EIO abc", "GET", "transport=polling&EIO=abc", nil, 400, codeUnsupportedVersion},
		{"EIO 3", "GET", "transport=polling&EIO=3", nil, 400, codeUnsupportedVersion},
		{"handshake by POST", "POST", "transport=polling", nil, 400, codeBadHandshakeMethod},
		{"handshake by PUT", "PUT", "transport=polling", nil, 400, codeBadHandshakeMethod},
		{"websocket without upgrade", "GET", "transport=websocket", nil, 400, codeBadRequest},
		{"unknown sid GET", "GET", "transport=polling&sid=nope", nil, 400, codeUnknownSID},
		{"unknown sid POST", "POST", "transport=polling&sid=nope", nil, 400, codeUnknownSID},
		{"PUT on a session", "PUT", "transport=polling&sid=" + s.ID(), nil, 400, codeBadRequest},
		{"cross-site handshake", "GET", "transport=polling", http.Header{"Origin": {"http://evil.example"}}, 403, codeForbidden},
		{"cross-site poll", "GET", "transport=polling&sid=" + s.ID(), http.Header{"Origin": {"http://evil.example"}}, 403, codeForbidden},
	}
	for _, tc := range tests {
		res, err := h.do(context.Background(), tc.method, tc.query, "", tc.header)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		wantError(t, tc.name, res, tc.status, tc.code)
	}
	// None of them touched the session.
	if res := h.post(s.ID(), "4still here"); res.status != http.StatusOK {
		t.Errorf("session broken by bad requests: POST = %d %q", res.status, res.body)
	}
}

func TestPollingSendReceive(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"one packet", "4hello", []string{"hello"}},
		{"several packets", "4test1\x1e4test2\x1e4test3", []string{"test1", "test2", "test3"}},
		{"utf-8", "4€€€\x1e4ü", []string{"€€€", "ü"}},
		{"empty message", "4", []string{""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Config{}, newRecorder(true))
			_, s := h.openPolling()
			res := h.post(s.ID(), tc.body)
			if res.status != http.StatusOK || res.body != "ok" {
				t.Fatalf("POST = %d %q, want 200 ok", res.status, res.body)
			}
			if ct := res.header.Get("Content-Type"); ct != "text/html" {
				t.Errorf("POST Content-Type %q, want text/html", ct)
			}
			for _, want := range tc.want {
				if ev := recv(t, h.rec.messages); ev.data != want {
					t.Errorf("Handler.Message(%q), want %q", ev.data, want)
				}
			}
			// The echoes were queued before "ok", so one poll carries them all.
			if res := h.get(s.ID()); res.status != http.StatusOK || res.body != tc.body {
				t.Errorf("GET = %d %q, want 200 %q", res.status, res.body, tc.body)
			}
		})
	}
}

func TestPollingMalformedClosesSession(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		contentType string
	}{
		{"garbage", "abc", ""},
		{"empty body", "", ""},
		{"empty packet", "4a\x1e", ""},
		{"bad base64 packet", "4hello\x1ebAQID!A==", ""},
		{"protocol v3 payload", "7:4hello", ""},
		{"invalid utf-8", "4\xff", ""},
		{"binary content", "4hello", "application/octet-stream"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Config{}, newRecorder(false))
			_, s := h.openPolling()
			var header http.Header
			if tc.contentType != "" {
				header = http.Header{"Content-Type": {tc.contentType}}
			}
			res, err := h.do(context.Background(), http.MethodPost, "transport=polling&sid="+s.ID(), tc.body, header)
			if err != nil {
				t.Fatal(err)
			}
			wantError(t, "POST", res, http.StatusBadRequest, codeBadRequest)
			h.wantClosed(s, ReasonParseError)
			wantError(t, "GET after", h.get(s.ID()), http.StatusBadRequest, codeUnknownSID)
			select {
			case ev := <-h.rec.messages:
				t.Errorf("Handler.Message(%q) from a refused payload", ev.data)
			default:
			}
		})
	}
}

func TestDuplicateGetClosesSession(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(false))
	_, s := h.openPolling()
	first := h.getAsync(context.Background(), s.ID())
	h.awaitParked(s)
	wantError(t, "second GET", h.get(s.ID()), http.StatusBadRequest, codeBadRequest)
	if res := recv(t, first); res.status != http.StatusOK || res.body != "1" {
		t.Errorf("first GET = %d %q, want 200 \"1\" (close)", res.status, res.body)
	}
	h.wantClosed(s, ReasonTransportError)
	wantError(t, "GET after", h.get(s.ID()), http.StatusBadRequest, codeUnknownSID)
}

func TestDuplicatePostClosesSession(t *testing.T) {
	rec := newRecorder(false)
	rec.block = make(chan struct{})
	h := newHarness(t, Config{}, rec)
	_, s := h.openPolling()
	first := make(chan response, 1)
	go func() {
		res, err := h.do(context.Background(), http.MethodPost, "transport=polling&sid="+s.ID(), "4slow", nil)
		if err != nil {
			res.body = err.Error()
		}
		first <- res
	}()
	if ev := recv(t, rec.messages); ev.data != "slow" { // the first POST is inside Handler.Message
		t.Fatalf("Message(%q), want slow", ev.data)
	}
	wantError(t, "second POST", h.post(s.ID(), "4fast"), http.StatusBadRequest, codeBadRequest)
	close(rec.block)
	if res := recv(t, first); res.status != http.StatusOK {
		t.Errorf("first POST = %d %q, want 200", res.status, res.body)
	}
	h.wantClosed(s, ReasonTransportError)
}

func TestPollingClientClose(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(false))
	_, s := h.openPolling()
	pending := h.getAsync(context.Background(), s.ID())
	h.awaitParked(s)
	if res := h.post(s.ID(), "1"); res.status != http.StatusOK {
		t.Errorf("POST close = %d %q, want 200", res.status, res.body)
	}
	if res := recv(t, pending); res.status != http.StatusOK || res.body != "6" {
		t.Errorf("pending GET = %d %q, want 200 \"6\" (noop)", res.status, res.body)
	}
	h.wantClosed(s, ReasonTransportClose)
	wantError(t, "GET after", h.get(s.ID()), http.StatusBadRequest, codeUnknownSID)
}

func TestAbortedPollClosesSession(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(false))
	_, s := h.openPolling()
	ctx, cancel := context.WithCancel(context.Background())
	pending := h.getAsync(ctx, s.ID())
	h.awaitParked(s)
	cancel()
	recv(t, pending)
	h.wantClosed(s, ReasonTransportError)
}

func TestPollingPingPong(t *testing.T) {
	cfg := Config{PingInterval: 10 * time.Millisecond, PingTimeout: failAfter}
	h := newHarness(t, cfg, newRecorder(false))
	_, s := h.openPolling()
	for i := range 3 {
		if res := h.get(s.ID()); res.status != http.StatusOK || res.body != "2" {
			t.Fatalf("ping %d: GET = %d %q, want 200 \"2\"", i, res.status, res.body)
		}
		if res := h.post(s.ID(), "3"); res.status != http.StatusOK {
			t.Fatalf("pong %d: POST = %d %q", i, res.status, res.body)
		}
	}
	select {
	case ev := <-h.rec.closed:
		t.Fatalf("session closed (%s) although every ping was answered", ev.reason)
	default:
	}
}

func TestPollingPingTimeout(t *testing.T) {
	cfg := Config{PingInterval: 10 * time.Millisecond, PingTimeout: 10 * time.Millisecond}
	h := newHarness(t, cfg, newRecorder(false))
	_, s := h.openPolling()
	h.wantClosed(s, ReasonPingTimeout)
	wantError(t, "GET after timeout", h.get(s.ID()), http.StatusBadRequest, codeUnknownSID)
	wantError(t, "POST after timeout", h.post(s.ID(), "3"), http.StatusBadRequest, codeUnknownSID)
}

func TestPingFromClientClosesSession(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(false))
	_, s := h.openPolling()
	h.post(s.ID(), "2")
	h.wantClosed(s, ReasonTransportError)
}

func TestPollingMaxPayload(t *testing.T) {
	h := newHarness(t, Config{MaxPayload: 100}, newRecorder(false))
	hs, s := h.openPolling()
	if hs.MaxPayload != 100 {
		t.Errorf("open packet maxPayload = %d, want 100", hs.MaxPayload)
	}
	fits := "4" + strings.Repeat("a", 99)
	if res := h.post(s.ID(), fits); res.status != http.StatusOK {
		t.Fatalf("POST of exactly MaxPayload = %d %q, want 200", res.status, res.body)
	}
	h.wantMessage(fits[1:])
	wantError(t, "POST over MaxPayload", h.post(s.ID(), fits+"a"), http.StatusRequestEntityTooLarge, codeBadRequest)
	// The session carries on, as with the reference server, and nothing of
	// the refused body reached the Handler.
	if res := h.post(s.ID(), "4next"); res.status != http.StatusOK {
		t.Fatalf("POST after a refused one = %d %q, want 200", res.status, res.body)
	}
	h.wantMessage("next")
}

// Binary messages cross polling as "b" + base64, both ways, beside text
// ones in the same payload.
func TestPollingBinary(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(true))
	_, s := h.openPolling()
	body := "4text\x1ebAB57/w==\x1eb"
	if res := h.post(s.ID(), body); res.status != http.StatusOK {
		t.Fatalf("POST = %d %q, want 200", res.status, res.body)
	}
	for _, want := range []event{{data: "text"}, {data: "\x00\x1e\x7b\xff", binary: true}, {data: "", binary: true}} {
		if ev := recv(t, h.rec.messages); ev.data != want.data || ev.binary != want.binary {
			t.Errorf("Handler got %q (binary %v), want %q (binary %v)", ev.data, ev.binary, want.data, want.binary)
		}
	}
	if res := h.get(s.ID()); res.status != http.StatusOK || res.body != body {
		t.Errorf("GET = %d %q, want the echo %q", res.status, res.body, body)
	}
}

func TestSessionClosePolling(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(false))
	_, s := h.openPolling()
	if err := s.Send("last words"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Send("too late"); !errors.Is(err, ErrSessionClosed) {
		t.Errorf("Send after Close = %v, want ErrSessionClosed", err)
	}
	// The next poll collects the queue, then the close packet.
	if res := h.get(s.ID()); res.body != "4last words\x1e1" {
		t.Errorf("GET = %d %q, want the message then the close packet", res.status, res.body)
	}
	h.wantClosed(s, ReasonForcedClose)
	wantError(t, "GET after", h.get(s.ID()), http.StatusBadRequest, codeUnknownSID)
}

func TestSessionCloseWithPendingPoll(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(false))
	_, s := h.openPolling()
	pending := h.getAsync(context.Background(), s.ID())
	h.awaitParked(s)
	s.Close()
	if res := recv(t, pending); res.body != "1" {
		t.Errorf("pending GET = %q, want \"1\"", res.body)
	}
	h.wantClosed(s, ReasonForcedClose)
}

func TestClosingSessionWithoutPollIsDropped(t *testing.T) {
	h := newHarness(t, Config{PingTimeout: 10 * time.Millisecond, PingInterval: failAfter}, newRecorder(false))
	_, s := h.openPolling()
	s.Close() // no GET comes to collect the close packet
	h.wantClosed(s, ReasonForcedClose)
}

func TestSendErrors(t *testing.T) {
	h := newHarness(t, Config{SendQueueSize: 2}, newRecorder(false))
	_, s := h.openPolling()
	if err := s.Send("a\x1eb"); !errors.Is(err, ErrRecordSeparator) {
		t.Errorf("Send with a separator = %v, want ErrRecordSeparator", err)
	}
	for i := range 2 {
		if err := s.Send("x"); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	if err := s.Send("x"); !errors.Is(err, ErrSendOverflow) {
		t.Errorf("Send over the queue = %v, want ErrSendOverflow", err)
	}
	h.wantClosed(s, ReasonSendOverflow)
	if err := s.Send("x"); !errors.Is(err, ErrSessionClosed) {
		t.Errorf("Send after overflow = %v, want ErrSessionClosed", err)
	}
}

func TestMessagesAfterCloseAreDropped(t *testing.T) {
	rec := newRecorder(false)
	h := newHarness(t, Config{}, rec)
	_, s := h.openPolling()
	s.Close()
	if res := h.post(s.ID(), "4a\x1e4b"); res.status != http.StatusOK {
		t.Errorf("POST to a closing session = %d %q, want 200", res.status, res.body)
	}
	if res := h.get(s.ID()); res.body != "1" {
		t.Errorf("GET = %q, want \"1\"", res.body)
	}
	h.wantClosed(s, ReasonForcedClose)
	select {
	case ev := <-rec.messages:
		t.Errorf("Handler.Message(%q) after Close", ev.data)
	default:
	}
}
