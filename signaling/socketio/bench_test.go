package socketio_test

import (
	"testing"

	"signalbox/signaling"
	"signalbox/signaling/socketio"
)

// BenchmarkRelay measures one "message" from a socket.io peer to the other
// peer of its room, both on WebSockets: decode, hub, writer, encode. The
// tutorial's logs are off, as in scripts/bench-compare.sh.
func BenchmarkRelay(b *testing.B) {
	env := newEnv(b, signaling.Config{Rate: 1e9, Burst: 1 << 30}, socketio.Config{NoLogs: true})
	a, c := env.dial(b), env.dial(b)
	a.connect(nil)
	c.connect(nil)
	a.emit("create or join", "bench")
	a.skipUntil("created")
	c.emit("create or join", "bench")
	c.skipUntil("ready")
	a.skipUntil("ready")
	candidate := map[string]any{"type": "candidate", "label": 0, "id": "0",
		"candidate": "candidate:842163049 1 udp 1677729535 192.168.1.20 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0"}
	packet := encodeEvent(false, 0, "message", candidate)
	b.ResetTimer()
	for range b.N {
		a.send(packet)
		if p := c.next(); p.Event != "message" {
			b.Fatalf("got %q", p.Event)
		}
	}
}

// BenchmarkRelayBinary measures one "message" carrying a 1 KiB binary
// attachment (a thumbnail, a file chunk) from a socket.io peer to the
// other: assembly, markers through the hub, and the BINARY_EVENT again.
func BenchmarkRelayBinary(b *testing.B) {
	env := newEnv(b, signaling.Config{Rate: 1e9, Burst: 1 << 30}, socketio.Config{NoLogs: true})
	a, c := env.dial(b), env.dial(b)
	a.connect(nil)
	c.connect(nil)
	a.emit("create or join", "bench")
	a.skipUntil("created")
	c.emit("create or join", "bench")
	c.skipUntil("ready")
	a.skipUntil("ready")
	attachment := make([]byte, 1024)
	for i := range attachment {
		attachment[i] = byte(i)
	}
	b.SetBytes(int64(len(attachment)))
	b.ResetTimer()
	for range b.N {
		a.send(`51-["message",{"_placeholder":true,"num":0}]`)
		a.sendBinary(attachment)
		if p := c.next(); !p.Binary() {
			b.Fatalf("got %v", p.Type)
		}
		if got := c.nextBinary(); len(got) != len(attachment) {
			b.Fatalf("attachment of %d bytes", len(got))
		}
	}
}
