package socketio

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"signalbox/signaling"
	"signalbox/signaling/socketio/engineio"
	"signalbox/signaling/transport"
)

// Reasons the transport closes a socket for, beyond the hub's.
const (
	reasonMisbehaving signaling.Reason = "misbehaving" // too many bad requests in a row
	reasonProtocol    signaling.Reason = "protocol"    // a malformed or out-of-order packet
)

// conn is one Engine.IO session and, once the client has sent CONNECT, the
// hub peer it serves. It is the peer's signaling.Link.
//
// Packets from the client are handled by the engine's Handler calls, one at
// a time (the read side: the fields under "read side" are theirs alone).
// Packets to the client go through the peer's outbox, the one queue between
// the hub and the client: the conn's Pump (package transport) turns each
// hub message into Socket.IO packets and writes them straight to the
// session's WebSocket (engineio.Session.WritePackets), or queues them with
// Session.Send while the session is on polling. Replies to the client's own
// requests are queued in the outbox as KindFrame messages, so they keep
// their place behind the hub's messages.
type conn struct {
	srv  *Server
	sess *engineio.Session
	log  engineio.SessionLog            // adds the session id to each record
	peer atomic.Pointer[signaling.Peer] // set on CONNECT, cleared on DISCONNECT
	pump transport.Pump

	// Read side.
	name         string // display name from the CONNECT auth, if any
	guard        transport.Guard
	bin          *assembly   // a binary packet waiting for its attachments
	connectTimer *time.Timer // closes a session that does not CONNECT in time

	mu          sync.Mutex
	closeReason signaling.Reason // set: close the session once the outbox is written
	nextAck     uint64           // the last ack id the server asked for
	acks        []pendingAck     // the server's unanswered ack requests, oldest first

	// Writer side: only the running writer touches these (writers run one
	// at a time and hand over through the Pump).
	room     string // the room the client was last told it is in
	members  int    // how many peers that room holds, the client included
	capacity int
}

// pendingAck is an ack the server asked for and has not been answered.
type pendingAck struct {
	id   uint64
	room string
}

func newConn(srv *Server, sess *engineio.Session) *conn {
	c := &conn{srv: srv, sess: sess, log: sess.Log()}
	c.guard = transport.NewGuard(&srv.guard)
	c.pump.Init((*sink)(c), srv.batches)
	c.connectTimer = time.AfterFunc(srv.hub.Config().HandshakeTimeout, c.connectTimeout)
	return c
}

// connectTimeout closes a session whose client has not connected a
// socket in time (the reference server's connectTimeout).
func (c *conn) connectTimeout() {
	if c.peer.Load() == nil {
		c.log.Debug("no CONNECT in time")
		c.sess.Close()
	}
}

// Transport names the session's transport now, for the window and
// /api/rooms: it changes when the session upgrades to a WebSocket.
func (c *conn) Transport() string { return "socket.io/" + c.sess.Transport() }

// Wake starts the writer unless it runs already. It never blocks.
func (c *conn) Wake() { c.pump.Wake() }

// Flush writes a relayed message at once when the socket takes it, from
// the sender's goroutine (signaling.Flusher, transport.Pump.Flush).
func (c *conn) Flush() { c.pump.Flush() }

// Close asks the writer to deliver what is pending, then to close the
// session. A kicked client is told with DISCONNECT first, so it does not
// reconnect by itself; after a shutdown or a drop it may.
func (c *conn) Close(reason signaling.Reason) {
	c.mu.Lock()
	if c.closeReason == "" {
		c.closeReason = reason
	}
	c.mu.Unlock()
	c.pump.Close()
}

// sink is the conn as its Pump's transport.Sink.
type sink conn

func (s *sink) Take(dst []signaling.Entry) []signaling.Entry {
	if p := s.peer.Load(); p != nil {
		return p.Take((*conn)(s), dst)
	}
	return dst
}

func (s *sink) Pending() int {
	if p := s.peer.Load(); p != nil {
		return p.Pending()
	}
	return 0
}

func (s *sink) CanTry() bool  { return s.sess.CanTry() }
func (s *sink) Flush() error  { return s.sess.Flush() }
func (s *sink) Stashed() bool { return s.sess.Stashed() }
func (s *sink) Fail(error)    {} // the session is closed: Handler.Close follows

// WriteBatch turns the entries into packets and writes them in one write
// on a WebSocket; on polling (or when the session's own writer holds the
// socket) it queues them with Send.
func (s *sink) WriteBatch(batch []signaling.Entry, try bool) error {
	c := (*conn)(s)
	var packets []string
	for _, e := range batch {
		packets = c.appendPackets(packets, e.Msg)
	}
	err := c.sess.WritePackets(packets, try)
	if errors.Is(err, engineio.ErrNotWebSocket) || errors.Is(err, engineio.ErrWriterBusy) {
		return c.sess.SendData(packets...) // at once: binary attachments stay with their event
	}
	return err
}

// Finish closes the session, once the outbox is written, for the reason
// Close was given.
func (s *sink) Finish() {
	c := (*conn)(s)
	c.mu.Lock()
	reason := c.closeReason
	c.mu.Unlock()
	if reason == signaling.ReasonKicked || reason == reasonMisbehaving {
		_ = c.sess.Send(disconnectPacket()) // a closed session needs no more telling
	}
	c.log.Debug("closing", "reason", reason)
	c.sess.Close()
}

// send hands one packet to the session. It reports false when the session
// is closed or its queue overflowed (which closes it).
func (c *conn) send(packet string) bool {
	return c.sess.Send(packet) == nil
}

// reply sends packets the read side made: through the outbox once the
// client is connected, so they follow what the hub queued before them;
// straight to the session before that.
func (c *conn) reply(packets ...string) {
	packets = slices.DeleteFunc(packets, func(pk string) bool { return pk == "" }) // logs that are off
	if len(packets) == 0 {
		return
	}
	if p := c.peer.Load(); p != nil {
		p.Send(&signaling.Message{Kind: signaling.KindFrame, Frame: frame(packets...)})
		return
	}
	for _, pk := range packets {
		if !c.send(pk) {
			return
		}
	}
}

// expectAck records that the server asked the client for ack id about
// room, forgetting the oldest request beyond maxPendingAcks.
func (c *conn) expectAck(room string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextAck++
	if len(c.acks) == maxPendingAcks {
		c.acks = append(c.acks[:0], c.acks[1:]...)
	}
	c.acks = append(c.acks, pendingAck{id: c.nextAck, room: room})
	return c.nextAck
}

// answered removes the pending ack id and returns its room; ok is false
// when the server never asked for it or forgot it.
func (c *conn) answered(id uint64) (room string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, a := range c.acks {
		if a.id == id {
			c.acks = append(c.acks[:i], c.acks[i+1:]...)
			return a.room, true
		}
	}
	return "", false
}

// end runs when the session has ended: the peer leaves its room at once
// (socket.io has no resume), and no writer outlives the session.
func (c *conn) end() {
	c.connectTimer.Stop()
	if p := c.peer.Swap(nil); p != nil {
		c.srv.hub.Disconnect(p)
	}
	c.pump.Stop()
}
