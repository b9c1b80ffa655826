package native

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"signalbox/signaling"
	"signalbox/signaling/origin"
)

// readTimeout bounds every read in these tests: a frame that does not come
// fails the test instead of hanging it.
const readTimeout = 5 * time.Second

type testServer struct {
	hub  *signaling.Hub
	srv  *Server
	http *httptest.Server
	url  string
}

func startServer(t *testing.T, cfg signaling.Config) *testServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	hub, err := signaling.New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(hub, Config{Version: "test", Origins: origin.Policy{}}, log)
	hs := httptest.NewServer(srv)
	ts := &testServer{hub: hub, srv: srv, http: hs, url: "ws" + strings.TrimPrefix(hs.URL, "http")}
	t.Cleanup(func() {
		hub.Shutdown()
		srv.Wait()
		hs.Close()
	})
	return ts
}

type client struct {
	t  *testing.T
	ws *websocket.Conn
	id string // from welcome
}

type frame map[string]any

func (f frame) str(key string) string { s, _ := f[key].(string); return s }

func dial(t *testing.T, ts *testServer) *client {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(ts.url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	c := &client{t: t, ws: ws}
	w := c.read()
	if w.str("type") != "welcome" {
		t.Fatalf("first frame = %v, want welcome", w)
	}
	c.id = w["peer"].(map[string]any)["id"].(string)
	return c
}

func (c *client) send(v any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *client) sendRaw(kind int, b []byte) {
	c.t.Helper()
	if err := c.ws.WriteMessage(kind, b); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *client) read() frame {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(readTimeout))
	var f frame
	if err := c.ws.ReadJSON(&f); err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return f
}

// expect reads the next frame and checks its type.
func (c *client) expect(typ string) frame {
	c.t.Helper()
	f := c.read()
	if f.str("type") != typ {
		c.t.Fatalf("got frame %v, want type %q", f, typ)
	}
	return f
}

func (c *client) join(room string) frame {
	c.t.Helper()
	c.send(frame{"type": "join", "room": room})
	return c.expect("joined")
}

// expectClose reads until the server closes, and returns the close code.
func (c *client) expectClose() int {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(readTimeout))
	for {
		_, _, err := c.ws.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		if err != nil {
			c.t.Fatalf("read: %v, want a close frame", err)
		}
	}
}

func TestWelcome(t *testing.T) {
	ts := startServer(t, signaling.Config{ServerName: "Lab", RoomCapacity: 3})
	ws, _, err := websocket.DefaultDialer.Dial(ts.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var w struct {
		Seq      uint64 `json:"seq"`
		Type     string
		Protocol int
		Server   struct{ Name, Version string }
		Peer     signaling.PeerInfo
		Limits   struct {
			MaxMessageSize int64
			RoomCapacity   int
		}
		ICEServers []signaling.ICEServer
	}
	if err := ws.ReadJSON(&w); err != nil {
		t.Fatal(err)
	}
	if w.Type != "welcome" || w.Seq != 1 || w.Protocol != ProtocolVersion || w.Server.Name != "Lab" || w.Server.Version != "test" {
		t.Errorf("welcome = %+v", w)
	}
	if len(w.Peer.ID) != 22 || w.Peer.Name == "" {
		t.Errorf("welcome peer = %+v, want a 22-character id and a default name", w.Peer)
	}
	if w.Limits.MaxMessageSize != signaling.DefaultMaxMessageSize || w.Limits.RoomCapacity != 3 || w.ICEServers == nil {
		t.Errorf("welcome limits = %+v, ice = %v", w.Limits, w.ICEServers)
	}
}

func TestTwoPeersExchangeSignals(t *testing.T) {
	ts := startServer(t, signaling.Config{})
	a, b := dial(t, ts), dial(t, ts)
	a.send(frame{"type": "join", "room": "math", "name": "Ana"})
	aj := a.expect("joined")
	bj := b.join("math")
	aID := aj["self"].(map[string]any)["id"].(string)
	bID := bj["self"].(map[string]any)["id"].(string)
	if peers := bj["peers"].([]any); len(peers) != 1 || peers[0].(map[string]any)["name"] != "Ana" {
		t.Errorf("b's joined peers = %v, want Ana", peers)
	}
	if pj := a.expect("peer-joined"); pj["peer"].(map[string]any)["id"] != bID {
		t.Errorf("peer-joined = %v", pj)
	}
	offer := json.RawMessage(`{"description":{"type":"offer","sdp":"v=0\r\n"}}`)
	a.send(frame{"type": "signal", "to": bID, "data": offer, "from": "forged"})
	got := b.expect("signal")
	if got.str("from") != aID || got.str("name") != "Ana" {
		t.Errorf("signal stamped from %q (%q), want %q (Ana)", got.str("from"), got.str("name"), aID)
	}
	if d, _ := json.Marshal(got["data"]); string(d) != `{"description":{"sdp":"v=0\r\n","type":"offer"}}` {
		t.Errorf("signal data = %s", d)
	}
	b.send(frame{"type": "broadcast", "data": frame{"chat": "你好"}})
	if got := a.expect("broadcast"); got["data"].(map[string]any)["chat"] != "你好" {
		t.Errorf("broadcast = %v", got)
	}
	a.send(frame{"type": "ping"})
	pong := a.expect("pong")
	if pong["seq"].(float64) <= aj["seq"].(float64) {
		t.Errorf("seq did not grow: joined %v, pong %v", aj["seq"], pong["seq"])
	}
	b.send(frame{"type": "leave"})
	if left := a.expect("peer-left"); left.str("reason") != "left" {
		t.Errorf("peer-left = %v", left)
	}
}

func TestErrorCodes(t *testing.T) {
	tests := []struct {
		name  string
		cfg   signaling.Config
		setup func(t *testing.T, ts *testServer, c *client)
		send  func(c *client)
		code  signaling.Code
	}{
		{name: "malformed JSON", send: func(c *client) { c.sendRaw(websocket.TextMessage, []byte(`{"type":`)) }, code: signaling.CodeBadJSON},
		{name: "not an object", send: func(c *client) { c.sendRaw(websocket.TextMessage, []byte(`[1,2]`)) }, code: signaling.CodeBadJSON},
		{name: "binary frame", send: func(c *client) { c.sendRaw(websocket.BinaryMessage, []byte(`{"type":"ping"}`)) }, code: signaling.CodeBadJSON},
		{name: "invalid UTF-8", send: func(c *client) { c.sendRaw(websocket.TextMessage, []byte("{\"type\":\"join\",\"room\":\"\xff\"}")) }, code: signaling.CodeBadJSON},
		{name: "deeply nested", send: func(c *client) {
			c.sendRaw(websocket.TextMessage, []byte(`{"type":"broadcast","data":`+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+`}`))
		}, code: signaling.CodeBadJSON},
		{name: "no type", send: func(c *client) { c.send(frame{"room": "x"}) }, code: signaling.CodeBadField},
		{name: "unknown type", send: func(c *client) { c.send(frame{"type": "teleport"}) }, code: signaling.CodeUnknownType},
		{name: "join without room", send: func(c *client) { c.send(frame{"type": "join"}) }, code: signaling.CodeBadField},
		{name: "room of wrong type", send: func(c *client) { c.send(frame{"type": "join", "room": 7}) }, code: signaling.CodeBadField},
		{name: "chatOnly of wrong type", send: func(c *client) { c.send(frame{"type": "join", "room": "x", "chatOnly": "yes"}) }, code: signaling.CodeBadField},
		{name: "signal without data", send: func(c *client) { c.send(frame{"type": "signal", "to": "x"}) }, code: signaling.CodeBadField},
		{name: "broadcast of null", send: func(c *client) { c.send(frame{"type": "broadcast", "data": nil}) }, code: signaling.CodeBadField},
		{name: "resume without token", send: func(c *client) { c.send(frame{"type": "resume"}) }, code: signaling.CodeBadField},
		{name: "bad room name", send: func(c *client) { c.send(frame{"type": "join", "room": "a\u0007"}) }, code: signaling.CodeBadRoomName},
		{name: "room full", cfg: signaling.Config{RoomCapacity: 1},
			setup: func(t *testing.T, ts *testServer, c *client) { dial(t, ts).join("solo") },
			send:  func(c *client) { c.send(frame{"type": "join", "room": "solo"}) }, code: signaling.CodeRoomFull},
		{name: "room locked",
			setup: func(t *testing.T, ts *testServer, c *client) {
				dial(t, ts).join("lab")
				if err := ts.hub.LockRoom("lab", true); err != nil {
					t.Fatal(err)
				}
			},
			send: func(c *client) { c.send(frame{"type": "join", "room": "lab"}) }, code: signaling.CodeRoomLocked},
		{name: "too many rooms", cfg: signaling.Config{MaxRooms: 1},
			setup: func(t *testing.T, ts *testServer, c *client) { dial(t, ts).join("first") },
			send:  func(c *client) { c.send(frame{"type": "join", "room": "second"}) }, code: signaling.CodeTooManyRooms},
		{name: "already in room", setup: func(t *testing.T, ts *testServer, c *client) { c.join("one") },
			send: func(c *client) { c.send(frame{"type": "join", "room": "two"}) }, code: signaling.CodeAlreadyInRoom},
		{name: "leave outside a room", send: func(c *client) { c.send(frame{"type": "leave"}) }, code: signaling.CodeNotInRoom},
		{name: "broadcast outside a room", send: func(c *client) { c.send(frame{"type": "broadcast", "data": 1}) }, code: signaling.CodeNotInRoom},
		{name: "signal to another room", setup: func(t *testing.T, ts *testServer, c *client) {
			c.join("one")
			other := dial(t, ts)
			other.join("two")
			c.send(frame{"type": "signal", "to": other.id, "data": 1})
		}, code: signaling.CodeUnknownPeer},
		{name: "bad resume token", send: func(c *client) { c.send(frame{"type": "resume", "token": "nope"}) }, code: signaling.CodeBadToken},
		{name: "rate limited", cfg: signaling.Config{Rate: 0.001, Burst: 2}, send: func(c *client) {
			for range 3 {
				c.send(frame{"type": "ping"})
			}
			c.expect("pong")
			c.expect("pong")
		}, code: signaling.CodeRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, tt.cfg)
			c := dial(t, ts)
			if tt.setup != nil {
				tt.setup(t, ts, c)
			}
			if tt.send != nil {
				tt.send(c)
			}
			e := c.expect("error")
			if e.str("code") != string(tt.code) || e.str("message") == "" {
				t.Errorf("error = %v, want code %q with a message", e, tt.code)
			}
			// The connection stays usable.
			c.send(frame{"type": "ping"})
			if tt.code != signaling.CodeRateLimited {
				c.expect("pong")
			}
		})
	}
}

func TestOversizeFrameClosesWith1009(t *testing.T) {
	ts := startServer(t, signaling.Config{MaxMessageSize: 1024})
	c := dial(t, ts)
	c.sendRaw(websocket.TextMessage, []byte(`{"type":"broadcast","data":"`+strings.Repeat("x", 2000)+`"}`))
	if e := c.expect("error"); e.str("code") != string(signaling.CodeTooLarge) {
		t.Errorf("error = %v, want too-large", e)
	}
	if code := c.expectClose(); code != websocket.CloseMessageTooBig {
		t.Errorf("close code = %d, want 1009", code)
	}
}

func TestServerFullAndShuttingDownRefuse(t *testing.T) {
	ts := startServer(t, signaling.Config{MaxPeers: 1})
	dial(t, ts)
	ws, _, err := websocket.DefaultDialer.Dial(ts.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	c := &client{t: t, ws: ws}
	if e := c.expect("error"); e.str("code") != string(signaling.CodeServerFull) {
		t.Errorf("error = %v, want server-full", e)
	}
	if code := c.expectClose(); code != websocket.CloseTryAgainLater {
		t.Errorf("close = %d, want 1013", code)
	}

	ts.hub.Shutdown()
	ws2, _, err := websocket.DefaultDialer.Dial(ts.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.Close()
	c2 := &client{t: t, ws: ws2}
	if e := c2.expect("error"); e.str("code") != string(signaling.CodeShuttingDown) {
		t.Errorf("error = %v, want shutting-down", e)
	}
}

func TestMisbehavingPeerIsDisconnected(t *testing.T) {
	ts := startServer(t, signaling.Config{MaxStrikes: 3})
	c := dial(t, ts)
	for range 3 {
		c.sendRaw(websocket.TextMessage, []byte("nonsense"))
	}
	for range 3 {
		c.expect("error")
	}
	if code := c.expectClose(); code != closeMisbehaving {
		t.Errorf("close = %d, want %d", code, closeMisbehaving)
	}
}

func TestSlowConsumerIsDropped(t *testing.T) {
	ts := startServer(t, signaling.Config{OutboxSize: 8, Rate: 1e6, Burst: 1e6, WriteTimeout: time.Second})
	fast, slow := dial(t, ts), dial(t, ts)
	fast.join("r")
	slow.join("r")
	fast.expect("peer-joined")
	// slow stops reading; fast sends until the server gives up on slow.
	payload := strings.Repeat("x", 60<<10)
	deadline := time.Now().Add(readTimeout * 4)
	for {
		fast.send(frame{"type": "broadcast", "data": payload})
		if ts.hub.Stats().SlowDropped > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("slow consumer never dropped")
		}
	}
	for {
		f := fast.read()
		if f.str("type") == "peer-left" {
			if f.str("reason") != "dropped" {
				t.Errorf("peer-left = %v, want reason dropped", f)
			}
			break
		}
	}
}

func TestResumeAfterDroppedConnection(t *testing.T) {
	ts := startServer(t, signaling.Config{})
	a, b := dial(t, ts), dial(t, ts)
	aj := a.join("r")
	b.join("r")
	last := a.expect("peer-joined")["seq"].(float64)
	a.ws.NetConn().Close() // the Wi-Fi drops: no close frame

	aID := aj["self"].(map[string]any)["id"].(string)
	if away := b.expect("peer-away"); peerObj(t, away, "peer")["id"] != aID {
		t.Errorf("peer-away = %v, want a", away)
	}
	b.send(frame{"type": "signal", "to": aID, "data": "while away"})
	b.send(frame{"type": "ping"})
	b.expect("pong") // the server has relayed the signal

	a2 := dial(t, ts)
	a2.send(frame{"type": "resume", "token": aj.str("token"), "lastSeq": last})
	if s := a2.expect("signal"); s["data"] != "while away" {
		t.Errorf("replayed = %v", s)
	}
	r := a2.expect("resumed")
	if r["self"].(map[string]any)["id"] != aID || r["lost"].(float64) != 0 {
		t.Errorf("resumed = %v", r)
	}
	// b sees a back, and nothing else: no peer-left, no peer-joined.
	if back := b.expect("peer-back"); peerObj(t, back, "peer")["id"] != aID {
		t.Errorf("peer-back = %v, want a", back)
	}
	b.send(frame{"type": "ping"})
	b.expect("pong")
	a2.send(frame{"type": "broadcast", "data": "back"})
	if got := b.expect("broadcast"); got.str("from") != aID {
		t.Errorf("broadcast after resume from %q, want %q", got.str("from"), aID)
	}
}

func TestNormalCloseReleasesSeatAtOnce(t *testing.T) {
	ts := startServer(t, signaling.Config{})
	a, b := dial(t, ts), dial(t, ts)
	a.join("r")
	b.join("r")
	a.expect("peer-joined")
	b.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"))
	if f := a.expect("peer-left"); f.str("reason") != "left" {
		t.Errorf("peer-left = %v", f)
	}
}

func TestCrossOriginRefused(t *testing.T) {
	ts := startServer(t, signaling.Config{})
	h := http.Header{"Origin": {"http://evil.example"}}
	_, resp, err := websocket.DefaultDialer.Dial(ts.url, h)
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin dial: err %v, resp %v; want 403", err, resp)
	}
	h = http.Header{"Origin": {ts.http.URL}}
	ws, _, err := websocket.DefaultDialer.Dial(ts.url, h)
	if err != nil {
		t.Fatalf("same-origin dial: %v", err)
	}
	ws.Close()
}

func TestShutdownClosesPeersAndLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	hub, err := signaling.New(signaling.Config{}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(hub, Config{}, log)
	hs := httptest.NewServer(srv)
	ts := &testServer{hub: hub, srv: srv, http: hs, url: "ws" + strings.TrimPrefix(hs.URL, "http")}
	a, b := dial(t, ts), dial(t, ts)
	a.join("r")
	hub.Shutdown()
	srv.Wait()
	for _, c := range []*client{a, b} {
		for {
			f, code := c.readOrClose()
			if code != 0 {
				if code != websocket.CloseGoingAway {
					t.Errorf("close code = %d, want 1001", code)
				}
				break
			}
			if f.str("type") == "left" && f.str("reason") != "shutdown" {
				t.Errorf("left = %v", f)
			}
		}
		c.ws.Close()
	}
	hs.Close()
}

// readOrClose returns the next frame, or the close code when the server
// closed.
func (c *client) readOrClose() (frame, int) {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(readTimeout))
	_, b, err := c.ws.ReadMessage()
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return nil, ce.Code
	}
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		c.t.Fatal(err)
	}
	return f, 0
}

func TestDeadPeerDetectedByHeartbeat(t *testing.T) {
	ts := startServer(t, signaling.Config{
		PingInterval: 20 * time.Millisecond, PongTimeout: 100 * time.Millisecond,
		ResumeGrace: 50 * time.Millisecond,
	})
	alive, dead := dial(t, ts), dial(t, ts)
	alive.join("r")
	dead.join("r")
	alive.expect("peer-joined")
	// dead never reads again, so it never answers a ping. alive keeps
	// reading, so its pongs go out; it sees dead leave once the pong
	// timeout and the grace have passed.
	for {
		f := alive.read()
		if f.str("type") == "peer-left" {
			if f.str("reason") != "timed-out" || f["peer"].(map[string]any)["id"] != dead.id {
				t.Errorf("peer-left = %v, want the dead peer, timed-out", f)
			}
			return
		}
	}
}

// peerObj returns f[key] as a peer object.
func peerObj(t *testing.T, f frame, key string) map[string]any {
	t.Helper()
	p, ok := f[key].(map[string]any)
	if !ok {
		t.Fatalf("%s of %v is not an object", key, f)
	}
	return p
}

// checkPeer checks a peer object's id and its chatOnly field, which must
// be true for a chat-only peer and absent (not false) for any other.
func checkPeer(t *testing.T, what string, p map[string]any, id string, chatOnly bool) {
	t.Helper()
	v, present := p["chatOnly"]
	switch {
	case p["id"] != id:
		t.Errorf("%s = %v, want id %s", what, p, id)
	case chatOnly && v != true:
		t.Errorf("%s = %v, want chatOnly true", what, p)
	case !chatOnly && present:
		t.Errorf("%s = %v, want no chatOnly field", what, p)
	}
}

// TestChatOnlyPeer joins a chat-only peer (the window's chat seat) between
// two ordinary ones and checks every frame that describes it, and that
// chat flows both ways.
func TestChatOnlyPeer(t *testing.T) {
	ts := startServer(t, signaling.Config{RoomCapacity: 3})
	a, w, b := dial(t, ts), dial(t, ts), dial(t, ts)
	aj := a.join("lab")
	checkPeer(t, "a's joined.self", peerObj(t, aj, "self"), a.id, false)

	w.send(frame{"type": "join", "room": "lab", "name": "Window", "chatOnly": true})
	wj := w.expect("joined")
	checkPeer(t, "window's joined.self", peerObj(t, wj, "self"), w.id, true)
	if peers := wj["peers"].([]any); len(peers) != 1 {
		t.Fatalf("window's joined.peers = %v, want a", peers)
	} else {
		checkPeer(t, "window's joined.peers[0]", peers[0].(map[string]any), a.id, false)
	}
	checkPeer(t, "a's peer-joined", peerObj(t, a.expect("peer-joined"), "peer"), w.id, true)

	bj := b.join("lab")
	if peers := bj["peers"].([]any); len(peers) != 2 {
		t.Fatalf("b's joined.peers = %v, want a and the window", peers)
	} else {
		checkPeer(t, "b's joined.peers[0]", peers[0].(map[string]any), a.id, false)
		checkPeer(t, "b's joined.peers[1]", peers[1].(map[string]any), w.id, true)
	}
	checkPeer(t, "a's peer-joined of b", peerObj(t, a.expect("peer-joined"), "peer"), b.id, false)
	checkPeer(t, "window's peer-joined of b", peerObj(t, w.expect("peer-joined"), "peer"), b.id, false)

	w.send(frame{"type": "broadcast", "data": frame{"chat": "from the window"}})
	if got := a.expect("broadcast"); got.str("from") != w.id || got["data"].(map[string]any)["chat"] != "from the window" {
		t.Errorf("a got %v", got)
	}
	b.expect("broadcast")
	a.send(frame{"type": "broadcast", "data": frame{"chat": "to everyone"}})
	got := w.expect("broadcast")
	if got["data"].(map[string]any)["chat"] != "to everyone" {
		t.Errorf("window got %v", got)
	}
	b.expect("broadcast")

	// The window's connection drops (the others hear it is away);
	// resuming keeps the seat chat-only.
	last := got["seq"].(float64)
	w.ws.NetConn().Close()
	for _, c := range []*client{a, b} {
		checkPeer(t, "peer-away", peerObj(t, c.expect("peer-away"), "peer"), w.id, true)
	}
	w2 := dial(t, ts)
	w2.send(frame{"type": "resume", "token": wj.str("token"), "lastSeq": last})
	checkPeer(t, "window's resumed.self", peerObj(t, w2.expect("resumed"), "self"), w.id, true)
	for _, c := range []*client{a, b} {
		checkPeer(t, "peer-back", peerObj(t, c.expect("peer-back"), "peer"), w.id, true)
	}

	w2.send(frame{"type": "leave"})
	checkPeer(t, "a's peer-left", peerObj(t, a.expect("peer-left"), "peer"), w.id, true)
	checkPeer(t, "b's peer-left", peerObj(t, b.expect("peer-left"), "peer"), w.id, true)
}

func TestClassAddressAndRename(t *testing.T) {
	ts := startServer(t, signaling.Config{})
	var rooms []string
	cs := []*client{dial(t, ts), dial(t, ts), dial(t, ts)}
	for i, c := range cs {
		c.send(frame{"type": "join", "room": "math", "name": fmt.Sprint("s", i), "overflow": true})
		j := c.expect("joined")
		if j.str("class") != "math" {
			t.Errorf("joined = %v, want class math", j)
		}
		rooms = append(rooms, j.str("room"))
	}
	if want := []string{"math", "math", "math · 2"}; fmt.Sprint(rooms) != fmt.Sprint(want) {
		t.Errorf("rooms = %q, want %q", rooms, want)
	}
	// Without overflow the same address answers room-full, as before.
	d := dial(t, ts)
	d.send(frame{"type": "join", "room": "math"})
	if e := d.expect("error"); e.str("code") != "room-full" {
		t.Errorf("plain join = %v, want room-full", e)
	}

	cs[0].send(frame{"type": "rename", "name": "Ana"})
	for _, c := range cs[:2] {
		for {
			f := c.read()
			if f.str("type") == "peer-joined" {
				continue
			}
			if f.str("type") != "peer-renamed" || peerObj(t, f, "peer")["name"] != "Ana" || f.str("room") != "math" {
				t.Errorf("got %v, want peer-renamed Ana", f)
			}
			break
		}
	}
	cs[0].send(frame{"type": "rename"})
	if e := cs[0].expect("error"); e.str("code") != "bad-field" {
		t.Errorf("rename without name = %v, want bad-field", e)
	}
}
