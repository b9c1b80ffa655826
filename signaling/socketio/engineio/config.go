package engineio

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults for Config. The heartbeat values and MaxPayload are the reference
// server's, so a stock socket.io-client behaves exactly as it does there.
const (
	// DefaultPingInterval is how often the server pings a session.
	DefaultPingInterval = 25 * time.Second
	// DefaultPingTimeout is how long the client has to answer a ping with a
	// pong before the session is closed. It also bounds how long a session
	// closed by the server waits for its last poll.
	DefaultPingTimeout = 20 * time.Second
	// DefaultMaxPayload bounds one POST body and one WebSocket frame, in
	// bytes. It is announced to the client in the open packet.
	DefaultMaxPayload = 1_000_000
	// DefaultUpgradeTimeout bounds how long a WebSocket may take to finish
	// the upgrade (probe, then the upgrade packet) before it is dropped; the
	// session carries on with polling.
	DefaultUpgradeTimeout = 10 * time.Second
	// DefaultWriteTimeout bounds one write to a WebSocket.
	DefaultWriteTimeout = 10 * time.Second
	// DefaultMaxSessionsPerAddr bounds the sessions one source address
	// holds open. A session that has not CONNECTed yet is no hub peer, so
	// nothing else bounds those: without it, one client opened 20,000
	// handshakes in 4 s. It fits a lab of 40 browsers with three tabs each
	// behind one NAT address.
	DefaultMaxSessionsPerAddr = 128
	// DefaultSendQueueSize bounds the packets waiting to be sent to one
	// session. A session whose client falls this far behind is closed
	// rather than waited on.
	DefaultSendQueueSize = 256
)

// errBadConfig is wrapped by New for a Config it cannot use.
var errBadConfig = errors.New("engineio: bad config")

// Config holds a Server's settings. Zero fields take the defaults above.
type Config struct {
	// PingInterval and PingTimeout drive the heartbeat (see the defaults).
	PingInterval time.Duration
	PingTimeout  time.Duration
	// MaxPayload bounds one POST body and one WebSocket frame, in bytes.
	MaxPayload int64
	// UpgradeTimeout bounds a polling-to-WebSocket upgrade.
	UpgradeTimeout time.Duration
	// WriteTimeout bounds one WebSocket write.
	WriteTimeout time.Duration
	// SendQueueSize bounds the packets queued for one session.
	SendQueueSize int
	// MaxSessionsPerAddr bounds the sessions open from one source address,
	// as AddrKey names it; a handshake beyond it is refused with 429.
	MaxSessionsPerAddr int
	// AddrKey names the source a remote address counts under ("" counts
	// under no limit). Nil means the address's host.
	AddrKey func(remoteAddr string) string
	// CheckOrigin decides whether a request may use the server. It is asked
	// for every request, polling and WebSocket alike, before anything else
	// happens to the session; a refusal is answered 403. Nil means
	// SameOrigin, which refuses cross-site WebSocket hijacking and
	// cross-site polling.
	CheckOrigin func(r *http.Request) bool
}

// withDefaults returns c with every zero field set to its default, or an
// error when a field is out of range.
func (c Config) withDefaults() (Config, error) {
	setDefault(&c.PingInterval, DefaultPingInterval)
	setDefault(&c.PingTimeout, DefaultPingTimeout)
	setDefault(&c.UpgradeTimeout, DefaultUpgradeTimeout)
	setDefault(&c.WriteTimeout, DefaultWriteTimeout)
	if c.MaxPayload == 0 {
		c.MaxPayload = DefaultMaxPayload
	}
	if c.SendQueueSize == 0 {
		c.SendQueueSize = DefaultSendQueueSize
	}
	if c.MaxSessionsPerAddr == 0 {
		c.MaxSessionsPerAddr = DefaultMaxSessionsPerAddr
	}
	if c.AddrKey == nil {
		c.AddrKey = hostOf
	}
	if c.CheckOrigin == nil {
		c.CheckOrigin = SameOrigin
	}
	switch {
	case c.PingInterval < 0, c.PingTimeout < 0, c.UpgradeTimeout < 0, c.WriteTimeout < 0:
		return c, fmt.Errorf("%w: negative duration", errBadConfig)
	case c.MaxPayload < 0:
		return c, fmt.Errorf("%w: negative max payload %d", errBadConfig, c.MaxPayload)
	case c.SendQueueSize < 0:
		return c, fmt.Errorf("%w: negative send queue size %d", errBadConfig, c.SendQueueSize)
	}
	return c, nil
}

func setDefault(v *time.Duration, def time.Duration) {
	if *v == 0 {
		*v = def
	}
}

// SameOrigin reports whether r carries no Origin header (not a browser) or
// an Origin whose host is the request's Host. It is the default
// Config.CheckOrigin, the same rule gorilla/websocket applies by default.
func SameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// hostOf is the default Config.AddrKey: the host of a host:port.
func hostOf(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return remote
	}
	return host
}
