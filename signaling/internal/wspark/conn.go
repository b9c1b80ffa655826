package wspark

import (
	"bufio"
	"encoding/binary"
	"net"
	"time"

	"github.com/gorilla/websocket"
	"github.com/soheilhy/cmux"
)

// Options configure one connection's parking.
type Options struct {
	// MaxWait bounds the wait of a connection that cannot park: it gets
	// a read deadline of MaxWait (the transport's pong timeout, say).
	// Zero means no bound.
	MaxWait time.Duration
	// WriteTimeout bounds the pong Control writes for a client's ping.
	WriteTimeout time.Duration
	// FrameTimeout bounds the reading of a frame once its first bytes
	// have arrived, by a goroutine (Reader.Next); 0 means no bound.
	FrameTimeout time.Duration
}

// Resumer is what a parked connection is given back to when the poller
// finds bytes (or the end of the stream) for it: Resume should enter the
// read loop again, and return when the loop parks the connection again.
//
// Resume runs either on the poller's own goroutine, with whole frames in
// the read buffer (Looping reports true), or on a new goroutine. On the
// poller's it must not block: reading never does there (the frames are
// buffered; Await parks when they are done), handling a message must not
// (the hub never blocks a sender), and a transport ending the connection
// calls Leave first and, when it reports true, ends it on a goroutine of
// its own.
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
	ws      *websocket.Conn
	br      *bufio.Reader // gorilla's read buffer, nil when it is the server's
	sock    *Sock         // ws's net.Conn, owned; nil unless parking
	poller  *Poller       // nil when the connection cannot park
	opt     *Options
	resumer Resumer
	lent    *bufio.Reader // the poller's reader whose buffer br holds, if any
	readErr error         // what the poller's read found instead of bytes, for Await
	fd      int32         // tcp's descriptor, or -1
	looping bool          // the poller's goroutine is serving the connection
	left    bool          // Leave was called while looping
}

// Attach prepares ws for parking. br is the Hijacker's Reader (nil
// disables Await and Control: gorilla then does all the reading), p the
// server's Poller (nil disables parking), opt the server's settings, kept
// by reference. When the poller finds bytes for a parked connection it
// calls r.Resume (see Resumer).
func (c *Conn) Attach(ws *websocket.Conn, br *bufio.Reader, p *Poller, opt *Options, r Resumer) {
	*c = Conn{ws: ws, br: br, fd: -1, opt: opt, resumer: r}
	sock, ok := ws.NetConn().(*Sock)
	if br == nil || p == nil || !ok {
		return
	}
	fd := sock.Own()
	if fd < 0 {
		return // TLS buffers what it decrypts: only plain TCP may park
	}
	c.sock, c.fd, c.poller = sock, int32(fd), p
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

// Looping reports whether the poller's own goroutine is serving the
// connection (see Resumer): the read loop must not block.
func (c *Conn) Looping() bool { return c.looping }

// Abort ends the connection from outside the read loop, parked or not: it
// shuts the reading side, so a waiting read (or the poller) sees the end
// of the stream and the read loop cleans up. Closing the socket instead
// would silently drop a parked connection from the poller, whose read
// loop would then never end.
func (c *Conn) Abort() {
	if c.sock != nil {
		_ = c.sock.CloseRead() // fails only on a socket already closed or in error, which wakes the poller itself
		return
	}
	c.ws.NetConn().Close()
}

// Leave stops the poller watching the connection; the read loop calls it
// once the connection is over, before closing it (a closed descriptor must
// not stay watched: its number is soon another connection's). It reports
// true when the caller runs on the poller's goroutine, which must not
// block: the transport then ends the connection on a goroutine of its own.
func (c *Conn) Leave() (onPoller bool) {
	if c.poller != nil {
		c.poller.unwatch(c)
	}
	if c.looping {
		c.left = true
		return true
	}
	return false
}

// Await waits for the client's next bytes. It reports parked when the
// poller watches the connection: the read loop must then return at once,
// and the poller resumes it when bytes come. A connection that can park
// parks as soon as its read buffer is empty, which costs no system call on
// the poller's goroutine and one epoll_ctl on a connection's own; one that
// cannot park waits up to MaxWait.
func (c *Conn) Await() (parked bool, err error) {
	if c.br == nil || c.br.Buffered() > 0 {
		return false, nil
	}
	if err := c.readErr; err != nil {
		c.readErr = nil
		return false, err
	}
	if c.looping {
		return true, nil // still watched: the poller reads when bytes come
	}
	if c.poller != nil {
		c.releaseReadBuffer()
		if c.poller.park(c) {
			return true, nil
		}
		c.takeReadBuffer()
	}
	deadline := time.Time{}
	if c.opt.MaxWait > 0 {
		deadline = time.Now().Add(c.opt.MaxWait)
	}
	if err := c.ws.NetConn().SetReadDeadline(deadline); err != nil {
		return false, err
	}
	_, err = c.br.Peek(1)
	return false, err
}

// fill reads what the socket holds now into the read buffer, with one
// read that does not wait (on the poller's goroutine).
func (c *Conn) fill() (int, error) {
	before := c.br.Buffered()
	c.sock.readNow = true
	_, err := c.br.Peek(before + 1)
	c.sock.readNow = false
	return c.br.Buffered() - before, err
}

// buffered returns the bytes in the read buffer, unread.
func (c *Conn) buffered() []byte {
	b, _ := c.br.Peek(c.br.Buffered())
	return b
}

// releaseReadBuffer drops the (empty) read buffer while the connection is
// parked: nothing reads it then. gorilla holds c.br, so the Reader stays
// and only its buffer goes, back to the poller's pool when it came from
// there.
func (c *Conn) releaseReadBuffer() {
	if c.lent != nil {
		c.poller.bufs.Put(c.lent)
		c.lent = nil
	}
	*c.br = bufio.Reader{}
}

// takeReadBuffer gives a parked connection a read buffer from the poller's
// pool.
func (c *Conn) takeReadBuffer() {
	if c.br.Size() > 0 {
		return
	}
	r := c.poller.bufs.Get().(*bufio.Reader)
	r.Reset(c.sock)
	*c.br = *r
	c.lent = r
}

// wholeMessages reports whether b is a run of whole WebSocket frames that
// ends between messages (RFC 6455, section 5.2): gorilla can then read
// every message in it without touching the socket.
func wholeMessages(b []byte) bool {
	inMessage := false
	for len(b) > 0 {
		if len(b) < 2 {
			return false
		}
		head, size := 2, uint64(b[1]&^wsMaskBit)
		switch size {
		case 126:
			head = 4
			if len(b) < head {
				return false
			}
			size = uint64(binary.BigEndian.Uint16(b[2:]))
		case 127:
			head = 10
			if len(b) < head {
				return false
			}
			size = binary.BigEndian.Uint64(b[2:])
		}
		if b[1]&wsMaskBit != 0 {
			head += 4
		}
		if len(b) < head || size > uint64(len(b)-head) {
			return false
		}
		if b[0]&wsOpcode < wsFirstControl {
			inMessage = b[0]&wsFin == 0 // a data frame: the message ends with FIN
		}
		b = b[head+int(size):]
	}
	return !inMessage
}

// WebSocket frame header bits Control needs to recognise a ping or pong
// from the client (RFC 6455, section 5.2).
const (
	wsFin          = 0x80
	wsOpcode       = 0x0f
	wsFirstControl = 0x8  // opcodes from 8 on are control frames
	wsFinPing      = 0x89 // FIN and opcode 9, no extension bits
	wsFinPong      = 0x8a // FIN and opcode 10
	wsMaskBit      = 0x80
	wsMaxControl   = 125 // longest control frame payload
	wsControlHead  = 2 + 4
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
