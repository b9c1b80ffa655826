package wspark

import (
	"bufio"
	"io"
	"time"

	"github.com/gorilla/websocket"
)

// Reader is the "next frame" call of a WebSocket connection that parks
// when idle, shared by every transport. It is meant to be embedded in the
// transport's connection (an idle connection's every byte counts) and used
// by its read loop only, one goroutine at a time; Abort (Conn) is
// safe from anywhere.
type Reader struct {
	Conn
	// OnControl, when set, runs after each ping or pong the Reader took
	// (a transport's heartbeat bookkeeping).
	OnControl func()
}

// Attach prepares the Reader for ws (see Conn.Attach): br is the
// Hijacker's Reader, p the server's poller, opt its parking
// settings; res.Resume runs when a parked connection has bytes (see
// Resumer), and should read on with Next.
func (r *Reader) Attach(ws *websocket.Conn, br *bufio.Reader, p *Poller, opt *Options, res Resumer) {
	r.Conn.Attach(ws, br, p, opt, res)
}

// Next waits for the client's next data frame and returns its type and a
// reader for it (gorilla's NextReader). It reports parked when the
// connection has nothing more to read and the poller watches it instead:
// the read loop must return at once. Pings are answered and pongs taken on
// the way (OnControl). On a goroutine of the connection's own, each frame
// must arrive within FrameTimeout once it has begun; on the poller's, the
// frames are whole in the buffer already.
func (r *Reader) Next() (parked bool, kind int, rd io.Reader, err error) {
	for {
		parked, err = r.Await()
		if parked || err != nil {
			return parked, 0, nil, err
		}
		if !r.looping {
			var deadline time.Time
			if r.opt.FrameTimeout > 0 {
				deadline = time.Now().Add(r.opt.FrameTimeout)
			}
			if err := r.ws.SetReadDeadline(deadline); err != nil {
				return false, 0, nil, err
			}
		}
		ctrl, err := r.Control()
		if err != nil {
			return false, 0, nil, err
		}
		if !ctrl {
			break
		}
		if r.OnControl != nil {
			r.OnControl()
		}
	}
	kind, rd, err = r.ws.NextReader()
	return false, kind, rd, err
}
