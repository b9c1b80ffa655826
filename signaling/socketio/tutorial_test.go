package socketio_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"signalbox/signaling"
	"signalbox/signaling/socketio"
	"signalbox/signaling/socketio/sioproto"
)

// TestTutorialFlow walks the tutorial's events with three sockets in a
// room of two: created, join/joined, ready, full, message relay, log,
// ipaddr and bye.
func TestTutorialFlow(t *testing.T) {
	env := newEnv(t, signaling.Config{RoomCapacity: 2}, socketio.Config{})
	a, b, c := env.dial(t), env.dial(t), env.dial(t)
	idA, idB, idC := a.connect(nil), b.connect(nil), c.connect(nil)

	a.emit("create or join", "foo")
	a.expect(
		e("log", logArgs("Request to create or join room foo")),
		e("log", logArgs("Room foo has 0 client(s)")),
		e("log", logArgs(fmt.Sprintf("Client ID %s created room foo", idA))),
		e("created", "foo", idA),
	)

	b.emit("create or join", "foo")
	b.expect(
		e("log", logArgs("Request to create or join room foo")),
		e("log", logArgs("Room foo has 1 client(s)")),
		e("log", logArgs(fmt.Sprintf("Client ID %s joined room foo", idB))),
		e("joined", "foo", idB),
		e("ready", "foo"),
	)
	a.expect(e("join", "foo", idB), e("ready", "foo"))

	c.emit("create or join", "foo")
	c.expect(
		e("log", logArgs("Request to create or join room foo")),
		e("log", logArgs("Room foo is full")),
		e("full", "foo"),
		e("log"),
		e("error"),
	)

	// C sits in another room; nothing from foo may reach it.
	c.emit("create or join", "bar")
	c.skipUntil("created")

	offer := map[string]string{"type": "offer", "sdp": "v=0"}
	a.emit("message", offer)
	b.expect(e("message", offer, idA))
	a.expect(e("log", logArgs("Got message:", offer)))
	b.emit("message", "got user media")
	a.expect(e("message", "got user media", idB))
	b.expect(e("log", logArgs("Got message:", "got user media")))
	c.emit("message", "to bar only")
	c.expect(e("log", logArgs("Got message:", "to bar only")))

	a.emit("ipaddr")
	a.expect(e("ipaddr", "10.1.2.3"), e("ipaddr", "192.168.5.6"))

	b.emit("bye", "foo")
	b.expect(e("log", logArgs(fmt.Sprintf("Client ID %s left room foo", idB))))
	a.expect(
		e("log", logArgs(fmt.Sprintf("Client ID %s left room foo (left)", idB))),
		e("bye", "foo", idB, "left"),
	)

	// A's outbox got both messages before C's answer to this ack: had any
	// reached C, it would come first.
	c.emitAck(1, "ipaddr")
	c.expect(e("ipaddr"), e("ipaddr"))
	if p := c.next(); p.Type != sioproto.Ack {
		t.Fatalf("C got %v %q %s, want only its own ack", p.Type, p.Event, joinArgs(p.Args))
	}

	// The seat B left is free again.
	c.emit("bye")
	c.skipUntil("log")
	c.emit("create or join", "foo")
	c.skipUntil("joined")
	c.expect(e("ready", "foo"))
	a.expect(e("join", "foo", idC), e("ready", "foo"))
}

// TestReadyWhenComplete checks that "ready" goes to every member when the
// room reaches its capacity, and never to a room of one.
func TestReadyWhenComplete(t *testing.T) {
	for _, capacity := range []int{1, 2, 3} {
		t.Run(fmt.Sprint("capacity ", capacity), func(t *testing.T) {
			env := newEnv(t, signaling.Config{RoomCapacity: capacity}, socketio.Config{})
			var peers []*sioClient
			for i := range capacity {
				p := env.dial(t)
				p.connect(nil)
				p.emit("create or join", "r")
				answer := "created"
				if i > 0 {
					answer = "joined"
				}
				p.skipUntil(answer)
				for _, q := range peers {
					q.expect(e("join"))
				}
				peers = append(peers, p)
			}
			if capacity > 1 {
				for _, p := range peers {
					p.expect(e("ready", "r"))
				}
			}
			// Nothing else is queued for anyone: each one's next packet
			// is the ack of this probe.
			for i, p := range peers {
				p.emitAck(uint64(100+i), "bye")
				p.skipUntil("log")
				if a := p.next(); a.Type != sioproto.Ack || a.ID != uint64(100+i) {
					t.Fatalf("peer %d got %v %q, want its ack", i, a.Type, a.Event)
				}
				for _, q := range peers[i+1:] {
					q.skipUntil("bye")
				}
			}
		})
	}
}

// TestAcks checks acks in both directions: the server answers every event
// that asks for one, success or failure, and takes the client's ack of
// "ready".
func TestAcks(t *testing.T) {
	env := newEnv(t, signaling.Config{RoomCapacity: 2}, socketio.Config{})
	a, b := env.dial(t), env.dial(t)
	idA, idB := a.connect(nil), b.connect(nil)

	a.emitAck(1, "create or join", " r ")
	a.skipUntil("created")
	expectAck(t, a, 1, map[string]any{"ok": true, "room": "r", "id": idA})

	a.emitAck(2, "ipaddr")
	a.expect(e("ipaddr"), e("ipaddr"))
	expectAck(t, a, 2, map[string]any{"ok": true, "addresses": []string{"10.1.2.3", "192.168.5.6"}})

	a.emitAck(3, "nope")
	a.expect(e("log"), e("error", map[string]string{"code": "unknown-type", "message": `event "nope": unknown message type`, "event": "nope"}))
	expectAck(t, a, 3, map[string]any{"ok": false, "code": "unknown-type", "message": `event "nope": unknown message type`})

	a.emitAck(4, "message")
	a.skipUntil("error")
	expectAck(t, a, 4, map[string]any{"ok": false, "code": "bad-field", "message": `message needs an argument: missing or invalid field`})

	b.emitAck(5, "create or join", "r", "Bea")
	b.skipUntil("joined")
	ready := b.next()
	if ready.Event != "ready" || !ready.HasID {
		t.Fatalf("got %v %q, want ready asking for an ack", ready.Type, ready.Event)
	}
	expectAck(t, b, 5, map[string]any{"ok": true, "room": "r", "id": idB})
	a.skipUntil("ready")

	b.send(fmt.Sprintf("3%d[\"ok\"]", ready.ID))
	b.expect(e("log", logArgs(fmt.Sprintf("Client ID %s is ready in room r", idB))))
	b.send(fmt.Sprintf("3%d[\"again\"]", ready.ID)) // answered already: ignored
	b.send("3999[]")                                // never asked: ignored

	b.emitAck(6, "message", map[string]string{"type": "answer"})
	b.expect(e("log"))
	expectAck(t, b, 6, map[string]any{"ok": true})
	a.expect(e("message", map[string]string{"type": "answer"}, idB))
}

func expectAck(t *testing.T, c *sioClient, id uint64, want map[string]any) {
	t.Helper()
	p := c.next()
	raw, _ := json.Marshal(want)
	if wantArgs := joinArgs([]json.RawMessage{raw}); p.Type != sioproto.Ack || p.ID != id || joinArgs(p.Args) != wantArgs {
		t.Fatalf("got %v id %d %s, want ACK %d %s", p.Type, p.ID, joinArgs(p.Args), id, wantArgs)
	}
}

// With NoLogs, no "log" event is sent: joins, a full room, a message and
// a leave bring only the events the client acts on.
func TestNoLogs(t *testing.T) {
	env := newEnv(t, signaling.Config{}, socketio.Config{NoLogs: true})
	a, b, c := env.dial(t), env.dial(t), env.dial(t)
	idA := a.connect(nil)
	idB := b.connect(nil)
	c.connect(nil)
	a.emit("create or join", "quiet")
	a.expect(e("created", "quiet", idA))
	b.emit("create or join", "quiet")
	b.expect(e("joined", "quiet", idB), e("ready", "quiet"))
	a.expect(e("join", "quiet", idB), e("ready", "quiet"))
	c.emit("create or join", "quiet")
	c.expect(e("full", "quiet"), e("error"))

	b.emit("message", "hello")
	a.expect(e("message", "hello", idB))
	b.emit("bye", "quiet")
	a.expect(e("bye", "quiet", idB, "left"))
	// Had the echo or the leave's log reached B, they would come first.
	b.emitAck(1, "ipaddr")
	b.expect(e("ipaddr"), e("ipaddr"))
	if p := b.next(); p.Type != sioproto.Ack {
		t.Fatalf("B got %v %q %s, want only its ack", p.Type, p.Event, joinArgs(p.Args))
	}
}
