package wspark

import (
	"bufio"
	"errors"
	"net"
	"os"
	"time"

	"github.com/gorilla/websocket"
	"github.com/soheilhy/cmux"
)

// DefaultParkAfter is how long a read loop waits for a client's next frame
// before it parks the connection and its goroutine ends. A connection that
// is busy (a call setup trickling candidates, a chat) stays served by its
// goroutine; an idle one (most of a classroom, most of the time) costs no
// goroutine, no stack and no read buffer, only its state. Short, so that a
// classroom connecting at once never holds thousands of stacks; long
// enough that a peer sending a few messages a second is not parked and
// woken for each.
const DefaultParkAfter = 250 * time.Millisecond

// BusyFactor: a connection whose client spoke again within BusyFactor ×
// ParkAfter of being parked waits that long, not ParkAfter, before it
// parks again. One sending a few messages a second would otherwise be
// parked and woken for every message, which costs more than the goroutine
// it saves.
const BusyFactor = 8

// Options configure one connection's parking.
type Options struct {
	// ParkAfter is how long Await(linger) waits for the client's next
	// bytes before it parks the connection: DefaultParkAfter, shortened
	// by tests.
	ParkAfter time.Duration
	// MaxWait bounds every wait of Await, parked or not: a connection
	// that cannot park gets a read deadline of MaxWait (the transport's
	// pong timeout, say). Zero means no bound.
	MaxWait time.Duration
	// WriteTimeout bounds the pong Control writes for a client's ping.
	WriteTimeout time.Duration
	// FrameTimeout bounds the reading of a frame once its first bytes
	// have arrived (Reader.Next); 0 means no bound.
	FrameTimeout time.Duration
}

// Resumer is what a parked connection is given back to: Resume runs on a
// new goroutine when the poller finds bytes (or the end of the stream) for
// the connection, and should enter the read loop again.
type Resumer interface {
	Resume()
}

// Conn is the parking state of one WebSocket connection, meant to be
// embedded in the transport's own connection (an idle connection's every
// allocation counts) and attached once, before its read loop starts; it
// must not be copied after. Await, Control and Resume belong to the read
// loop (one goroutine at a time); Abort and CanPark are safe from anywhere
// once attached.
type Conn struct {
	ws       *websocket.Conn
	br       *bufio.Reader // gorilla's read buffer, nil when it is the server's
	tcp      *net.TCPConn  // nil unless plain TCP
	poller   *Poller       // nil when the connection cannot park
	opt      *Options
	resumer  Resumer
	parkedAt int64 // Unix ns when the read loop last parked (read loop only)
	size     int32 // br's size, to give it back after a park
	fd       int32 // tcp's descriptor, or -1
	busy     bool  // woken soon after parking: linger longer (read loop only)
}

// Attach prepares ws for parking. br is the Hijacker's Reader (nil
// disables Await and Control: gorilla then does all the reading), p the
// server's Poller (nil disables parking), opt the server's settings, kept
// by reference. When the poller finds bytes for a parked connection it
// calls r.Resume on a new goroutine.
func (c *Conn) Attach(ws *websocket.Conn, br *bufio.Reader, p *Poller, opt *Options, r Resumer) {
	*c = Conn{ws: ws, br: br, fd: -1, opt: opt, resumer: r}
	if br == nil {
		return
	}
	c.size = int32(br.Size())
	tcp := plainTCP(ws.NetConn())
	if tcp == nil || p == nil {
		return // TLS buffers what it decrypts: only plain TCP may park
	}
	rc, err := tcp.SyscallConn()
	if err != nil {
		return
	}
	var fd int32 = -1
	if rc.Control(func(d uintptr) { fd = int32(d) }) != nil {
		return
	}
	c.tcp, c.fd, c.poller = tcp, fd, p
}

// plainTCP returns the TCP connection under nc when nothing between them
// holds bytes back: nc itself, or cmux's wrapper (httpserver serves HTTP
// and HTTPS on one port with cmux), whose sniffed bytes the HTTP request
// has consumed by the time the WebSocket exists. TLS, or anything else,
// gives nil.
func plainTCP(nc net.Conn) *net.TCPConn {
	switch c := nc.(type) {
	case *net.TCPConn:
		return c
	case *cmux.MuxConn:
		return plainTCP(c.Conn)
	case *Sock:
		return plainTCP(c.Conn)
	}
	return nil
}

// CanPark reports whether Await may park the connection.
func (c *Conn) CanPark() bool { return c.poller != nil }

// Abort ends the connection from outside the read loop, parked or not: it
// shuts the reading side, so a waiting read (or the poller) sees the end
// of the stream and the read loop cleans up. Closing the socket instead
// would silently drop a parked connection from the poller, whose read
// loop would then never end.
func (c *Conn) Abort() {
	if c.tcp != nil {
		_ = c.tcp.CloseRead() // fails only on a socket already closed or in error, which wakes the poller itself
		return
	}
	c.ws.NetConn().Close()
}

// Await waits for the client's next bytes. It reports parked when it
// handed the connection to the poller: the goroutine must then return at
// once, and resume runs when bytes come. linger says to wait ParkAfter
// (BusyFactor × ParkAfter for a busy connection) before parking: for the
// bytes that woke the loop, or after a data frame; otherwise it parks at
// once. A connection that cannot park waits up to MaxWait. When bytes
// came, the read deadline Await set is still on: the caller sets its own
// before reading the message.
func (c *Conn) Await(linger bool) (parked bool, err error) {
	if c.br == nil || c.br.Buffered() > 0 {
		return false, nil
	}
	var wait time.Duration
	switch {
	case c.poller == nil:
		wait = c.opt.MaxWait
	case linger && c.busy:
		wait = BusyFactor * c.opt.ParkAfter
	case linger:
		wait = c.opt.ParkAfter
	default:
		wait = 0 // only a pong or ping since the wake-up: park again now
	}
	if c.opt.MaxWait > 0 {
		wait = min(wait, c.opt.MaxWait)
	}
	deadline := time.Time{}
	if c.poller != nil || wait > 0 {
		deadline = time.Now().Add(wait)
	}
	if err := c.ws.NetConn().SetReadDeadline(deadline); err != nil {
		return false, err
	}
	_, err = c.br.Peek(1)
	if err == nil {
		return false, nil
	}
	if c.poller != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		c.parkedAt = time.Now().UnixNano()
		c.releaseReadBuffer()
		if c.poller.park(c) {
			return true, nil
		}
		c.takeReadBuffer()
	}
	return false, err
}

// wake runs on the poller's new goroutine for a parked connection that
// has bytes (or an end of stream) to read.
func (c *Conn) wake() {
	c.takeReadBuffer()
	c.busy = time.Now().UnixNano()-c.parkedAt < int64(BusyFactor*c.opt.ParkAfter)
	c.resumer.Resume()
}

// releaseReadBuffer drops the (empty) read buffer while the connection is
// parked: nothing reads it then. gorilla holds c.br, so the Reader stays
// and only its buffer goes. It is not pooled: a pool would keep one
// buffer per parked connection alive until the next collections, and the
// collector sizes the heap after what is alive.
func (c *Conn) releaseReadBuffer() {
	*c.br = bufio.Reader{}
}

// takeReadBuffer gives a parked connection a read buffer again.
func (c *Conn) takeReadBuffer() {
	if c.br.Size() > 0 {
		return
	}
	*c.br = *bufio.NewReaderSize(c.ws.NetConn(), int(c.size))
}

// WebSocket frame header bits Control needs to recognise a ping or pong
// from the client (RFC 6455, section 5.2).
const (
	wsFinPing     = 0x89 // FIN and opcode 9, no extension bits
	wsFinPong     = 0x8a // FIN and opcode 10
	wsMaskBit     = 0x80
	wsMaxControl  = 125 // longest control frame payload
	wsControlHead = 2 + 4
)

// Control handles a ping or pong at the head of the read buffer itself
// and reports whether it did; a ping is answered with a pong. gorilla
// would handle them too, but inside NextReader, which then waits on for a
// data frame: the goroutine could never park. Anything else (data, close,
// malformed frames) is left to gorilla. Call it only between messages,
// where gorilla expects a header, after Await found bytes.
func (c *Conn) Control() (bool, error) {
	if c.br == nil {
		return false, nil
	}
	h, err := c.br.Peek(2)
	if err != nil {
		return false, err
	}
	if (h[0] != wsFinPing && h[0] != wsFinPong) || h[1]&wsMaskBit == 0 || int(h[1]&^wsMaskBit) > wsMaxControl {
		return false, nil
	}
	n := int(h[1] &^ wsMaskBit)
	b, err := c.br.Peek(wsControlHead + n)
	if err != nil {
		return false, err
	}
	var payload [wsMaxControl]byte
	mask := b[2:wsControlHead]
	for i := range n {
		payload[i] = b[wsControlHead+i] ^ mask[i%4]
	}
	ping := b[0] == wsFinPing
	if _, err := c.br.Discard(wsControlHead + n); err != nil {
		return false, err
	}
	if ping {
		// As gorilla's default ping handler: a failed write shows up
		// in the writer or the next read.
		_ = c.ws.WriteControl(websocket.PongMessage, payload[:n], time.Now().Add(c.opt.WriteTimeout))
	}
	return true, nil
}
