package socketio

import (
	"fmt"

	"signalbox/signaling"
)

// appendPackets appends the Socket.IO packets that carry one hub message
// to dst; only the writer calls it.
func (c *conn) appendPackets(dst []string, m *signaling.Message) []string {
	if m.Kind == signaling.KindSignal {
		if pk, attachments, ok := relayBinary(m); ok {
			return appendBinary(dst, pk, attachments) // binary.go
		}
	}
	switch m.Kind {
	case signaling.KindSignal:
		// One recipient: encoded here, so the encoding is not kept in
		// the peer's replay history with the message.
		return append(dst, event(evMessage, m.Data, m.Peer.ID))
	case signaling.KindBroadcast:
		// Shared by every socket.io recipient: encoded once.
		return appendRelay(dst, m.Encoded(signaling.EncodingSocketIO, encodeRelay)) // binary.go
	case signaling.KindFrame:
		return appendNonEmpty(dst, splitFrame(m.Frame))
	default:
		return appendNonEmpty(dst, c.translate(m))
	}
}

// appendNonEmpty appends the packets that are not "" (a log that is off).
func appendNonEmpty(dst, packets []string) []string {
	for _, pk := range packets {
		if pk != "" {
			dst = append(dst, pk)
		}
	}
	return dst
}

// translate turns presence and errors into the tutorial's events and log
// lines. It keeps count of the room's members, which the hub's messages
// reach every member in one order, so it can say "ready" when the room
// becomes complete, as the codelab's server does.
func (c *conn) translate(m *signaling.Message) []string {
	switch m.Kind {
	case signaling.KindJoined:
		c.room, c.members, c.capacity = m.Room, len(m.Peers)+1, m.Capacity
		verb, name := "created", evCreated
		if len(m.Peers) > 0 {
			verb, name = "joined", evJoined
		}
		return c.withReady(
			c.narrate(fmt.Sprintf("Room %s has %d client(s)", m.Room, len(m.Peers))),
			c.narrate(fmt.Sprintf("Client ID %s %s room %s", m.Peer.ID, verb, m.Room)),
			event(name, m.Room, m.Peer.ID),
		)
	case signaling.KindPeerJoined:
		c.members++
		return c.withReady(event(evJoin, m.Room, m.Peer.ID))
	case signaling.KindPeerLeft:
		c.members--
		return []string{
			c.narrate(fmt.Sprintf("Client ID %s left room %s (%s)", m.Peer.ID, m.Room, m.Reason)),
			event(evBye, m.Room, m.Peer.ID, string(m.Reason)),
		}
	case signaling.KindLeft:
		c.room, c.members = "", 0
		return []string{
			c.narrate(fmt.Sprintf("You are no longer in room %s (%s)", m.Room, m.Reason)),
			event(evLeft, m.Room, string(m.Reason)),
		}
	case signaling.KindError:
		e := errorFor(m.Ref, m.Err)
		return []string{c.narrate("Error: " + e.Message), event(evError, e)}
	}
	return nil // KindResumed: socket.io peers never resume
}

// withReady appends "ready" to packets when the room has just become
// complete: as many members as its capacity, and at least two. "ready"
// asks for an ack, which the client may give (docs/socketio.md).
func (c *conn) withReady(packets ...string) []string {
	if c.members < 2 || c.members < c.capacity {
		return packets
	}
	id := c.expectAck(c.room)
	return append(packets, eventWithAck(id, evReady, c.room))
}
