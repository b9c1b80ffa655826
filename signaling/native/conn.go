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
	ws   *websocket.Conn
	hub  *signaling.Hub
	cfg  signaling.Config
	log  *slog.Logger
	peer atomic.Pointer[signaling.Peer] // changes once, on resume

	mu          sync.Mutex
	writing     bool // a writer goroutine is running
	dead        bool // the read loop ended: start no writer
	closeReason signaling.Reason
	closeCode   int
	writers     sync.WaitGroup
	pinger      *time.Timer

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
	batch := make([]signaling.Entry, 0, writeBatch)
	var buf []byte
	for {
		for {
			batch = c.peer.Load().Take(batch[:0])
			if len(batch) == 0 {
				break
			}
			for i, e := range batch {
				buf = withSeq(buf[:0], e.Seq, e.Msg.Encoded(signaling.EncodingNative, encode))
				batch[i] = signaling.Entry{}
				if err := c.writeFrame(buf); err != nil {
					c.ws.NetConn().Close()
					c.stopWriting()
					return
				}
			}
		}
		if c.finishClose() {
			return
		}
		c.mu.Lock()
		c.writing = false
		again := c.peer.Load().Pending() > 0 && !c.dead
		if again {
			c.writing = true
		}
		c.mu.Unlock()
		if !again {
			return
		}
	}
}

func (c *conn) writeFrame(b []byte) error {
	c.ws.SetWriteDeadline(time.Now().Add(c.cfg.WriteTimeout))
	return c.ws.WriteMessage(websocket.TextMessage, b)
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
	return true // writing stays true: no writer starts after the close frame
}

// run is the read loop: it reads, parses and routes each request until the
// connection ends, then detaches the peer from the hub.
func (c *conn) run() {
	c.mu.Lock()
	c.pinger = time.AfterFunc(c.cfg.PingInterval, c.ping)
	c.mu.Unlock()
	normalClose := false
	defer func() {
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
	}()
	c.ws.SetReadDeadline(time.Now().Add(c.cfg.PongTimeout))
	c.ws.SetPongHandler(func(string) error {
		c.ws.SetReadDeadline(time.Now().Add(c.cfg.PongTimeout))
		return nil
	})
	var frame bytes.Buffer
	for {
		frame.Reset()
		err := c.readFrame(&frame)
		if errors.Is(err, signaling.ErrTooLarge) {
			c.peer.Load().SendError("", err)
			c.closeWith(websocket.CloseMessageTooBig, signaling.Reason(signaling.CodeTooLarge))
			c.drain()
			return
		}
		if err != nil {
			normalClose = websocket.IsCloseError(err, websocket.CloseNormalClosure)
			return
		}
		c.ws.SetReadDeadline(time.Now().Add(c.cfg.PongTimeout))
		if !c.handle(frame.Bytes()) {
			c.closeWith(closeMisbehaving, "misbehaving")
			c.drain()
			return
		}
	}
}

// readFrame reads one text frame into buf, refusing frames over the size
// limit without reading them whole.
func (c *conn) readFrame(buf *bytes.Buffer) error {
	kind, r, err := c.ws.NextReader()
	if err != nil {
		return err
	}
	n, err := buf.ReadFrom(io.LimitReader(r, c.cfg.MaxMessageSize+1))
	if err != nil {
		return err
	}
	if n > c.cfg.MaxMessageSize {
		return signaling.ErrTooLarge
	}
	if kind != websocket.TextMessage {
		buf.Reset() // a binary frame is not JSON: handle reports bad-json
	}
	return nil
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

// ping sends a WebSocket ping and schedules the next.
func (c *conn) ping() {
	deadline := time.Now().Add(c.cfg.WriteTimeout)
	if err := c.ws.WriteControl(websocket.PingMessage, nil, deadline); err != nil {
		return // the read loop notices the broken connection
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dead {
		c.pinger.Reset(c.cfg.PingInterval)
	}
}
