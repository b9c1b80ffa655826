package native

import (
	"time"

	"signalbox/signaling"
	"signalbox/signaling/internal/wspark"
)

// parkOptions returns the parking settings of a server's connections
// (package wspark): a connection that cannot park waits for a frame up to
// the pong timeout, as a read deadline would.
func parkOptions(cfg *signaling.Config) wspark.Options {
	return wspark.Options{MaxWait: cfg.PongTimeout, WriteTimeout: cfg.WriteTimeout, FrameTimeout: cfg.PongTimeout}
}

// Resume serves the connection again once the poller found bytes for it
// (wspark.Resumer), on the poller's goroutine or on a new one.
func (c *conn) Resume() { c.serve() }

// seen records that the client was heard from just now.
func (c *conn) seen() { c.lastSeen.Store(time.Now().UnixNano()) }

// abort ends the connection from outside the read loop, parked or not
// (wspark.Conn.Abort).
func (c *conn) abort() { c.rd.Abort() }
