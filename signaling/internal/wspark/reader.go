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
//
// Lingering: the first wait of a serve, and the wait after a data frame,
// linger (Options.ParkAfter) before parking, to read what woke the
// loop or the rest of a burst. After a lone ping or pong, or a frame the
// transport calls a heartbeat, the connection parks at once, unless it
// has been busy with data frames in this serve.
type Reader struct {
	Conn
	// OnControl, when set, runs after each ping or pong the Reader took
	// (a transport's heartbeat bookkeeping).
	OnControl func()

	busy   bool // a data frame came in this serve
	linger bool // the next wait lingers before parking
}

// Attach prepares the Reader for ws (see Conn.Attach): br is the
// Hijacker's Reader, p the server's poller, opt its parking
// settings; res.Resume runs on a new goroutine when a parked connection
// has bytes, and should call Start(false) and read on.
func (r *Reader) Attach(ws *websocket.Conn, br *bufio.Reader, p *Poller, opt *Options, res Resumer) {
	r.Conn.Attach(ws, br, p, opt, res)
}

// Start begins a serve of the connection: fresh says the client is likely
// to send soon (it just connected), so even a ping or pong does not park
// it at once.
func (r *Reader) Start(fresh bool) {
	r.busy, r.linger = fresh, true
}

// Heartbeat says the frame just read was only the transport's heartbeat:
// the next wait parks at once unless the connection is busy.
func (r *Reader) Heartbeat() { r.linger = false }

// Next waits for the client's next data frame and returns its type and a
// reader for it (gorilla's NextReader). It reports parked when it handed
// the connection to the poller instead: the goroutine must return at once.
// Pings are answered and pongs taken on the way (OnControl).
func (r *Reader) Next() (parked bool, kind int, rd io.Reader, err error) {
	for {
		parked, err = r.Await(r.linger)
		if parked || err != nil {
			return parked, 0, nil, err
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
		r.linger = r.busy
	}
	// Await's deadline was for the wait; the frame gets its own.
	var deadline time.Time
	if r.opt.FrameTimeout > 0 {
		deadline = time.Now().Add(r.opt.FrameTimeout)
	}
	if err := r.ws.SetReadDeadline(deadline); err != nil {
		return false, 0, nil, err
	}
	kind, rd, err = r.ws.NextReader()
	r.busy, r.linger = true, true
	return false, kind, rd, err
}
