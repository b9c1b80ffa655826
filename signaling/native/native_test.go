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

	"signalbox/internal/wstest"
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

func startServer(t testing.TB, cfg signaling.Config) *testServer {
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

// client and frame are the shared test client of the protocol.
type (
	client = wstest.Client
	frame  = wstest.Frame
)

func dial(t testing.TB, ts *testServer) *client { return wstest.Dial(t, ts.url, readTimeout) }

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
	a.Send(frame{"type": "join", "room": "math", "name": "Ana"})
	aj := a.Expect("joined")
	bj := b.Join("math")
	aID := aj["self"].(map[string]any)["id"].(string)
	bID := bj["self"].(map[string]any)["id"].(string)
	if peers := bj["peers"].([]any); len(peers) != 1 || peers[0].(map[string]any)["name"] != "Ana" {
		t.Errorf("b's joined peers = %v, want Ana", peers)
	}
	if pj := a.Expect("peer-joined"); pj["peer"].(map[string]any)["id"] != bID {
		t.Errorf("peer-joined = %v", pj)
	}
	offer := json.RawMessage(`{"description":{"type":"offer","sdp":"v=0\r\n"}}`)
	a.Send(frame{"type": "signal", "to": bID, "data": offer, "from": "forged"})
	got := b.Expect("signal")
	if got.Str("from") != aID || got.Str("name") != "Ana" {
		t.Errorf("signal stamped from %q (%q), want %q (Ana)", got.Str("from"), got.Str("name"), aID)
	}
	if d, _ := json.Marshal(got["data"]); string(d) != `{"description":{"sdp":"v=0\r\n","type":"offer"}}` {
		t.Errorf("signal data = %s", d)
	}
	b.Send(frame{"type": "broadcast", "data": frame{"chat": "你好"}})
	if got := a.Expect("broadcast"); got["data"].(map[string]any)["chat"] != "你好" {
		t.Errorf("broadcast = %v", got)
	}
	a.Send(frame{"type": "ping"})
	pong := a.Expect("pong")
	if pong["seq"].(float64) <= aj["seq"].(float64) {
		t.Errorf("seq did not grow: joined %v, pong %v", aj["seq"], pong["seq"])
	}
	b.Send(frame{"type": "leave"})
	if left := a.Expect("peer-left"); left.Str("reason") != "left" {
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
		{name: "malformed JSON", send: func(c *client) { c.SendRaw(websocket.TextMessage, []byte(`{"type":`)) }, code: signaling.CodeBadJSON},
		{name: "not an object", send: func(c *client) { c.SendRaw(websocket.TextMessage, []byte(`[1,2]`)) }, code: signaling.CodeBadJSON},
		{name: "binary frame", send: func(c *client) { c.SendRaw(websocket.BinaryMessage, []byte(`{"type":"ping"}`)) }, code: signaling.CodeBadJSON},
		{name: "invalid UTF-8", send: func(c *client) { c.SendRaw(websocket.TextMessage, []byte("{\"type\":\"join\",\"room\":\"\xff\"}")) }, code: signaling.CodeBadJSON},
		{name: "deeply nested", send: func(c *client) {
			c.SendRaw(websocket.TextMessage, []byte(`{"type":"broadcast","data":`+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+`}`))
		}, code: signaling.CodeBadJSON},
		{name: "no type", send: func(c *client) { c.Send(frame{"room": "x"}) }, code: signaling.CodeBadField},
		{name: "unknown type", send: func(c *client) { c.Send(frame{"type": "teleport"}) }, code: signaling.CodeUnknownType},
		{name: "join without room", send: func(c *client) { c.Send(frame{"type": "join"}) }, code: signaling.CodeBadField},
		{name: "room of wrong type", send: func(c *client) { c.Send(frame{"type": "join", "room": 7}) }, code: signaling.CodeBadField},
		{name: "chatOnly of wrong type", send: func(c *client) { c.Send(frame{"type": "join", "room": "x", "chatOnly": "yes"}) }, code: signaling.CodeBadField},
		{name: "signal without data", send: func(c *client) { c.Send(frame{"type": "signal", "to": "x"}) }, code: signaling.CodeBadField},
		{name: "broadcast of null", send: func(c *client) { c.Send(frame{"type": "broadcast", "data": nil}) }, code: signaling.CodeBadField},
		{name: "resume without token", send: func(c *client) { c.Send(frame{"type": "resume"}) }, code: signaling.CodeBadField},
		{name: "bad room name", send: func(c *client) { c.Send(frame{"type": "join", "room": "a\u0007"}) }, code: signaling.CodeBadRoomName},
		{name: "room full", cfg: signaling.Config{RoomCapacity: 1},
			setup: func(t *testing.T, ts *testServer, c *client) { dial(t, ts).Join("solo") },
			send:  func(c *client) { c.Send(frame{"type": "join", "room": "solo"}) }, code: signaling.CodeRoomFull},
		{name: "room locked",
			setup: func(t *testing.T, ts *testServer, c *client) {
				dial(t, ts).Join("lab")
				if err := ts.hub.LockRoom("lab", true); err != nil {
					t.Fatal(err)
				}
			},
			send: func(c *client) { c.Send(frame{"type": "join", "room": "lab"}) }, code: signaling.CodeRoomLocked},
		{name: "too many rooms", cfg: signaling.Config{MaxRooms: 1},
			setup: func(t *testing.T, ts *testServer, c *client) { dial(t, ts).Join("first") },
			send:  func(c *client) { c.Send(frame{"type": "join", "room": "second"}) }, code: signaling.CodeTooManyRooms},
		{name: "already in room", setup: func(t *testing.T, ts *testServer, c *client) { c.Join("one") },
			send: func(c *client) { c.Send(frame{"type": "join", "room": "two"}) }, code: signaling.CodeAlreadyInRoom},
		{name: "leave outside a room", send: func(c *client) { c.Send(frame{"type": "leave"}) }, code: signaling.CodeNotInRoom},
		{name: "broadcast outside a room", send: func(c *client) { c.Send(frame{"type": "broadcast", "data": 1}) }, code: signaling.CodeNotInRoom},
		{name: "signal to another room", setup: func(t *testing.T, ts *testServer, c *client) {
			c.Join("one")
			other := dial(t, ts)
			other.Join("two")
			c.Send(frame{"type": "signal", "to": other.ID, "data": 1})
		}, code: signaling.CodeUnknownPeer},
		{name: "bad resume token", send: func(c *client) { c.Send(frame{"type": "resume", "token": "nope"}) }, code: signaling.CodeBadToken},
		{name: "rate limited", cfg: signaling.Config{Rate: 0.001, Burst: 2}, send: func(c *client) {
			for range 3 {
				c.Send(frame{"type": "ping"})
			}
			c.Expect("pong")
			c.Expect("pong")
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
			e := c.Expect("error")
			if e.Str("code") != string(tt.code) || e.Str("message") == "" {
				t.Errorf("error = %v, want code %q with a message", e, tt.code)
			}
			// The connection stays usable.
			c.Send(frame{"type": "ping"})
			if tt.code != signaling.CodeRateLimited {
				c.Expect("pong")
			}
		})
	}
}

func TestOversizeFrameClosesWith1009(t *testing.T) {
	ts := startServer(t, signaling.Config{MaxMessageSize: 1024})
	c := dial(t, ts)
	c.SendRaw(websocket.TextMessage, []byte(`{"type":"broadcast","data":"`+strings.Repeat("x", 2000)+`"}`))
	if e := c.Expect("error"); e.Str("code") != string(signaling.CodeTooLarge) {
		t.Errorf("error = %v, want too-large", e)
	}
	if code := c.ExpectClose(); code != websocket.CloseMessageTooBig {
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
	c := &client{T: t, WS: ws, Timeout: readTimeout}
	if e := c.Expect("error"); e.Str("code") != string(signaling.CodeServerFull) {
		t.Errorf("error = %v, want server-full", e)
	}
	if code := c.ExpectClose(); code != websocket.CloseTryAgainLater {
		t.Errorf("close = %d, want 1013", code)
	}

	ts.hub.Shutdown()
	ws2, _, err := websocket.DefaultDialer.Dial(ts.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.Close()
	c2 := &client{T: t, WS: ws2, Timeout: readTimeout}
	if e := c2.Expect("error"); e.Str("code") != string(signaling.CodeShuttingDown) {
		t.Errorf("error = %v, want shutting-down", e)
	}
}

func TestMisbehavingPeerIsDisconnected(t *testing.T) {
	ts := startServer(t, signaling.Config{MaxStrikes: 3})
	c := dial(t, ts)
	for range 3 {
		c.SendRaw(websocket.TextMessage, []byte("nonsense"))
	}
	for range 3 {
		c.Expect("error")
	}
	if code := c.ExpectClose(); code != closeMisbehaving {
		t.Errorf("close = %d, want %d", code, closeMisbehaving)
	}
}

func TestSlowConsumerIsDropped(t *testing.T) {
	ts := startServer(t, signaling.Config{OutboxSize: 8, Rate: 1e6, Burst: 1e6, WriteTimeout: time.Second})
	fast, slow := dial(t, ts), dial(t, ts)
	fast.Join("r")
	slow.Join("r")
	fast.Expect("peer-joined")
	// slow stops reading; fast sends until the server gives up on slow.
	payload := strings.Repeat("x", 60<<10)
	deadline := time.Now().Add(readTimeout * 4)
	for {
		fast.Send(frame{"type": "broadcast", "data": payload})
		if ts.hub.Stats().SlowDropped > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("slow consumer never dropped")
		}
	}
	for {
		f := fast.Read()
		if f.Str("type") == "peer-left" {
			if f.Str("reason") != "dropped" {
				t.Errorf("peer-left = %v, want reason dropped", f)
			}
			break
		}
	}
}

func TestResumeAfterDroppedConnection(t *testing.T) {
	ts := startServer(t, signaling.Config{})
	a, b := dial(t, ts), dial(t, ts)
	aj := a.Join("r")
	b.Join("r")
	last := a.Expect("peer-joined")["seq"].(float64)
	a.WS.NetConn().Close() // the Wi-Fi drops: no close frame

	aID := aj["self"].(map[string]any)["id"].(string)
	if away := b.Expect("peer-away"); peerObj(t, away, "peer")["id"] != aID {
		t.Errorf("peer-away = %v, want a", away)
	}
	b.Send(frame{"type": "signal", "to": aID, "data": "while away"})
	b.Send(frame{"type": "ping"})
	b.Expect("pong") // the server has relayed the signal

	a2 := dial(t, ts)
	a2.Send(frame{"type": "resume", "token": aj.Str("token"), "lastSeq": last})
	if s := a2.Expect("signal"); s["data"] != "while away" {
		t.Errorf("replayed = %v", s)
	}
	r := a2.Expect("resumed")
	if r["self"].(map[string]any)["id"] != aID || r["lost"].(float64) != 0 {
		t.Errorf("resumed = %v", r)
	}
	// b sees a back, and nothing else: no peer-left, no peer-joined.
	if back := b.Expect("peer-back"); peerObj(t, back, "peer")["id"] != aID {
		t.Errorf("peer-back = %v, want a", back)
	}
	b.Send(frame{"type": "ping"})
	b.Expect("pong")
	a2.Send(frame{"type": "broadcast", "data": "back"})
	if got := b.Expect("broadcast"); got.Str("from") != aID {
		t.Errorf("broadcast after resume from %q, want %q", got.Str("from"), aID)
	}
}

func TestNormalCloseReleasesSeatAtOnce(t *testing.T) {
	ts := startServer(t, signaling.Config{})
	a, b := dial(t, ts), dial(t, ts)
	a.Join("r")
	b.Join("r")
	a.Expect("peer-joined")
	b.WS.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"))
	if f := a.Expect("peer-left"); f.Str("reason") != "left" {
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
	a.Join("r")
	hub.Shutdown()
	srv.Wait()
	for _, c := range []*client{a, b} {
		for {
			f, code := readOrClose(c)
			if code != 0 {
				if code != websocket.CloseGoingAway {
					t.Errorf("close code = %d, want 1001", code)
				}
				break
			}
			if f.Str("type") == "left" && f.Str("reason") != "shutdown" {
				t.Errorf("left = %v", f)
			}
		}
		c.WS.Close()
	}
	hs.Close()
}

// readOrClose returns the next frame, or the close code when the server
// closed.
func readOrClose(c *client) (frame, int) {
	c.T.Helper()
	c.WS.SetReadDeadline(time.Now().Add(readTimeout))
	_, b, err := c.WS.ReadMessage()
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return nil, ce.Code
	}
	if err != nil {
		c.T.Fatalf("read: %v", err)
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		c.T.Fatal(err)
	}
	return f, 0
}

func TestDeadPeerDetectedByHeartbeat(t *testing.T) {
	ts := startServer(t, signaling.Config{
		PingInterval: 20 * time.Millisecond, PongTimeout: 100 * time.Millisecond,
		ResumeGrace: 50 * time.Millisecond,
	})
	alive, dead := dial(t, ts), dial(t, ts)
	alive.Join("r")
	dead.Join("r")
	alive.Expect("peer-joined")
	// dead never reads again, so it never answers a ping. alive keeps
	// reading, so its pongs go out; it sees dead leave once the pong
	// timeout and the grace have passed.
	for {
		f := alive.Read()
		if f.Str("type") == "peer-left" {
			if f.Str("reason") != "timed-out" || f["peer"].(map[string]any)["id"] != dead.ID {
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
	aj := a.Join("lab")
	checkPeer(t, "a's joined.self", peerObj(t, aj, "self"), a.ID, false)

	w.Send(frame{"type": "join", "room": "lab", "name": "Window", "chatOnly": true})
	wj := w.Expect("joined")
	checkPeer(t, "window's joined.self", peerObj(t, wj, "self"), w.ID, true)
	if peers := wj["peers"].([]any); len(peers) != 1 {
		t.Fatalf("window's joined.peers = %v, want a", peers)
	} else {
		checkPeer(t, "window's joined.peers[0]", peers[0].(map[string]any), a.ID, false)
	}
	checkPeer(t, "a's peer-joined", peerObj(t, a.Expect("peer-joined"), "peer"), w.ID, true)

	bj := b.Join("lab")
	if peers := bj["peers"].([]any); len(peers) != 2 {
		t.Fatalf("b's joined.peers = %v, want a and the window", peers)
	} else {
		checkPeer(t, "b's joined.peers[0]", peers[0].(map[string]any), a.ID, false)
		checkPeer(t, "b's joined.peers[1]", peers[1].(map[string]any), w.ID, true)
	}
	checkPeer(t, "a's peer-joined of b", peerObj(t, a.Expect("peer-joined"), "peer"), b.ID, false)
	checkPeer(t, "window's peer-joined of b", peerObj(t, w.Expect("peer-joined"), "peer"), b.ID, false)

	w.Send(frame{"type": "broadcast", "data": frame{"chat": "from the window"}})
	if got := a.Expect("broadcast"); got.Str("from") != w.ID || got["data"].(map[string]any)["chat"] != "from the window" {
		t.Errorf("a got %v", got)
	}
	b.Expect("broadcast")
	a.Send(frame{"type": "broadcast", "data": frame{"chat": "to everyone"}})
	got := w.Expect("broadcast")
	if got["data"].(map[string]any)["chat"] != "to everyone" {
		t.Errorf("window got %v", got)
	}
	b.Expect("broadcast")

	// The window's connection drops (the others hear it is away);
	// resuming keeps the seat chat-only.
	last := got["seq"].(float64)
	w.WS.NetConn().Close()
	for _, c := range []*client{a, b} {
		checkPeer(t, "peer-away", peerObj(t, c.Expect("peer-away"), "peer"), w.ID, true)
	}
	w2 := dial(t, ts)
	w2.Send(frame{"type": "resume", "token": wj.Str("token"), "lastSeq": last})
	checkPeer(t, "window's resumed.self", peerObj(t, w2.Expect("resumed"), "self"), w.ID, true)
	for _, c := range []*client{a, b} {
		checkPeer(t, "peer-back", peerObj(t, c.Expect("peer-back"), "peer"), w.ID, true)
	}

	w2.Send(frame{"type": "leave"})
	checkPeer(t, "a's peer-left", peerObj(t, a.Expect("peer-left"), "peer"), w.ID, true)
	checkPeer(t, "b's peer-left", peerObj(t, b.Expect("peer-left"), "peer"), w.ID, true)
}

func TestClassAddressAndRename(t *testing.T) {
	ts := startServer(t, signaling.Config{})
	var rooms []string
	cs := []*client{dial(t, ts), dial(t, ts), dial(t, ts)}
	for i, c := range cs {
		c.Send(frame{"type": "join", "room": "math", "name": fmt.Sprint("s", i), "overflow": true})
		j := c.Expect("joined")
		if j.Str("class") != "math" {
			t.Errorf("joined = %v, want class math", j)
		}
		rooms = append(rooms, j.Str("room"))
	}
	if want := []string{"math", "math", "math · 2"}; fmt.Sprint(rooms) != fmt.Sprint(want) {
		t.Errorf("rooms = %q, want %q", rooms, want)
	}
	// Without overflow the same address answers room-full, as before.
	d := dial(t, ts)
	d.Send(frame{"type": "join", "room": "math"})
	if e := d.Expect("error"); e.Str("code") != "room-full" {
		t.Errorf("plain join = %v, want room-full", e)
	}

	cs[0].Send(frame{"type": "rename", "name": "Ana"})
	for _, c := range cs[:2] {
		for {
			f := c.Read()
			if f.Str("type") == "peer-joined" {
				continue
			}
			if f.Str("type") != "peer-renamed" || peerObj(t, f, "peer")["name"] != "Ana" || f.Str("room") != "math" {
				t.Errorf("got %v, want peer-renamed Ana", f)
			}
			break
		}
	}
	cs[0].Send(frame{"type": "rename"})
	if e := cs[0].Expect("error"); e.Str("code") != "bad-field" {
		t.Errorf("rename without name = %v, want bad-field", e)
	}
}
