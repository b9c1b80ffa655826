package wspark

import (
	"bufio"
	"net"
	"net/http"
	"sync"
)

// Hijacker hands gorilla a bufio.Reader of our own when it hijacks the
// connection, so the read loop can tell whether bytes are buffered
// (gorilla does not say) before it parks. Pass it to Upgrader.Upgrade in
// place of the ResponseWriter, with Upgrader.ReadBufferSize 0.
type Hijacker struct {
	http.ResponseWriter
	// Reader is the read buffer gorilla got, or nil when the server's own
	// was returned (see Hijack). Attach takes it.
	Reader *bufio.Reader
	// Sock is the connection gorilla got (see Sock), or nil as Reader.
	Sock *Sock
	// Bufs, when set, becomes the Sock's Bufs (its cork buffers).
	Bufs *sync.Pool
	size int
}

// NewHijacker wraps w; the connection's read buffer will hold size bytes.
func NewHijacker(w http.ResponseWriter, size int) *Hijacker {
	return &Hijacker{ResponseWriter: w, size: size}
}

// Hijack takes over the connection like the ResponseWriter's, but returns
// it wrapped in a Sock, with a fresh read buffer of the Hijacker's size
// over it, which gorilla then uses as its own. When the client already sent bytes beyond its request, the
// server's buffer is returned as it is and gorilla refuses the upgrade, as
// it always did.
func (h *Hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, rw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil || rw.Reader.Buffered() > 0 {
		return nc, rw, err
	}
	sock := NewSock(nc)
	sock.Bufs = h.Bufs
	h.Sock = sock
	h.Reader = bufio.NewReaderSize(sock, h.size)
	return sock, bufio.NewReadWriter(h.Reader, rw.Writer), nil
}
