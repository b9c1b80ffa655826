package native

import (
	"time"

	"signalbox/signaling"
	"signalbox/signaling/internal/wspark"
)

// parkAfter is how long a read loop waits for a client's next frame before
// it parks the connection with the poller and its goroutine ends
// (package wspark). A connection that is busy (a call setup trickling
// candidates, a chat) stays served by its goroutine; an idle one (most of
// a classroom, most of the time) costs no goroutine, no stack and no read
// buffer, only its state. Short, so that a classroom connecting at once
// never holds thousands of stacks; long enough that a peer sending a few
// messages a second is not parked and woken for each. A connection woken
// soon after parking waits wspark.BusyFactor times longer.
const parkAfter = 250 * time.Millisecond

// parkOptions returns the parking settings of a server's connections: a
// connection that cannot park waits for a frame up to the pong timeout, as
// a read deadline would.
func parkOptions(cfg *signaling.Config) wspark.Options {
	return wspark.Options{ParkAfter: parkAfter, MaxWait: cfg.PongTimeout, WriteTimeout: cfg.WriteTimeout}
}

// Resume serves the connection again once the poller found bytes for it
// (wspark.Resumer).
func (c *conn) Resume() { c.serve(false) }

// seen records that the client was heard from just now.
func (c *conn) seen() { c.lastSeen.Store(time.Now().UnixNano()) }

// abort ends the connection from outside the read loop, parked or not
// (wspark.Conn.Abort).
func (c *conn) abort() { c.park.Abort() }
