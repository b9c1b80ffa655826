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
	"signalbox/signaling/transport"
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

// conn is one WebSocket connection serving one peer. Its read loop (run)
// is the only reader; its Pump (package transport) is the only writer of
// data frames, running a goroutine only while there is something to write,
// so an idle connection holds no goroutine at all once parked. Pings go
// out with WriteControl from a timer, which gorilla allows concurrently
// with the writer, and which never blocks (wspark.Sock).
type conn struct {
	ws    *websocket.Conn
	sock  *wspark.Sock // ws's net.Conn
	hub   *signaling.Hub
	cfg   *signaling.Config // the server's copy of the hub's, shared
	log   *slog.Logger
	peer  atomic.Pointer[signaling.Peer] // changes once, on resume
	pools *pools                         // the server's, shared

	// rd is the "next frame" call and the connection's parking state
	// (park.go), whose poller resumes serve on a new goroutine (Resume).
	// ended is called once the connection is over.
	rd       wspark.Reader
	pump     transport.Pump
	ended    func()
	lastSeen atomic.Int64 // Unix ns of the last frame, pong or ping from the client
	guard    transport.Guard

	mu          sync.Mutex
	closeReason signaling.Reason
	closeCode   int
	pinger      *time.Timer // the heartbeat, see tick
	nextPing    time.Time
	dead        bool // the read loop ended: the pinger stays stopped
}

// Wake starts the writer unless it runs already. It never blocks.
func (c *conn) Wake() { c.pump.Wake() }

// Flush writes a relayed message at once when the socket takes it, from
// the sender's goroutine (signaling.Flusher, transport.Pump.Flush).
func (c *conn) Flush() { c.pump.Flush() }

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
	c.pump.Close()
}

// sink is the connection as its Pump's transport.Sink.
type sink conn

func (s *sink) Take(dst []signaling.Entry) []signaling.Entry {
	return s.peer.Load().Take((*conn)(s), dst)
}

func (s *sink) Pending() int { return s.peer.Load().Pending() }

func (s *sink) CanTry() bool { return s.sock.CanTry() }

func (s *sink) Flush() error {
	if !s.sock.Stashed() {
		return nil
	}
	s.sock.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
	return s.sock.Flush()
}

func (s *sink) Stashed() bool { return s.sock.Stashed() }

// WriteBatch writes the entries as frames gathered into one write.
func (s *sink) WriteBatch(batch []signaling.Entry, try bool) error {
	c := (*conn)(s)
	if try {
		c.sock.TryWrites(true)
		defer c.sock.TryWrites(false)
	}
	c.ws.SetWriteDeadline(time.Now().Add(c.cfg.WriteTimeout))
	c.sock.Cork()
	var err error
	for _, e := range batch {
		if err = c.writeEntry(e); err != nil {
			break
		}
	}
	if uerr := c.sock.Uncork(); err == nil {
		err = uerr
	}
	return err
}

// Fail ends the connection after a write error: the read loop sees it.
func (s *sink) Fail(error) { (*conn)(s).abort() }

// writeEntry writes one outbox entry as a frame, built in a pooled buffer
// (see appendFrame) and copied once into gorilla's pooled write buffer.
func (c *conn) writeEntry(e signaling.Entry) error {
	bp := c.pools.scratch.Get().(*[]byte)
	b := appendFrame((*bp)[:0], e)
	err := c.ws.WriteMessage(websocket.TextMessage, b)
	if cap(b) <= maxPooledFrame {
		*bp = b[:0]
		c.pools.scratch.Put(bp)
	}
	return err
}

// Finish sends the close frame that was asked for; the writer then stops
// for good.
func (s *sink) Finish() {
	c := (*conn)(s)
	c.mu.Lock()
	code, reason := c.closeCode, c.closeReason
	c.mu.Unlock()
	deadline := time.Now().Add(c.cfg.WriteTimeout)
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, string(reason)), deadline)
	_ = c.sock.Flush() // a close frame the socket did not take at once
	c.ws.SetReadDeadline(time.Now().Add(closeLinger))
	// A parked read loop sees no deadline: wake it if the client's close
	// frame does not come.
	time.AfterFunc(closeLinger, c.abort)
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
	c.serve()
}

// ending is how a read loop ended.
type ending int

const (
	parked      ending = iota // the poller watches the connection: nothing to do
	closed                    // the client closed the connection normally
	broken                    // the connection failed or went away
	misbehaving               // a close frame is on its way: read until the client's
)

// serve runs the read loop until the connection ends, then ends it; or
// until the loop parks the connection with the poller, which calls serve
// again when bytes arrive (Resume). On the poller's goroutine the end,
// which waits for the writer and the client's close frame, goes on a
// goroutine of its own.
func (c *conn) serve() {
	end := c.readLoop()
	if end == parked {
		return
	}
	if c.rd.Leave() {
		go c.end(end)
		return
	}
	c.end(end)
}

// end ends the connection and detaches the peer from the hub: the seat is
// kept for a resume unless the client closed the connection normally.
func (c *conn) end(how ending) {
	if how == misbehaving {
		c.drain()
	}
	c.mu.Lock()
	c.dead = true
	c.pinger.Stop()
	c.mu.Unlock()
	c.ws.NetConn().Close()
	c.pump.Stop()
	if p := c.peer.Load(); how == closed {
		c.hub.Disconnect(p)
	} else {
		c.hub.Detach(p, c)
	}
	if c.ended != nil {
		c.ended()
	}
}

// readLoop reads, parses and routes each request, and reports how it
// ended. It never blocks on the poller's goroutine (wspark.Resumer).
func (c *conn) readLoop() ending {
	for {
		idle, kind, r, err := c.rd.Next()
		if idle {
			return parked
		}
		if err == nil {
			var ok bool
			ok, err = c.next(kind, r)
			if err == nil && !ok {
				c.closeWith(closeMisbehaving, "misbehaving")
				return misbehaving
			}
		}
		if errors.Is(err, signaling.ErrTooLarge) {
			c.peer.Load().SendError("", err)
			c.closeWith(websocket.CloseMessageTooBig, signaling.Reason(signaling.CodeTooLarge))
			return misbehaving
		}
		if err != nil {
			if websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				return closed
			}
			return broken
		}
	}
}

// next reads the frame Next found and handles it. It reports false when
// the client must go for misbehaving. The frame is read into a pooled
// buffer, given back before the next wait, so an idle connection holds no
// frame buffer (handle copies what it keeps).
func (c *conn) next(kind int, r io.Reader) (bool, error) {
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
	frames  sync.Pool  // *bytes.Buffer: one client frame being handled
	batches *sync.Pool // *[]signaling.Entry: a writer's batch
	scratch sync.Pool  // *[]byte: a frame being written
	corks   *sync.Pool // *[]byte: a batch of frames gathered for one write (wspark.Sock)
}

func newPools() *pools {
	return &pools{
		frames:  sync.Pool{New: func() any { return new(bytes.Buffer) }},
		batches: transport.NewBatchPool(),
		scratch: sync.Pool{New: func() any { return new([]byte) }},
		corks:   wspark.NewBufPool(),
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
	c.pump.Wait()
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
