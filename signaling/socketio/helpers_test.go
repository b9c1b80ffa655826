package socketio_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/signaling"
	"signalbox/signaling/native"
	"signalbox/signaling/socketio"
	"signalbox/signaling/socketio/sioproto"
)

// waitLimit bounds every wait for something the server must send; it only
// turns a hang into a failure.
const waitLimit = 5 * time.Second

// env is a hub with both transports on one httptest server.
type env struct {
	hub *signaling.Hub
	sio *socketio.Server
	srv *httptest.Server
}

// testAddrs is what the servers of these tests answer to "ipaddr", once
// filtered to LAN IPv4.
func testAddrs() []net.IP {
	return []net.IP{
		net.ParseIP("10.1.2.3"), net.ParseIP("::1"), net.ParseIP("127.0.0.1"),
		net.ParseIP("192.168.5.6"), net.ParseIP("fd00::5"),
	}
}

func newEnv(t testing.TB, hc signaling.Config, cfg socketio.Config) *env {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	hub, err := signaling.New(hc, log)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LANAddrs == nil {
		cfg.LANAddrs = testAddrs
	}
	sio, err := socketio.New(hub, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	nat := native.NewServer(hub, native.Config{}, log)
	mux := http.NewServeMux()
	mux.Handle(socketio.Path, sio)
	mux.Handle("GET /ws", nat)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		hub.Shutdown()
		nat.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		if err := sio.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		srv.Close()
	})
	return &env{hub: hub, sio: sio, srv: srv}
}

func (e *env) wsURL(path string) string {
	return "ws" + strings.TrimPrefix(e.srv.URL, "http") + path
}

// sioClient speaks Engine.IO v4 over a WebSocket, answering pings, and
// hands the Socket.IO packets it receives to the test.
type sioClient struct {
	t      testing.TB
	ws     *websocket.Conn
	wmu    sync.Mutex
	in     chan string // Socket.IO packets, closed when the connection ends
	closes chan int    // the close code of the server's close frame, if any
	sid    string      // the Socket.IO sid (the hub peer id) after connect
}

// dial opens a WebSocket session and reads the open packet.
func (e *env) dial(t testing.TB) *sioClient {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(e.wsURL("/socket.io/?EIO=4&transport=websocket"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	_, open, err := ws.ReadMessage()
	if err != nil || !strings.HasPrefix(string(open), "0{") {
		t.Fatalf("open packet = %q, %v", open, err)
	}
	c := &sioClient{t: t, ws: ws, in: make(chan string, 256), closes: make(chan int, 1)}
	go c.read()
	return c
}

func (c *sioClient) read() {
	defer close(c.in)
	for {
		kind, data, err := c.ws.ReadMessage()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				c.closes <- ce.Code
			}
			return
		}
		switch s := string(data); {
		case kind == websocket.BinaryMessage:
			c.in <- binaryMark + s
		case s == "2":
			c.write("3")
		case strings.HasPrefix(s, "4"):
			c.in <- s[1:]
		}
	}
}

func (c *sioClient) write(s string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		c.t.Logf("write %q: %v", s, err)
	}
}

// binaryMark starts what sioClient.in holds for a binary message (an
// attachment): no Socket.IO packet starts with it.
const binaryMark = "\x00binary:"

// sendBinary sends one binary message (an attachment) as a binary frame.
func (c *sioClient) sendBinary(data []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.WriteMessage(websocket.BinaryMessage, data); err != nil {
		c.t.Logf("write binary: %v", err)
	}
}

// nextBinary returns the next message, which must be binary.
func (c *sioClient) nextBinary() []byte {
	c.t.Helper()
	s := c.nextRaw()
	if !strings.HasPrefix(s, binaryMark) {
		c.t.Fatalf("got %q, want a binary message", s)
	}
	return []byte(s[len(binaryMark):])
}

// send sends one Socket.IO packet.
func (c *sioClient) send(packet string) { c.write("4" + packet) }

// connect sends CONNECT with auth (nil for none) and returns the sid.
func (c *sioClient) connect(auth any) string {
	c.t.Helper()
	pk := "0"
	if auth != nil {
		b, _ := json.Marshal(auth)
		pk += string(b)
	}
	c.send(pk)
	p := c.next()
	var data struct{ SID string }
	if p.Type != sioproto.Connect || json.Unmarshal(p.Data, &data) != nil || data.SID == "" {
		c.t.Fatalf("answer to CONNECT = %+v, want CONNECT with a sid", p)
	}
	c.sid = data.SID
	return data.SID
}

// emit sends an event without an ack id.
func (c *sioClient) emit(name string, args ...any) {
	c.send(encodeEvent(false, 0, name, args...))
}

// emitAck sends an event asking for ack id.
func (c *sioClient) emitAck(id uint64, name string, args ...any) {
	c.send(encodeEvent(true, id, name, args...))
}

func encodeEvent(hasID bool, id uint64, name string, args ...any) string {
	raw := make([]json.RawMessage, len(args))
	for i, a := range args {
		raw[i], _ = json.Marshal(a)
	}
	s, err := sioproto.Encode(sioproto.Packet{Type: sioproto.Event, HasID: hasID, ID: id, Event: name, Args: raw})
	if err != nil {
		panic(err)
	}
	return s
}

// nextRaw returns the next Socket.IO packet as sent.
func (c *sioClient) nextRaw() string {
	c.t.Helper()
	select {
	case s, ok := <-c.in:
		if !ok {
			c.t.Fatal("connection closed while waiting for a packet")
		}
		return s
	case <-time.After(waitLimit):
		c.t.Fatal("no packet from the server")
	}
	return ""
}

// next returns the next Socket.IO packet, decoded.
func (c *sioClient) next() sioproto.Packet {
	c.t.Helper()
	s := c.nextRaw()
	p, err := sioproto.Decode(s)
	if err != nil {
		c.t.Fatalf("server sent %q: %v", s, err)
	}
	return p
}

// expect reads the next packets and checks each is the event named, with
// args (JSON texts, compared after compaction) when given.
func (c *sioClient) expect(want ...ev) {
	c.t.Helper()
	for _, w := range want {
		p := c.next()
		if p.Type != sioproto.Event || p.Event != w.name {
			c.t.Fatalf("got %v %q %s, want event %q", p.Type, p.Event, joinArgs(p.Args), w.name)
		}
		if w.args != nil && joinArgs(p.Args) != w.args.String() {
			c.t.Fatalf("event %q args = %s, want %s", w.name, joinArgs(p.Args), w.args)
		}
	}
}

// skipUntil reads packets until the event named arrives, and returns it.
func (c *sioClient) skipUntil(name string) sioproto.Packet {
	c.t.Helper()
	for {
		p := c.next()
		if p.Type == sioproto.Event && p.Event == name {
			return p
		}
	}
}

// expectClosed waits for the connection to end, checking that no Socket.IO
// packet but the ones in want come first.
func (c *sioClient) expectClosed(want ...string) {
	c.t.Helper()
	for {
		select {
		case s, ok := <-c.in:
			if !ok {
				if len(want) > 0 {
					c.t.Fatalf("closed before %q", want[0])
				}
				return
			}
			if len(want) == 0 || s != want[0] {
				c.t.Fatalf("got %q before the close, want %q", s, want)
			}
			want = want[1:]
		case <-time.After(waitLimit):
			c.t.Fatal("the server did not close the connection")
		}
	}
}

// ev is an expected event: its name, and its arguments unless args is nil.
type ev struct {
	name string
	args *argList
}

type argList struct{ s string }

func (a *argList) String() string { return a.s }

// e builds an expected event; with arguments, their JSON must match.
func e(name string, args ...any) ev {
	if len(args) == 0 {
		return ev{name: name}
	}
	raw := make([]json.RawMessage, len(args))
	for i, a := range args {
		raw[i], _ = json.Marshal(a)
	}
	return ev{name: name, args: &argList{joinArgs(raw)}}
}

// joinArgs returns args as one JSON array with object keys sorted, for
// comparisons.
func joinArgs(args []json.RawMessage) string {
	b, _ := json.Marshal(args)
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	b, _ = json.Marshal(v)
	return string(b)
}

// logArgs is the argument of a "log" event.
func logArgs(lines ...any) []any {
	return append([]any{">>> Message from server: "}, lines...)
}

// nativeClient speaks the native protocol on /ws.
type nativeClient struct {
	t  testing.TB
	ws *websocket.Conn
	id string
}

func (e *env) dialNative(t testing.TB) *nativeClient {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(e.wsURL("/ws"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	n := &nativeClient{t: t, ws: ws}
	w := n.expect("welcome")
	var hello struct{ Peer signaling.PeerInfo }
	_ = json.Unmarshal(w, &hello)
	n.id = hello.Peer.ID
	return n
}

func (n *nativeClient) send(v any) {
	n.t.Helper()
	if err := n.ws.WriteJSON(v); err != nil {
		n.t.Fatal(err)
	}
}

// expect reads the next frame, checks its type and returns it whole.
func (n *nativeClient) expect(typ string) json.RawMessage {
	n.t.Helper()
	n.ws.SetReadDeadline(time.Now().Add(waitLimit))
	_, data, err := n.ws.ReadMessage()
	if err != nil {
		n.t.Fatalf("waiting for %q: %v", typ, err)
	}
	var f struct{ Type string }
	if json.Unmarshal(data, &f) != nil || f.Type != typ {
		n.t.Fatalf("native peer got %s, want type %q", data, typ)
	}
	return data
}

// polling is an Engine.IO client on the polling transport.
type polling struct {
	t   testing.TB
	url string
	sid string
}

func (e *env) openPolling(t testing.TB) *polling {
	t.Helper()
	p := &polling{t: t, url: e.srv.URL + socketio.Path + "?EIO=4&transport=polling"}
	body := p.get()
	var open struct{ SID string }
	if !strings.HasPrefix(body, "0") || json.Unmarshal([]byte(body[1:]), &open) != nil {
		t.Fatalf("open = %q", body)
	}
	p.sid = open.SID
	p.url += "&sid=" + url.QueryEscape(open.SID)
	return p
}

func (p *polling) get() string {
	p.t.Helper()
	body, status := p.try(http.MethodGet, "")
	if status != http.StatusOK {
		p.t.Fatalf("GET: %d %s", status, body)
	}
	return body
}

func (p *polling) post(payload string) {
	p.t.Helper()
	if body, status := p.try(http.MethodPost, payload); status != http.StatusOK {
		p.t.Fatalf("POST: %d %s", status, body)
	}
}

func (p *polling) try(method, payload string) (string, int) {
	req, err := http.NewRequest(method, p.url, strings.NewReader(payload))
	if err != nil {
		p.t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode
}

// packets splits a polling payload into Socket.IO packets, dropping
// pings and noops.
func packets(payload string) []string {
	var out []string
	for _, p := range strings.Split(payload, "\x1e") {
		if strings.HasPrefix(p, "4") {
			out = append(out, p[1:])
		}
	}
	return out
}
