package socketio

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"signalbox/signaling"
	"signalbox/signaling/socketio/engineio"
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
// Packets to the client go through the peer's outbox: Wake starts a writer
// goroutine unless one runs, and the writer turns each hub message into
// Socket.IO packets for Session.Send, which never blocks, then exits. Replies
// to the client's own requests are queued in the outbox as KindFrame
// messages, so they keep their place behind the hub's messages.
type conn struct {
	srv  *Server
	sess *engineio.Session
	log  engineio.SessionLog            // adds the session id to each record
	peer atomic.Pointer[signaling.Peer] // set on CONNECT, cleared on DISCONNECT

	// Read side.
	name         string      // display name from the CONNECT auth, if any
	limited      bool        // the last event was refused for its rate
	strikes      int         // consecutive failed events
	bin          *assembly   // a binary packet waiting for its attachments
	connectTimer *time.Timer // closes a session that does not CONNECT in time

	mu          sync.Mutex
	writing     bool             // a writer goroutine is running
	dead        bool             // the session ended: start no writer
	closeReason signaling.Reason // set: close the session once the outbox is written
	writers     sync.WaitGroup
	nextAck     uint64       // the last ack id the server asked for
	acks        []pendingAck // the server's unanswered ack requests, oldest first

	// Writer side: only the running writer touches these (writers run one
	// at a time and hand over through mu).
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
func (c *conn) Wake() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.startWriterLocked()
}

// startWriterLocked starts a writer unless one runs or the session ended.
// c.mu must be held.
func (c *conn) startWriterLocked() {
	if c.writing || c.dead {
		return
	}
	c.writing = true
	c.writers.Add(1)
	go c.write()
}

// Close asks the writer to deliver what is pending, then to close the
// session. A kicked client is told with DISCONNECT first, so it does not
// reconnect by itself; after a shutdown or a drop it may.
func (c *conn) Close(reason signaling.Reason) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeReason == "" {
		c.closeReason = reason
	}
	c.startWriterLocked()
}

// write delivers the outbox until it is empty, then closes the session if
// that was asked for. The lock is never held while taking from the outbox:
// the hub calls Wake with the peer's lock held.
func (c *conn) write() {
	defer c.writers.Done()
	batch := make([]signaling.Entry, 0, writeBatch)
	for {
		if !c.drain(batch) {
			c.mu.Lock()
			c.writing = false
			c.mu.Unlock()
			return // the session is closing; Handler.Close follows
		}
		if c.finishClose() {
			return // writing stays true: nothing is written after the close
		}
		c.mu.Lock()
		c.writing = false
		closing := c.closeReason != ""
		c.mu.Unlock()
		if p := c.peer.Load(); !closing && (p == nil || p.Pending() == 0) {
			return
		}
		// Something arrived after the outbox ran dry. Carry on, unless a
		// Wake in between has started another writer.
		c.mu.Lock()
		again := !c.writing && !c.dead
		if again {
			c.writing = true
		}
		c.mu.Unlock()
		if !again {
			return
		}
	}
}

// drain delivers the current peer's outbox. It reports false when the
// session no longer takes packets.
func (c *conn) drain(batch []signaling.Entry) bool {
	p := c.peer.Load()
	if p == nil {
		return true
	}
	for {
		batch = p.Take(c, batch[:0])
		if len(batch) == 0 {
			return true
		}
		for i, e := range batch {
			ok := c.deliver(e.Msg)
			batch[i] = signaling.Entry{}
			if !ok {
				return false
			}
		}
	}
}

// finishClose closes the session if that was asked for, and reports
// whether it did.
func (c *conn) finishClose() bool {
	c.mu.Lock()
	reason := c.closeReason
	c.mu.Unlock()
	if reason == "" {
		return false
	}
	if reason == signaling.ReasonKicked || reason == reasonMisbehaving {
		_ = c.sess.Send(disconnectPacket()) // a closed session needs no more telling
	}
	c.log.Debug("closing", "reason", reason)
	c.sess.Close()
	return true
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
	c.mu.Lock()
	c.dead = true
	c.mu.Unlock()
	if p := c.peer.Swap(nil); p != nil {
		c.srv.hub.Disconnect(p)
	}
	c.writers.Wait()
}
