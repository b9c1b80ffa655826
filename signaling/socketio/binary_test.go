package socketio_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"signalbox/signaling"
	"signalbox/signaling/socketio"
	"signalbox/signaling/socketio/sioproto"
)

// payload is binary data with the bytes that trouble text transports: a
// NUL, the record separator, invalid UTF-8.
var payload = []byte{0, 1, 0x1e, 0x7b, 0xff, 0xfe}

// pair connects two WebSocket socket.io clients in room r.
func pair(t *testing.T, env *env) (a, b *sioClient) {
	t.Helper()
	a, b = env.dial(t), env.dial(t)
	a.connect(nil)
	b.connect(nil)
	a.emit("create or join", "r")
	a.skipUntil("created")
	b.emit("create or join", "r")
	b.skipUntil("ready")
	a.skipUntil("ready")
	return a, b
}

// nextBinaryPacket skips text events until a BINARY_EVENT or BINARY_ACK.
func (c *sioClient) nextBinaryPacket() sioproto.Packet {
	c.t.Helper()
	for {
		p := c.next()
		if p.Binary() {
			return p
		}
	}
}

// TestBinaryRelay checks that binary emitted by one socket.io client
// reaches the other as binary: the same BINARY_EVENT shape (placeholders
// in place, the sender's id appended) and the same bytes, with an ack for
// the sender; nested placeholders and several attachments included.
func TestBinaryRelay(t *testing.T) {
	env := newEnv(t, signaling.Config{}, socketio.Config{NoLogs: true})
	a, b := pair(t, env)

	a.send(`51-9["message",{"_placeholder":true,"num":0}]`)
	a.sendBinary(payload)
	if got := a.nextRaw(); got != `39[{"ok":true}]` {
		t.Errorf("ack = %q, want 39[{\"ok\":true}]", got)
	}
	p := b.nextBinaryPacket()
	want := `["message",{"_placeholder":true,"num":0},"` + a.sid + `"]`
	if got, _ := sioproto.Encode(p); p.Type != sioproto.BinaryEvent || p.Attachments != 1 || !strings.HasSuffix(got, want) {
		t.Fatalf("relayed %q, want a BINARY_EVENT with one attachment, args %s", got, want)
	}
	if got := b.nextBinary(); string(got) != string(payload) {
		t.Errorf("attachment = %v, want %v", got, payload)
	}

	// Two attachments deep inside an object, one of them empty.
	b.send(`52-["message",{"file":{"name":"x","parts":[{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]}}]`)
	b.sendBinary([]byte("first"))
	b.sendBinary(nil)
	p = a.nextBinaryPacket()
	if p.Attachments != 2 || !strings.Contains(string(p.Args[0]), `"parts":[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`) {
		t.Fatalf("relayed %+v %s", p, p.Args[0])
	}
	if first, second := a.nextBinary(), a.nextBinary(); len(first) != 0 || string(second) != "first" {
		t.Errorf("attachments = %q, %q, want \"\", \"first\" (numbered in order of appearance)", first, second)
	}
}

// TestBinaryNativeMapping checks the documented mapping: a native peer
// receives a socket.io client's binary as {"_binary":"<base64>"}, and a
// native peer's markers reach a socket.io client as binary.
func TestBinaryNativeMapping(t *testing.T) {
	env := newEnv(t, signaling.Config{}, socketio.Config{NoLogs: true})
	n := env.dialNative(t)
	n.send(map[string]string{"type": "join", "room": "r"})
	n.expect("joined")
	c := env.dial(t)
	c.connect(nil)
	c.emit("create or join", "r")
	c.skipUntil("joined")
	n.expect("peer-joined")

	c.send(`51-["message",{"type":"snapshot","image":{"_placeholder":true,"num":0}}]`)
	c.sendBinary(payload)
	got := n.expect("broadcast")
	var frame struct {
		From string          `json:"from"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(got, &frame); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"snapshot","image":{"_binary":"` + base64.StdEncoding.EncodeToString(payload) + `"}}`
	if frame.From != c.sid || string(frame.Data) != want {
		t.Errorf("native peer got %s, want data %s from %s", got, want, c.sid)
	}

	// The reverse: markers from a native peer become attachments; an
	// object that is not exactly a marker stays JSON.
	n.send(map[string]any{"type": "broadcast", "data": map[string]any{
		"a": map[string]string{"_binary": "AAEC"},
		"b": map[string]any{"_binary": "AAEC", "extra": 1},
		"c": map[string]string{"_binary": "not base64!"},
	}})
	p := c.nextBinaryPacket()
	wantArgs := `{"a":{"_placeholder":true,"num":0},"b":{"_binary":"AAEC","extra":1},"c":{"_binary":"not base64!"}}`
	if p.Attachments != 1 || string(p.Args[0]) != wantArgs || string(p.Args[1]) != `"`+n.id+`"` {
		t.Errorf("socket.io client got %+v, want args %s and the native id", p, wantArgs)
	}
	if b := c.nextBinary(); string(b) != "\x00\x01\x02" {
		t.Errorf("attachment = %q, want 00 01 02", b)
	}

	// Plain JSON stays plain: no binary packet.
	n.send(map[string]any{"type": "broadcast", "data": "_binary"})
	if p := c.skipUntil("message"); string(p.Args[0]) != `"_binary"` {
		t.Errorf("message = %s", p.Args)
	}
}

// TestBinaryPolling checks binary over polling both ways: a client's
// BINARY_EVENT and its "b" + base64 attachment in one POST, and a binary
// relay arriving in a poll as "b" + base64.
func TestBinaryPolling(t *testing.T) {
	env := newEnv(t, signaling.Config{}, socketio.Config{NoLogs: true})
	ws := env.dial(t)
	ws.connect(nil)
	ws.emit("create or join", "r")
	ws.skipUntil("created")

	p := env.openPolling(t)
	p.post("40")
	p.post(`42["create or join","r"]`)
	for !strings.Contains(p.get(), `"ready"`) {
	}
	ws.skipUntil("ready")

	b64 := base64.StdEncoding.EncodeToString(payload)
	p.post(`451-["message",{"_placeholder":true,"num":0}]` + "\x1eb" + b64)
	if pk := ws.nextBinaryPacket(); pk.Attachments != 1 {
		t.Fatalf("relayed %+v", pk)
	}
	if got := ws.nextBinary(); string(got) != string(payload) {
		t.Errorf("attachment over the WebSocket = %v, want %v", got, payload)
	}

	ws.send(`51-["message",{"_placeholder":true,"num":0}]`)
	ws.sendBinary(payload)
	body := p.get()
	want := "451-[\"message\",{\"_placeholder\":true,\"num\":0},\"" + ws.sid + "\"]\x1eb" + b64
	for !strings.Contains(body, want) {
		if strings.Contains(body, "451-") {
			t.Fatalf("poll = %q, want %q", body, want)
		}
		body = p.get()
	}
}

// TestBinaryLimits checks the attachments' size limit (the payload limit,
// for all attachments of one packet together: the event fails with
// too-large and the session carries on) and the protocol errors that close
// the session.
func TestBinaryLimits(t *testing.T) {
	const limit = 1024
	t.Run("too large", func(t *testing.T) {
		env := newEnv(t, signaling.Config{}, socketio.Config{NoLogs: true, MaxPayload: limit})
		a, b := pair(t, env)
		a.send(`52-4["message",[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]]`)
		a.sendBinary(make([]byte, limit/2))
		a.sendBinary(make([]byte, limit/2+1))
		p := a.skipUntil("error")
		if !strings.Contains(string(p.Args[0]), `"code":"too-large"`) {
			t.Errorf("error = %s, want too-large", p.Args[0])
		}
		if got := a.nextRaw(); !strings.HasPrefix(got, `34[{"ok":false,"code":"too-large"`) {
			t.Errorf("ack = %q, want too-large", got)
		}
		// Exactly the limit passes.
		a.send(`52-["message",[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]]`)
		a.sendBinary(make([]byte, limit/2))
		a.sendBinary(make([]byte, limit/2))
		if p := b.nextBinaryPacket(); p.Attachments != 2 {
			t.Errorf("relayed %+v", p)
		}
	})
	for _, tc := range []struct {
		name string
		send func(c *sioClient)
	}{
		{"attachment with no packet", func(c *sioClient) { c.sendBinary(payload) }},
		{"text while attachments are awaited", func(c *sioClient) {
			c.send(`51-["message",{"_placeholder":true,"num":0}]`)
			c.emit("ipaddr")
		}},
		{"placeholder out of range", func(c *sioClient) {
			c.send(`51-["message",{"_placeholder":true,"num":1}]`)
			c.sendBinary(payload)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, signaling.Config{}, socketio.Config{NoLogs: true})
			c := env.dial(t)
			c.connect(nil)
			tc.send(c)
			c.expectClosed()
		})
	}
}

// TestBinaryBroadcastShared checks a binary relay to several socket.io
// recipients, which share one encoding of it: each gets the packet and
// every attachment, an empty last one included.
func TestBinaryBroadcastShared(t *testing.T) {
	env := newEnv(t, signaling.Config{RoomCapacity: 3}, socketio.Config{NoLogs: true})
	var cs []*sioClient
	for range 3 {
		c := env.dial(t)
		c.connect(nil)
		c.emit("create or join", "r")
		cs = append(cs, c)
	}
	for _, c := range cs {
		c.skipUntil("ready")
	}
	cs[0].send(`52-["message",[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]]`)
	cs[0].sendBinary(payload)
	cs[0].sendBinary(nil)
	for _, c := range cs[1:] {
		if p := c.nextBinaryPacket(); p.Attachments != 2 {
			t.Fatalf("relayed %+v", p)
		}
		if a, b := c.nextBinary(), c.nextBinary(); string(a) != string(payload) || len(b) != 0 {
			t.Errorf("attachments %q, %q, want %q and empty", a, b, payload)
		}
	}
}
