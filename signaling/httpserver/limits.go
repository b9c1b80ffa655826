package httpserver

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Limits of HTTP connections, defaults for Config. See docs/security.md.
const (
	// DefaultIdleTimeout closes a keep-alive connection that has sent no
	// new request for this long.
	DefaultIdleTimeout = 30 * time.Second
	// DefaultBodyTimeout bounds how long a client may take to send a
	// request body (a socket.io POST); a slow-drip body is cut off.
	DefaultBodyTimeout = 10 * time.Second
	// DefaultMaxConnsPerAddr bounds the HTTP connections one source
	// address holds open, WebSockets not included (they are peers, counted
	// by the hub): a browser opens at most six to a server, so this is a
	// lab of 40 browsers behind one NAT address.
	DefaultMaxConnsPerAddr = 256
	// DefaultMaxConns bounds the HTTP connections open at once, WebSockets
	// not included, so idle HTTP clients cannot take the file descriptors
	// the peers need.
	DefaultMaxConns = 4096
)

// Accept back-off: after an accept error (out of file descriptors, say)
// the listener waits, doubling from minAcceptBackoff to maxAcceptBackoff,
// rather than spin or stop serving.
const (
	minAcceptBackoff = 5 * time.Millisecond
	maxAcceptBackoff = time.Second
	// acceptLogEvery bounds how often accept errors are logged.
	acceptLogEvery = 10 * time.Second
)

// connLimiter counts the open HTTP connections by source address (from
// http.Server.ConnState) and closes those over the limits at once.
type connLimiter struct {
	perAddr, total int
	key            func(remote string) string
	log            *slog.Logger

	mu      sync.Mutex
	byAddr  map[string]int
	open    int
	keys    map[net.Conn]string // counted connections, by their key
	refused uint64
	lastLog time.Time
}

func newConnLimiter(perAddr, total int, key func(string) string, log *slog.Logger) *connLimiter {
	return &connLimiter{perAddr: perAddr, total: total, key: key, log: log, byAddr: map[string]int{}, keys: map[net.Conn]string{}}
}

// connState is the http.Server.ConnState hook.
func (l *connLimiter) connState(c net.Conn, st http.ConnState) {
	switch st {
	case http.StateNew:
		if !l.admit(c) {
			_ = c.Close() // the server's read fails and it forgets the connection
		}
	case http.StateHijacked, http.StateClosed:
		l.release(c)
	}
}

// admit counts c and reports whether it fits the limits.
func (l *connLimiter) admit(c net.Conn) bool {
	k := l.key(c.RemoteAddr().String())
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open >= l.total || (k != "" && l.byAddr[k] >= l.perAddr) {
		l.refused++
		if time.Since(l.lastLog) > acceptLogEvery {
			l.lastLog = time.Now()
			l.log.Warn("HTTP connection refused: too many open", "addr", k, "fromAddr", l.byAddr[k], "open", l.open, "refusedSoFar", l.refused)
		}
		return false
	}
	l.open++
	l.keys[c] = k
	if k != "" {
		l.byAddr[k]++
	}
	return true
}

// release forgets c, if it was counted.
func (l *connLimiter) release(c net.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k, ok := l.keys[c]
	if !ok {
		return
	}
	delete(l.keys, c)
	l.open--
	if k != "" {
		if l.byAddr[k]--; l.byAddr[k] <= 0 {
			delete(l.byAddr, k)
		}
	}
}

// Refused counts the connections refused so far.
func (l *connLimiter) Refused() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refused
}

// patientListener retries failed accepts with a back-off and logs them,
// so running out of file descriptors slows the server down instead of
// stopping it (or spinning: cmux retries at once). Only a closed listener
// ends Accept.
type patientListener struct {
	net.Listener
	log *slog.Logger
}

// Accept returns the next connection, or the error of a closed listener.
func (l patientListener) Accept() (net.Conn, error) {
	backoff := time.Duration(0)
	var lastLog time.Time
	for {
		c, err := l.Listener.Accept()
		if err == nil {
			return c, nil
		}
		if errors.Is(err, net.ErrClosed) {
			return nil, err
		}
		backoff = min(max(2*backoff, minAcceptBackoff), maxAcceptBackoff)
		if time.Since(lastLog) > acceptLogEvery {
			lastLog = time.Now()
			l.log.Warn("accept failed; retrying", "err", err, "backoff", backoff)
		}
		time.Sleep(backoff)
	}
}

// withBodyTimeout bounds how long a request body may take to arrive.
func withBodyTimeout(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			// A failure means the connection cannot take deadlines (an
			// HTTP/2 stream is bounded by its connection): serve anyway.
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
		}
		h.ServeHTTP(w, r)
	})
}
