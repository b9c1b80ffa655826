package eioconform

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// The handshake over polling: an open packet alone, with a fresh sid, the
// upgrade to websocket on offer and the server's settings.
func TestHandshakePolling(t *testing.T) {
	res := do(t, http.MethodGet, mainURL, "EIO=4&transport=polling", "", nil)
	if res.status != http.StatusOK {
		t.Fatalf("handshake = %d %q", res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain", ct)
	}
	o := parseOpen(t, res.body)
	want := openData{SID: o.SID, Upgrades: []string{"websocket"},
		PingInterval: mainPingInterval.Milliseconds(), PingTimeout: mainPingTimeout.Milliseconds(), MaxPayload: maxPayload}
	if !slices.Equal(o.Upgrades, want.Upgrades) || o.PingInterval != want.PingInterval || o.PingTimeout != want.PingTimeout || o.MaxPayload != want.MaxPayload {
		t.Errorf("open = %+v, want %+v", o, want)
	}
	if other := handshake(t, mainURL); other.sid == o.SID {
		t.Errorf("two handshakes got the same sid %q", o.SID)
	}
	hb := handshake(t, hbURL)
	if hb.open.PingInterval != hbPingInterval.Milliseconds() || hb.open.PingTimeout != hbPingTimeout.Milliseconds() {
		t.Errorf("heartbeat server open = %+v, want ping %v/%v", hb.open, hbPingInterval, hbPingTimeout)
	}
}

// The handshake over a WebSocket: the open packet is the first text frame
// and offers no upgrade.
func TestHandshakeWebSocket(t *testing.T) {
	conn := mustDial(t, mainURL, "EIO=4&transport=websocket")
	o := parseOpen(t, readText(t, conn))
	if len(o.Upgrades) != 0 || o.MaxPayload != maxPayload || o.PingInterval != mainPingInterval.Milliseconds() {
		t.Errorf("open = %+v, want no upgrades and the server's settings", o)
	}
	write(t, conn, websocket.TextMessage, "40")
	socketSID(t, readText(t, conn))
}

// Every error code, with its status and message as the reference server
// sends them.
func TestErrors(t *testing.T) {
	ws := mustDial(t, mainURL, "EIO=4&transport=websocket")
	wsSID := parseOpen(t, readText(t, ws)).SID
	polling := handshake(t, mainURL)
	tests := []struct {
		name, method, query string
		header              http.Header
		status, code        int
		message             string
	}{
		{"no transport", "GET", "EIO=4", nil, 400, 0, "Transport unknown"},
		{"unknown transport", "GET", "EIO=4&transport=flashsocket", nil, 400, 0, "Transport unknown"},
		{"unknown sid", "GET", "EIO=4&transport=polling&sid=nope", nil, 400, 1, "Session ID unknown"},
		{"unknown sid, POST", "POST", "EIO=4&transport=polling&sid=nope", nil, 400, 1, "Session ID unknown"},
		{"handshake by PUT", "PUT", "EIO=4&transport=polling", nil, 400, 2, "Bad handshake method"},
		{"handshake by POST", "POST", "EIO=4&transport=polling", nil, 400, 2, "Bad handshake method"},
		{"handshake by DELETE", "DELETE", "EIO=4&transport=polling", nil, 400, 2, "Bad handshake method"},
		{"handshake by OPTIONS", "OPTIONS", "EIO=4&transport=polling", nil, 400, 2, "Bad handshake method"},
		{"websocket transport without an upgrade", "GET", "EIO=4&transport=websocket", nil, 400, 3, "Bad request"},
		{"polling a WebSocket session", "GET", "EIO=4&transport=polling&sid=" + wsSID, nil, 400, 3, "Bad request"},
		{"a session by PUT", "PUT", polling.query(), nil, 400, 3, "Bad request"},
		{"cross-site origin", "GET", "EIO=4&transport=polling", http.Header{"Origin": {"http://evil.example"}}, 403, 4, "Forbidden"},
		{"no EIO", "GET", "transport=polling", nil, 400, 5, "Unsupported protocol version"},
		{"EIO=3", "GET", "EIO=3&transport=polling", nil, 400, 5, "Unsupported protocol version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, tc.name, do(t, tc.method, mainURL, tc.query, "", tc.header), tc.status, tc.code, tc.message)
		})
	}
	t.Run("upgrade for an unknown sid", func(t *testing.T) {
		_, res, err := dial(t, mainURL, "EIO=4&transport=websocket&sid=nope")
		if err == nil || res == nil || res.StatusCode != http.StatusBadRequest {
			t.Errorf("dial = %v, %v; want HTTP 400", res, err)
		}
	})
}

// What a polling session's misuse costs: overlapping polls and a
// malformed payload close it; a close packet ends it.
func TestPollingMisuse(t *testing.T) {
	t.Run("overlapping polls", func(t *testing.T) {
		s := handshake(t, mainURL)
		// Whichever arrives second is refused; the first then gets the
		// close packet.
		a, b := s.pollAsync(), s.pollAsync()
		ra, rb := <-a, <-b
		if ra.status == http.StatusOK {
			ra, rb = rb, ra
		}
		wantError(t, "the second poll", ra, 400, 3, "Bad request")
		if rb.status != http.StatusOK || rb.body != "1" {
			t.Errorf("the first poll = %d %q, want the close packet", rb.status, rb.body)
		}
		wantError(t, "poll after", s.get(), 400, 1, "Session ID unknown")
	})
	t.Run("malformed payload", func(t *testing.T) {
		s := handshake(t, mainURL)
		wantError(t, "POST", s.post("x"), 400, 3, "Bad request")
		wantError(t, "poll after", s.get(), 400, 1, "Session ID unknown")
	})
	t.Run("close packet", func(t *testing.T) {
		s := handshake(t, mainURL)
		s.mustPost("1")
		wantError(t, "poll after close", s.get(), 400, 1, "Session ID unknown")
	})
}

// Packets travel batched both ways: several in one POST, several answers
// in one poll, joined by the record separator.
func TestPollingBatching(t *testing.T) {
	s := handshake(t, mainURL)
	s.mustPost("40\x1e421[\"create or join\",\"" + uniqueRoom("batching") + "\"]\x1e3")
	packets := s.poll()
	if len(packets) < 3 {
		t.Fatalf("poll = %q, want the CONNECT answer and the events in one payload", packets)
	}
	socketSID(t, packets[0])
	if !slices.ContainsFunc(packets, func(p string) bool { return strings.HasPrefix(p, `431[{"ok":true`) }) {
		t.Errorf("poll = %q, want the ack 431 among them", packets)
	}
	if !slices.ContainsFunc(packets, func(p string) bool { return strings.HasPrefix(p, `42["created"`) }) {
		t.Errorf("poll = %q, want \"created\" among them", packets)
	}
}

// The heartbeat with short settings: pings come every pingInterval and a
// pong keeps the session; without one it ends after pingTimeout, over
// polling (the pending poll gets the close packet, the next one 400) and
// over a WebSocket (the connection closes).
func TestHeartbeat(t *testing.T) {
	t.Run("polling", func(t *testing.T) {
		s := handshake(t, hbURL)
		for range 3 {
			if packets := s.poll(); !slices.Equal(packets, []string{"2"}) {
				t.Fatalf("poll = %q, want a ping", packets)
			}
			s.mustPost("3")
		}
		if packets := s.poll(); !slices.Equal(packets, []string{"2"}) {
			t.Fatalf("poll = %q, want a ping", packets)
		}
		// No pong: the session ends; a poll gets the close packet, or
		// when it arrives after the end, 400.
		res := s.get()
		if res.status == http.StatusOK && res.body != "1" {
			t.Fatalf("poll without a pong = %q, want the close packet", res.body)
		}
		if res.status != http.StatusOK {
			wantError(t, "poll without a pong", res, 400, 1, "Session ID unknown")
		}
		wantError(t, "poll after the timeout", s.get(), 400, 1, "Session ID unknown")
	})
	t.Run("websocket", func(t *testing.T) {
		conn := mustDial(t, hbURL, "EIO=4&transport=websocket")
		parseOpen(t, readText(t, conn))
		for range 3 {
			if got := readText(t, conn); got != "2" {
				t.Fatalf("got %q, want a ping", got)
			}
			write(t, conn, websocket.TextMessage, "3")
		}
		if got := readText(t, conn); got != "2" {
			t.Fatalf("got %q, want a ping", got)
		}
		if err := readUntilClosed(t, conn); err == nil {
			t.Error("the connection outlived its pong timeout")
		}
	})
}

// The upgrade: the probe is answered, a pending poll ends with a noop,
// packets queued before the upgrade packet arrive on the WebSocket, and
// the session lives on there with its sid: polling it is refused, a
// second WebSocket for it is accepted and closed at once, the first goes
// on.
func TestUpgrade(t *testing.T) {
	s := handshake(t, mainURL)
	s.mustPost("40")
	socketSID(t, s.poll()[0])

	pending := s.pollAsync()
	conn := mustDial(t, mainURL, "EIO=4&transport=websocket&sid="+s.sid)
	write(t, conn, websocket.TextMessage, "2probe")
	if got := readText(t, conn); got != "3probe" {
		t.Fatalf("probe answer %q, want 3probe", got)
	}
	if res := <-pending; res.status != http.StatusOK || res.body != "6" {
		t.Errorf("pending poll = %d %q, want the noop 6", res.status, res.body)
	}
	// Still polling until the upgrade packet: this ack is queued, and
	// comes over the WebSocket once it carries the session.
	s.mustPost(`421["ipaddr"]`)
	write(t, conn, websocket.TextMessage, "5")
	if got := readUntil(t, conn, "43"); !strings.HasPrefix(got, `431[{"ok":true`) {
		t.Errorf("after the upgrade got %q, want the ack queued during it", got)
	}

	wantError(t, "poll after the upgrade", s.get(), 400, 3, "Bad request")
	wantError(t, "POST after the upgrade", s.post("3"), 400, 3, "Bad request")

	second, res, err := dial(t, mainURL, "EIO=4&transport=websocket&sid="+s.sid)
	if err != nil {
		t.Fatalf("second WebSocket: %v (%v), want the handshake to complete", err, res)
	}
	if err := readUntilClosed(t, second); !websocket.IsCloseError(err, websocket.CloseNoStatusReceived) {
		t.Errorf("second WebSocket ended with %v, want a close frame without status", err)
	}

	write(t, conn, websocket.TextMessage, `422["ipaddr"]`)
	if got := readUntil(t, conn, "43"); !strings.HasPrefix(got, `432[{"ok":true`) {
		t.Errorf("the first WebSocket answered %q after the second was refused", got)
	}
	write(t, conn, websocket.TextMessage, "1")
	if err := readUntilClosed(t, conn); err == nil {
		t.Error("the session outlived its close packet")
	}
}

// Binary in both transports: a Socket.IO binary event sent over polling
// ("b" + base64 in the payload) reaches a WebSocket peer as a binary
// frame, and the reverse arrives in a poll as "b" + base64.
func TestBinary(t *testing.T) {
	data := []byte{0, 0x1e, 0xff, 'b', '4'}
	b64 := base64.StdEncoding.EncodeToString(data)
	room := `"` + uniqueRoom("binary") + `"`

	p := handshake(t, mainURL)
	p.mustPost("40")
	pSID := socketSID(t, p.poll()[0])
	p.mustPost(`42["create or join",` + room + `]`)
	p.pollUntil(`42["created"`)

	ws := mustDial(t, mainURL, "EIO=4&transport=websocket")
	parseOpen(t, readText(t, ws))
	write(t, ws, websocket.TextMessage, "40")
	wsSID := socketSID(t, readText(t, ws))
	write(t, ws, websocket.TextMessage, `42["create or join",`+room+`]`)
	readUntil(t, ws, `421["ready"`) // the server's first ack request to each
	p.pollUntil(`421["ready"`)

	p.mustPost(`451-["message",{"_placeholder":true,"num":0}]` + "\x1eb" + b64)
	if got, want := readUntil(t, ws, "45"), `451-["message",{"_placeholder":true,"num":0},"`+pSID+`"]`; got != want {
		t.Errorf("WebSocket peer got %q, want %q", got, want)
	}
	if kind, got := read(t, ws); kind != websocket.BinaryMessage || got != string(data) {
		t.Errorf("attachment = kind %d %q, want a binary frame %q", kind, got, data)
	}

	write(t, ws, websocket.TextMessage, `451-["message",{"_placeholder":true,"num":0}]`)
	write(t, ws, websocket.BinaryMessage, string(data))
	got, rest := p.pollUntil("45")
	if want := `451-["message",{"_placeholder":true,"num":0},"` + wsSID + `"]`; got != want {
		t.Errorf("polling peer got %q, want %q", got, want)
	}
	if len(rest) == 0 {
		rest = p.poll()
	}
	if rest[0] != "b"+b64 {
		t.Errorf("attachment over polling = %q, want %q", rest[0], "b"+b64)
	}
}

// The payload limit: a POST of exactly maxPayload bytes is taken; one byte
// more is answered 413 and the session carries on. A WebSocket frame over
// the limit closes the connection with 1009.
func TestPayloadLimit(t *testing.T) {
	s := handshake(t, mainURL)
	s.mustPost("40")
	socketSID(t, s.poll()[0])
	packet := func(size int) string {
		head, tail := `42["x","`, `"]`
		return head + strings.Repeat("a", size-len(head)-len(tail)) + tail
	}
	s.mustPost(packet(maxPayload))
	wantError(t, "POST over the limit", s.post(packet(maxPayload+1)), 413, 3, "Payload too large")
	s.mustPost(`427["ipaddr"]`)
	if got, _ := s.pollUntil("43"); !strings.HasPrefix(got, `437[{"ok":true`) {
		t.Errorf("after a refused POST got %q, want the ack", got)
	}

	conn := mustDial(t, mainURL, "EIO=4&transport=websocket")
	parseOpen(t, readText(t, conn))
	write(t, conn, websocket.TextMessage, "40")
	socketSID(t, readText(t, conn))
	write(t, conn, websocket.TextMessage, packet(maxPayload))
	write(t, conn, websocket.TextMessage, `428["ipaddr"]`)
	readUntil(t, conn, "438[")
	write(t, conn, websocket.TextMessage, packet(maxPayload+1))
	if err := readUntilClosed(t, conn); !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		t.Errorf("frame over the limit: connection ended with %v, want 1009", err)
	}
}
