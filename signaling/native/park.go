package native

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/gorilla/websocket"
	"github.com/soheilhy/cmux"
)

// parkAfter is how long a read loop waits for a client's next frame before
// it parks the connection with the poller and its goroutine ends. A
// connection that is busy (a call setup trickling candidates, a chat)
// stays served by its goroutine; an idle one (most of a classroom, most of
// the time) costs no goroutine, no stack and no read buffer, only its
// state. Short, so that a classroom connecting at once never holds
// thousands of stacks; long enough that a peer sending a few messages a
// second is not parked and woken for each.
const parkAfter = 250 * time.Millisecond

// busyFactor: a connection whose client spoke again within busyFactor ×
// parkAfter of being parked waits that long, not parkAfter, before it
// parks again. One sending a few messages a second would otherwise be
// parked and woken for every message, which costs more than the goroutine
// it saves.
const busyFactor = 8

// busyParkAfter is how long a busy connection waits before parking.
func (c *conn) busyParkAfter() time.Duration { return busyFactor * c.parkAfter }

// WebSocket frame header bits the read loop needs to recognise a ping or
// pong from the client (RFC 6455, section 5.2).
const (
	wsFinPing     = 0x89 // FIN and opcode 9, no extension bits
	wsFinPong     = 0x8a // FIN and opcode 10
	wsMaskBit     = 0x80
	wsMaxControl  = 125 // longest control frame payload
	wsControlHead = 2 + 4
)

// hijacker hands gorilla a bufio.Reader of our own when it hijacks the
// connection, so the read loop can tell whether bytes are buffered
// (gorilla does not say) before it parks.
type hijacker struct {
	http.ResponseWriter
	br *bufio.Reader
}

// Hijack takes over the connection like the ResponseWriter's, but returns
// a fresh read buffer of readBufferSize bytes, which gorilla then uses as
// its own (Upgrader.ReadBufferSize is 0). When the client already sent
// bytes beyond its request, the server's buffer is returned as it is and
// gorilla refuses the upgrade, as it always did.
func (h *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, rw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil || rw.Reader.Buffered() > 0 {
		return nc, rw, err
	}
	h.br = bufio.NewReaderSize(nc, readBufferSize)
	return nc, bufio.NewReadWriter(h.br, rw.Writer), nil
}

// attach prepares c for parking: it keeps the read buffer and, for a plain
// TCP connection, the descriptor the poller watches.
func (c *conn) attach(br *bufio.Reader, p *poller) {
	c.br, c.fd = br, -1
	tcp := plainTCP(c.ws.NetConn())
	if tcp == nil || br == nil || p == nil {
		return // TLS buffers what it decrypts: only plain TCP may park
	}
	rc, err := tcp.SyscallConn()
	if err != nil {
		return
	}
	if rc.Control(func(fd uintptr) { c.fd = int32(fd) }) != nil {
		c.fd = -1
		return
	}
	c.tcp, c.poller = tcp, p
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
	}
	return nil
}

// seen records that the client was heard from just now.
func (c *conn) seen() { c.lastSeen.Store(time.Now().UnixNano()) }

// abort ends the connection from outside the read loop, parked or not: it
// shuts the reading side, so a waiting read (or the poller) sees the end
// of the stream and the loop cleans up. Closing the socket instead would
// silently drop a parked connection from the poller.
func (c *conn) abort() {
	if c.tcp != nil {
		_ = c.tcp.CloseRead() // fails only on a socket already closed or in error, which wakes the poller itself
		return
	}
	c.ws.NetConn().Close()
}

// await waits for the client's next bytes. It reports park when it handed
// the connection to the poller: the goroutine must then return at once.
// linger says to wait parkAfter before parking (for the bytes that woke
// the loop, or after a data frame); otherwise it parks at once. Without a poller it waits
// up to the pong timeout, as a read deadline did; the heartbeat (tick)
// covers a parked connection.
func (c *conn) await(linger bool) (park bool, err error) {
	if c.br.Buffered() > 0 {
		return false, nil
	}
	wait := c.cfg.PongTimeout
	switch {
	case c.poller != nil && linger && c.busy:
		wait = min(wait, c.busyParkAfter())
	case c.poller != nil && linger:
		wait = min(wait, c.parkAfter)
	case c.poller != nil:
		wait = 0 // only a pong or ping since the wake-up: park again now
	}
	if err := c.ws.NetConn().SetReadDeadline(time.Now().Add(wait)); err != nil {
		return false, err
	}
	_, err = c.br.Peek(1)
	if err == nil {
		return false, nil
	}
	if c.poller != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		c.parkedAt = time.Now()
		c.releaseReadBuffer()
		if c.poller.park(c) {
			return true, nil
		}
		c.takeReadBuffer()
	}
	return false, err
}

// releaseReadBuffer drops the (empty) read buffer while the connection is
// parked: nothing reads it then. gorilla holds c.br, so the Reader stays
// and only its buffer goes. It is not pooled: a pool would keep one
// buffer per parked connection alive until the next collections, and the
// collector sizes the heap after what is alive.
func (c *conn) releaseReadBuffer() {
	*c.br = bufio.Reader{}
}

// takeReadBuffer gives a parked connection a read buffer again.
func (c *conn) takeReadBuffer() {
	if c.br.Size() > 0 {
		return
	}
	*c.br = *bufio.NewReaderSize(c.ws.NetConn(), readBufferSize)
}

// control handles a ping or pong at the head of the read buffer itself and
// reports whether it did. gorilla would handle it too, but inside
// NextReader, which then waits on for a data frame: the goroutine could
// never park. Anything else (data, close, malformed frames) is left to
// gorilla. It runs only between messages, where gorilla expects a header.
func (c *conn) control() (bool, error) {
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
	c.seen()
	if ping {
		// As gorilla's default ping handler: a failed write shows up
		// in the writer or the next read.
		_ = c.ws.WriteControl(websocket.PongMessage, payload[:n], time.Now().Add(c.cfg.WriteTimeout))
	}
	return true, nil
}
