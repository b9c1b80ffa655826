package native

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/signaling"
	"signalbox/signaling/internal/wspark"
)

// Close codes the server uses beyond RFC 6455's, in the 4000–4999 range
// kept for applications. docs/protocol.md lists them.
const (
	closeKicked      = 4001 // an administrator removed the peer: do not reconnect
	closeReplaced    = 4002 // another connection resumed this seat
	closeSlow        = 4003 // the peer fell too far behind
	closeMisbehaving = 4004 // too many protocol errors in a row
)

// closeLinger bounds how long a closing connection waits for the client's
// close frame after sending its own.
const closeLinger = time.Second

// writeBatch is how many outbox entries the writer takes at a time.
const writeBatch = 16

// conn is one WebSocket connection serving one peer. Its read loop (run)
// is the only reader; its writer goroutine, started on demand by Wake, is
// the only writer of data frames, so an idle connection holds just one
// goroutine. Pings go out with WriteControl from a timer, which gorilla
// allows concurrently with the writer.
type conn struct {
	ws    *websocket.Conn
	hub   *signaling.Hub
	cfg   *signaling.Config // the server's copy of the hub's, shared
	log   *slog.Logger
	peer  atomic.Pointer[signaling.Peer] // changes once, on resume
	pools *pools                         // the server's, shared

	// Parking (park.go): park is the connection's parking state, whose
	// poller resumes serve on a new goroutine (Resume). ended is called
	// once the connection is over.
	park     wspark.Conn
	ended    func()
	lastSeen atomic.Int64 // Unix ns of the last frame, pong or ping from the client

	mu          sync.Mutex
	writing     bool // a writer goroutine is running
	dead        bool // the read loop ended: start no writer
	closeReason signaling.Reason
	closeCode   int
	writers     sync.WaitGroup
	pinger      *time.Timer // the heartbeat, see tick
	nextPing    time.Time

	limited bool // the last request was refused for its rate (read loop only)
	strikes int  // consecutive bad requests (read loop only)
}

// Wake starts the writer unless it runs already. It never blocks.
func (c *conn) Wake() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writing || c.dead {
		return
	}
	c.writing = true
	c.writers.Add(1)
	go c.write()
}

// Close asks the writer to deliver what is pending, then a close frame.
func (c *conn) Close(reason signaling.Reason) {
	code := websocket.CloseGoingAway
	switch reason {
	case signaling.ReasonKicked:
		code = closeKicked
	case signaling.ReasonReplaced:
		code = closeReplaced
	case signaling.ReasonDropped:
		code = closeSlow
	}
	c.closeWith(code, reason)
}

func (c *conn) closeWith(code int, reason signaling.Reason) {
	c.mu.Lock()
	if c.closeCode == 0 {
		c.closeCode, c.closeReason = code, reason
	}
	c.mu.Unlock()
	c.Wake()
}

// write delivers the outbox until it is empty, then the close frame if one
// was asked for. A write error ends the connection: the read loop sees it.
func (c *conn) write() {
	defer c.writers.Done()
	bp := c.pools.batches.Get().(*[]signaling.Entry)
	defer c.pools.batches.Put(bp)
	batch := *bp
	for {
		for {
			batch = c.peer.Load().Take(c, batch[:0])
			if len(batch) == 0 {
				break
			}
			for i, e := range batch {
				batch[i] = signaling.Entry{}
				if err := c.writeEntry(e); err != nil {
					c.abort()
					c.stopWriting()
					return
				}
			}
		}
		if c.finishClose() {
			return
		}
		// Stop, then look again: a push between the last Take and now
		// found writing still true and did not start a writer. Pending
		// takes the peer's lock, which is never taken inside c.mu (push
		// calls Wake with the peer's lock held), so ask it unlocked.
		c.stopWriting()
		if c.peer.Load().Pending() == 0 || !c.resumeWriting() {
			return
		}
	}
}

// resumeWriting makes this goroutine the writer again, unless another
// writer started meanwhile or the connection is dead.
func (c *conn) resumeWriting() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writing || c.dead {
		return false
	}
	c.writing = true
	return true
}

// writeEntry writes one outbox entry as a frame, built in a pooled buffer
// (see appendFrame) and copied once into gorilla's pooled write buffer.
func (c *conn) writeEntry(e signaling.Entry) error {
	bp := c.pools.scratch.Get().(*[]byte)
	b := appendFrame((*bp)[:0], e)
	c.ws.SetWriteDeadline(time.Now().Add(c.cfg.WriteTimeout))
	err := c.ws.WriteMessage(websocket.TextMessage, b)
	if cap(b) <= maxPooledFrame {
		*bp = b[:0]
		c.pools.scratch.Put(bp)
	}
	return err
}

func (c *conn) stopWriting() {
	c.mu.Lock()
	c.writing = false
	c.mu.Unlock()
}

// finishClose sends the close frame if one was asked for and reports
// whether it did; the writer then stops for good.
func (c *conn) finishClose() bool {
	c.mu.Lock()
	code, reason := c.closeCode, c.closeReason
	c.mu.Unlock()
	if code == 0 {
		return false
	}
	deadline := time.Now().Add(c.cfg.WriteTimeout)
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, string(reason)), deadline)
	c.ws.SetReadDeadline(time.Now().Add(closeLinger))
	// A parked read loop sees no deadline: wake it if the client's close
	// frame does not come.
	time.AfterFunc(closeLinger, c.abort)
	return true // writing stays true: no writer starts after the close frame
}

// run serves the connection from the goroutine the server started for it:
// it arms the heartbeat and enters the read loop.
func (c *conn) run() {
	c.seen()
	c.mu.Lock()
	c.nextPing = time.Now().Add(c.cfg.PingInterval)
	c.pinger = time.AfterFunc(c.cfg.PingInterval, c.tick)
	c.mu.Unlock()
	c.ws.SetPongHandler(func(string) error {
		c.seen()
		return nil
	})
	c.serve(true)
}

// serve runs the read loop until the connection ends, then detaches the
// peer from the hub; or until the loop parks the idle connection with the
// poller, which calls serve again on a new goroutine when bytes arrive.
//
// fresh says the client is likely to send soon (it just connected): the
// loop then waits wspark.DefaultParkAfter before parking. Woken by the poller, it waits
// so only once a data frame came, so a pong alone (every PingInterval)
// parks the connection again as soon as it is read.
func (c *conn) serve(fresh bool) {
	parked, normalClose := c.readLoop(fresh)
	if parked {
		return
	}
	c.mu.Lock()
	c.dead = true
	c.pinger.Stop()
	c.mu.Unlock()
	c.ws.NetConn().Close()
	c.writers.Wait()
	if p := c.peer.Load(); normalClose {
		c.hub.Disconnect(p)
	} else {
		c.hub.Detach(p, c)
	}
	if c.ended != nil {
		c.ended()
	}
}

// readLoop reads, parses and routes each request. It returns parked when
// it handed the connection to the poller, and otherwise once the
// connection is over, with normalClose when the client closed it normally.
func (c *conn) readLoop(busy bool) (parked, normalClose bool) {
	linger := true // the first wait reads what woke the loop
	for {
		park, err := c.park.Await(linger)
		if park {
			return true, false
		}
		if err == nil {
			var ctrl bool
			ctrl, err = c.park.Control()
			if ctrl {
				c.seen()
				linger = busy
				continue
			}
		}
		if err != nil {
			return false, false
		}
		ok, err := c.next()
		busy, linger = true, true
		if errors.Is(err, signaling.ErrTooLarge) {
			c.peer.Load().SendError("", err)
			c.closeWith(websocket.CloseMessageTooBig, signaling.Reason(signaling.CodeTooLarge))
			c.drain()
			return false, false
		}
		if err != nil {
			return false, websocket.IsCloseError(err, websocket.CloseNormalClosure)
		}
		if !ok {
			c.closeWith(closeMisbehaving, "misbehaving")
			c.drain()
			return false, false
		}
	}
}

// next waits for the next frame, then reads and handles it. It reports
// false when the client must go for misbehaving. The frame is read into a
// pooled buffer, given back before the next wait, so an idle connection
// holds no frame buffer (handle copies what it keeps).
func (c *conn) next() (bool, error) {
	c.ws.SetReadDeadline(time.Now().Add(c.cfg.PongTimeout))
	kind, r, err := c.ws.NextReader()
	if err != nil {
		return true, err
	}
	buf := c.pools.frames.Get().(*bytes.Buffer)
	defer c.pools.putFrame(buf)
	buf.Reset()
	n, err := buf.ReadFrom(io.LimitReader(r, c.cfg.MaxMessageSize+1))
	if err != nil {
		return true, err
	}
	if n > c.cfg.MaxMessageSize {
		return true, signaling.ErrTooLarge
	}
	if kind != websocket.TextMessage {
		buf.Reset() // a binary frame is not JSON: handle reports bad-json
	}
	c.seen()
	return c.handle(buf.Bytes()), nil
}

// maxPooledFrame is the largest frame buffer kept for reuse; the rare
// larger one (a big SDP) is left to the garbage collector.
const maxPooledFrame = 16 << 10

// pools hold the buffers a connection needs only while it reads or writes,
// shared by all connections of a Server, so an idle connection holds none.
type pools struct {
	frames  sync.Pool // *bytes.Buffer: one client frame being handled
	batches sync.Pool // *[]signaling.Entry: a writer's batch
	scratch sync.Pool // *[]byte: a frame being written
}

func newPools() *pools {
	return &pools{
		frames: sync.Pool{New: func() any { return new(bytes.Buffer) }},
		batches: sync.Pool{New: func() any {
			b := make([]signaling.Entry, 0, writeBatch)
			return &b
		}},
		scratch: sync.Pool{New: func() any { return new([]byte) }},
	}
}

func (p *pools) putFrame(b *bytes.Buffer) {
	if b.Cap() <= maxPooledFrame {
		p.frames.Put(b)
	}
}

// drain reads until the client's close frame arrives or the linger
// deadline set by the writer passes, so the close handshake completes.
func (c *conn) drain() {
	c.writers.Wait()
	for {
		if _, _, err := c.ws.NextReader(); err != nil {
			return
		}
	}
}

// tick runs the heartbeat: it sends a ping every PingInterval and ends a
// connection that has been silent (no pong, no frame) for PongTimeout.
// It does the deadline's work for a parked connection, which has no read
// pending.
func (c *conn) tick() {
	now := time.Now()
	silentUntil := time.Unix(0, c.lastSeen.Load()).Add(c.cfg.PongTimeout)
	if !now.Before(silentUntil) {
		c.abort()
		return
	}
	c.mu.Lock()
	ping := !now.Before(c.nextPing)
	if ping {
		c.nextPing = now.Add(c.cfg.PingInterval)
	}
	next := min(c.nextPing.Sub(now), silentUntil.Sub(now))
	c.mu.Unlock()
	if ping {
		deadline := now.Add(c.cfg.WriteTimeout)
		if err := c.ws.WriteControl(websocket.PingMessage, nil, deadline); err != nil {
			return // the read loop notices the broken connection
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dead {
		c.pinger.Reset(next)
	}
}
