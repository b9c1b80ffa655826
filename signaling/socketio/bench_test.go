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
