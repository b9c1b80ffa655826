package socketio_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/signaling"
	"signalbox/signaling/socketio"
	"signalbox/signaling/socketio/sioproto"
)

// TestConnect checks that CONNECT answers with the hub peer's id, that the
// peer carries the socket's transport, and that the auth's name is the
// name native peers see once it joins.
func TestConnect(t *testing.T) {
	env := newEnv(t, signaling.Config{}, socketio.Config{})
	c := env.dial(t)
	sid := c.connect(map[string]string{"name": "Ada"})
	snap := env.hub.Snapshot()
	if len(snap.Lobby) != 1 || snap.Lobby[0].ID != sid || snap.Lobby[0].Transport != "socket.io/websocket" {
		t.Fatalf("lobby = %+v, want one peer %s on socket.io/websocket", snap.Lobby, sid)
	}
	c.emit("create or join", "r")
	c.skipUntil("created")
	if peers := env.hub.Snapshot().Rooms[0].Peers; peers[0].Name != "Ada" {
		t.Errorf("name = %q, want Ada", peers[0].Name)
	}

	// CONNECT again on a connected socket: the same answer.
	c.send("0")
	if p := c.next(); p.Type != sioproto.Connect || !strings.Contains(string(p.Data), sid) {
		t.Fatalf("second CONNECT answered %v %s", p.Type, p.Data)
	}
}

// TestReconnectSameSession checks DISCONNECT then CONNECT on one Engine.IO
// session: the old peer leaves at once, the new socket is a new peer.
func TestReconnectSameSession(t *testing.T) {
	env := newEnv(t, signaling.Config{}, socketio.Config{})
	watcher := env.dialNative(t)
	watcher.send(map[string]string{"type": "join", "room": "r"})
	watcher.expect("joined")

	c := env.dial(t)
	first := c.connect(nil)
	c.emit("create or join", "r")
	c.skipUntil("joined")
	c.expect(e("ready"))
	watcher.expect("peer-joined")

	c.send("1")
	left := watcher.expect("peer-left")
	if !strings.Contains(string(left), first) {
		t.Fatalf("peer-left = %s, want %s", left, first)
	}
	second := c.connect(nil)
	if second == first {
		t.Fatal("the new socket got the old id")
	}
	if n := env.hub.Stats().Peers; n != 2 {
		t.Fatalf("%d peers connected, want 2", n)
	}
}

// TestRefusals checks what closes a session or is refused, each on a fresh
// session.
func TestRefusals(t *testing.T) {
	tests := []struct {
		name    string
		connect bool     // send CONNECT first
		send    string   // the Socket.IO packet
		want    []string // packets before the close; nil: the session stays open
	}{
		{"other namespace", false, "0/admin,", nil},
		{"other namespace after connect", true, `0/admin,{"token":"x"}`, nil},
		{"event in another namespace", true, `2/admin,["x"]`, nil},
		{"event before connect", false, `2["create or join","r"]`, []string{}},
		{"ack before connect", false, `3[]`, []string{}},
		{"malformed", true, `2["message"`, []string{}},
		{"unknown type", true, `9`, []string{}},
		{"connect error from a client", true, `4{"message":"x"}`, []string{}},
		{"namespace with a record separator", false, "0/a\x1eb,", []string{}},
		{"event in a namespace with a record separator", true, "2/a\x1eb,[\"x\"]", []string{}},
		{"binary event with no attachment count", true, `5["message"]`, []string{}},
		{"binary before connect, with no attachment", false, `50-["x"]`, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, signaling.Config{}, socketio.Config{})
			c := env.dial(t)
			if tt.connect {
				c.connect(nil)
			}
			c.send(tt.send)
			if tt.want != nil {
				c.expectClosed(tt.want...)
				return
			}
			if strings.HasPrefix(tt.send, "0/admin") {
				if got := c.nextRaw(); got != `4/admin,{"message":"Invalid namespace"}` {
					t.Fatalf("got %q, want CONNECT_ERROR for /admin", got)
				}
			}
			// Still open: the default namespace answers.
			if !tt.connect {
				c.connect(nil)
			}
			c.emitAck(7, "ipaddr")
			for p := c.next(); p.Type != sioproto.Ack; p = c.next() {
			}
		})
	}
}

// TestConnectTimeout checks that a session whose client never CONNECTs is
// closed after the hub's handshake timeout.
func TestConnectTimeout(t *testing.T) {
	env := newEnv(t, signaling.Config{HandshakeTimeout: 20 * time.Millisecond}, socketio.Config{})
	c := env.dial(t)
	c.expectClosed()
}

// TestServerFull checks that a CONNECT the hub refuses gets CONNECT_ERROR
// with the native protocol's code.
func TestServerFull(t *testing.T) {
	env := newEnv(t, signaling.Config{MaxPeers: 1}, socketio.Config{})
	env.dial(t).connect(nil)
	c := env.dial(t)
	c.send("0")
	p := c.next()
	var data struct {
		Message string
		Data    struct{ Code string }
	}
	if p.Type != sioproto.ConnectError || json.Unmarshal(p.Data, &data) != nil || data.Data.Code != "server-full" {
		t.Fatalf("got %v %s, want CONNECT_ERROR with code server-full", p.Type, p.Data)
	}
}

// TestKick checks that a kicked socket learns why, then gets DISCONNECT
// (so the client does not reconnect) and the session closes.
func TestKick(t *testing.T) {
	env := newEnv(t, signaling.Config{}, socketio.Config{})
	c := env.dial(t)
	sid := c.connect(nil)
	c.emit("create or join", "r")
	c.skipUntil("created")
	if err := env.hub.Kick(sid); err != nil {
		t.Fatal(err)
	}
	c.expect(e("log", logArgs("You are no longer in room r (kicked)")), e("left", "r", "kicked"))
	c.expectClosed("1")
}

// TestRoomClosed checks that a socket whose room an administrator closes
// is told, and stays connected.
func TestRoomClosed(t *testing.T) {
	env := newEnv(t, signaling.Config{}, socketio.Config{})
	c := env.dial(t)
	c.connect(nil)
	c.emit("create or join", "r")
	c.skipUntil("created")
	if err := env.hub.CloseRoom("r"); err != nil {
		t.Fatal(err)
	}
	c.expect(e("log"), e("left", "r", "room-closed"))
	c.emit("create or join", "r")
	c.skipUntil("created")
}

// TestStrikes checks that too many failed events in a row end the session
// with DISCONNECT, and that a good one in between resets the count.
func TestStrikes(t *testing.T) {
	env := newEnv(t, signaling.Config{MaxStrikes: 3}, socketio.Config{})
	c := env.dial(t)
	c.connect(nil)
	c.emit("nope")
	c.emit("nope")
	c.emitAck(1, "ipaddr")
	for p := c.next(); p.Type != sioproto.Ack; p = c.next() {
	}
	c.emit("nope")
	c.emit("nope")
	c.emit("bye") // not in a room: the third failure in a row
	for range 3 {
		c.expect(e("log"), e("error"))
	}
	c.expectClosed("1")
}

// TestRateLimit checks that a flood is told once, then dropped silently.
func TestRateLimit(t *testing.T) {
	env := newEnv(t, signaling.Config{Rate: 0.001, Burst: 2}, socketio.Config{})
	c := env.dial(t)
	c.connect(nil)
	c.emitAck(1, "ipaddr")
	c.emitAck(2, "ipaddr")
	c.emitAck(3, "ipaddr")
	c.emitAck(4, "ipaddr")
	c.expect(e("ipaddr"), e("ipaddr"))
	expectAck(t, c, 1, map[string]any{"ok": true, "addresses": []string{"10.1.2.3", "192.168.5.6"}})
	c.expect(e("ipaddr"), e("ipaddr"))
	expectAck(t, c, 2, map[string]any{"ok": true, "addresses": []string{"10.1.2.3", "192.168.5.6"}})
	c.expect(e("log"), e("error", map[string]string{"code": "rate-limited", "message": "too many messages, slow down", "event": "ipaddr"}))
	expectAck(t, c, 3, map[string]any{"ok": false, "code": "rate-limited", "message": "too many messages, slow down"})
	if n := env.hub.Stats().Errors[signaling.CodeRateLimited]; n != 1 {
		t.Errorf("rate-limited counted %d times, want 1", n)
	}
}

// TestTooLarge checks that a frame over the hub's message size limit
// closes the session (Engine.IO's maxPayload), as the reference server
// does with maxHttpBufferSize.
func TestTooLarge(t *testing.T) {
	env := newEnv(t, signaling.Config{MaxMessageSize: 1024}, socketio.Config{})
	c := env.dial(t)
	c.connect(nil)
	c.emit("message", strings.Repeat("x", 2000))
	c.expectClosed()
}

// TestCloseAll checks that CloseAll ends polling and WebSocket sessions
// alike, answering a pending poll, and that their peers leave the hub.
func TestCloseAll(t *testing.T) {
	env := newEnv(t, signaling.Config{}, socketio.Config{})
	watcher := env.dialNative(t)
	watcher.send(map[string]string{"type": "join", "room": "r"})
	watcher.expect("joined")

	ws := env.dial(t)
	ws.connect(nil)
	ws.emit("create or join", "r")
	ws.skipUntil("joined")
	ws.expect(e("ready"))
	watcher.expect("peer-joined")

	poll := env.openPolling(t)
	poll.post("40")
	if got := packets(poll.get()); len(got) != 1 || !strings.HasPrefix(got[0], `0{"sid":`) {
		t.Fatalf("polling CONNECT answered %q", got)
	}
	answered := make(chan string, 1)
	go func() {
		body, _ := poll.try("GET", "")
		answered <- body
	}()

	env.sio.CloseAll()
	watcher.expect("peer-left")
	ws.expectClosed()
	select {
	case body := <-answered:
		// The poll was pending (the close packet) or came after the close.
		if body != "1" && !strings.Contains(body, "Session ID unknown") {
			t.Fatalf("poll answered %q", body)
		}
	case <-time.After(waitLimit):
		t.Fatal("the poll was not answered")
	}
	if n := env.hub.Stats().Peers; n != 1 {
		t.Fatalf("%d peers after CloseAll, want the native one", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := env.sio.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	// New sessions are refused from now on.
	if _, resp, err := websocket.DefaultDialer.Dial(env.wsURL("/socket.io/?EIO=4&transport=websocket"), nil); err == nil || resp.StatusCode != 503 {
		t.Fatalf("handshake after shutdown: %v", err)
	}
}
