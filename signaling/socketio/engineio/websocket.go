package engineio

import (
	"bufio"
	"io"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/signaling/internal/wspark"
)

// upgradeWebSocket upgrades the request through a wspark.Hijacker, so the
// connection reads through a small buffer of ours (returned), which it
// gives up while parked.
func (srv *Server) upgradeWebSocket(w http.ResponseWriter, r *http.Request) (*websocket.Conn, *bufio.Reader, error) {
	hj := wspark.NewHijacker(w, wsReadBufferSize)
	hj.Bufs = srv.corks
	conn, err := srv.upgrader.Upgrade(hj, r, nil)
	if err != nil {
		return nil, nil, err
	}
	conn.SetReadLimit(srv.cfg.MaxPayload)
	return conn, hj.Reader, nil
}

// attachLocked puts the session on conn, prepared for parking: the
// poller resumes the session's reader (resumer). br is the read buffer
// upgradeWebSocket returned. s.mu must be held, or s not yet shared.
func (s *Session) attachLocked(conn *websocket.Conn, br *bufio.Reader) {
	s.conn = conn
	s.sock = sockOf(conn)
	s.rd.Attach(conn, br, s.srv.poller, &s.srv.park, (*resumer)(s))
}

// resumer is a Session as the wspark.Resumer of its connection, kept out
// of Session's exported methods.
type resumer Session

// Resume runs the reader again when the poller found bytes for the parked
// connection.
func (r *resumer) Resume() { (*Session)(r).serveWebSocket() }

// openWebSocket runs a session that starts on a WebSocket (no polling
// first). Its reader runs on a goroutine of its own, or on none while the
// connection is parked; a writer runs only while there is something to
// send (see wakeLocked).
func (srv *Server) openWebSocket(w http.ResponseWriter, r *http.Request) {
	if srv.shuttingDown() {
		writeError(w, http.StatusServiceUnavailable, codeBadRequest, errShuttingDown.Error())
		return
	}
	conn, br, err := srv.upgradeWebSocket(w, r)
	if err != nil {
		return // the upgrader has answered the request
	}
	s := srv.newSession(r, TransportWebSocket)
	s.attachLocked(conn, br)
	s.queue = []string{s.openPacket()}
	s.goroutines.Add(1) // the reader, parked or not; before start, so before any Wait
	if !s.start() {
		s.goroutines.Done()
		closeMsg := websocket.FormatCloseMessage(websocket.CloseGoingAway, errShuttingDown.Error())
		_ = conn.WriteControl(websocket.CloseMessage, closeMsg, time.Now().Add(srv.cfg.WriteTimeout))
		_ = conn.Close()
		return
	}
	s.mu.Lock()
	s.wakeLocked() // the open packet, unless a Send in Handler.Open has started the writer
	s.mu.Unlock()
	// The reader runs on a goroutine of its own and this handler returns,
	// so net/http's state for the request (its 4 KiB read and write
	// buffers, the request, a deep stack) does not live as long as the
	// session does: most of an idle session's memory otherwise.
	go s.serveWebSocket()
}

// upgrade takes a WebSocket that wants to carry this polling session: it
// answers the probe, ends pending polls with a noop, and on the upgrade
// packet moves the session (and its queue) onto the WebSocket. Anything else
// from the WebSocket before the upgrade packet, or no upgrade within
// UpgradeTimeout, drops the WebSocket; the session stays on polling.
func (s *Session) upgrade(w http.ResponseWriter, r *http.Request) {
	conn, br, err := s.srv.upgradeWebSocket(w, r)
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.state != stateOpen || s.transport != TransportPolling || s.upgrading {
		s.mu.Unlock()
		// One WebSocket per session: a second one, or one after the
		// upgrade or once the session is closing, is accepted and then
		// closed at once, as the reference server does (a close frame
		// with no status).
		closeRefused(conn, s.srv.cfg.WriteTimeout)
		return
	}
	s.upgrading = true
	s.probeConn = conn
	s.goroutines.Add(1) // this goroutine, as the probe reader, and later the reader
	s.mu.Unlock()

	if !s.probe(conn, br) {
		s.mu.Lock()
		if s.probeConn == conn {
			s.upgrading, s.probed, s.probeConn = false, false, nil
		}
		s.mu.Unlock()
		_ = conn.Close()
		s.goroutines.Done()
		return
	}
	// As for a session opened on a WebSocket, the reader goes on on a
	// goroutine of its own and net/http's returns.
	go s.serveWebSocket()
}

// closeRefused ends a WebSocket the session will not use: an empty close
// frame, then the connection.
func closeRefused(conn *websocket.Conn, timeout time.Duration) {
	_ = conn.WriteControl(websocket.CloseMessage, []byte{}, time.Now().Add(timeout))
	_ = conn.Close()
}

// probe reads the WebSocket until the upgrade packet and switches the
// session onto it. It reports false when the upgrade failed.
func (s *Session) probe(conn *websocket.Conn, br *bufio.Reader) bool {
	cfg := s.srv.cfg
	_ = conn.SetReadDeadline(time.Now().Add(cfg.UpgradeTimeout))
	for {
		p, ok := readPacket(conn)
		if !ok {
			return false
		}
		switch {
		case p.typ == packetPing && p.data == probe:
			// Only this goroutine writes to conn until the switch.
			_ = conn.SetWriteDeadline(time.Now().Add(cfg.WriteTimeout))
			pong := packet{typ: packetPong, data: probe}.encode()
			if conn.WriteMessage(websocket.TextMessage, []byte(pong)) != nil {
				return false
			}
			s.mu.Lock()
			s.probed = true
			select {
			case s.getWake <- struct{}{}: // a pending poll ends with a noop
			default:
			}
			s.mu.Unlock()
		case p.typ == packetUpgrade:
			return s.switchTo(conn, br)
		default:
			s.log.Info("upgrade failed: unexpected packet", "type", string(p.typ))
			return false
		}
	}
}

// switchTo moves the session onto conn and starts a writer for what is
// queued. Holding deliverMu means no message from a POST still in flight
// is delivered after the switch.
func (s *Session) switchTo(conn *websocket.Conn, br *bufio.Reader) bool {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateOpen || s.probeConn != conn {
		return false
	}
	s.transport = TransportWebSocket
	s.attachLocked(conn, br)
	s.upgrading, s.probed, s.probeConn = false, false, nil
	select {
	case s.getWake <- struct{}{}: // a pending poll ends with a noop
	default:
	}
	_ = conn.SetReadDeadline(time.Time{})
	if len(s.queue) > 0 {
		s.wakeLocked()
	}
	s.log.Debug("upgraded to websocket")
	return true
}

// readPacket reads one text frame and decodes it. ok is false when the
// connection failed or the frame was binary or malformed.
func readPacket(conn *websocket.Conn) (p packet, ok bool) {
	kind, data, err := conn.ReadMessage()
	if err != nil || kind != websocket.TextMessage {
		return packet{}, false
	}
	p, err = decodePacket(string(data))
	return p, err == nil
}

// serveWebSocket runs the reader on the session's WebSocket until the
// session ends, or until the reader parks the idle connection: the poller
// then calls serveWebSocket again when bytes arrive (on its own goroutine
// or a new one: see wspark.Resumer; nothing here blocks). The reader ends
// the connection: terminate only aborts it (wspark), so a parked
// connection is woken rather than lost.
//
// s.conn and s.rd are set before the reader first runs and never change,
// so the reader uses them without s.mu.
func (s *Session) serveWebSocket() {
	if s.readLoop() {
		return // parked
	}
	s.rd.Leave()       // before the close: the poller must not watch a closed descriptor
	_ = s.conn.Close() // a writer still writing stops too
	s.goroutines.Done()
}

// readLoop reads packets from the session's WebSocket until it fails or
// the session ends, and reports false then; it reports true when it parked
// the connection.
func (s *Session) readLoop() (parked bool) {
	for {
		kind, data, parked, err := s.next()
		if parked {
			return true
		}
		if err != nil {
			reason := ReasonTransportError
			if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived) {
				reason = ReasonTransportClose
			}
			s.log.Debug("read failed", "err", err)
			s.terminate(reason, encodedClose)
			return false
		}
		var p packet
		if kind == websocket.BinaryMessage {
			// A binary frame is a binary message packet, type and all.
			p = packet{typ: packetMessage, data: string(data), binary: true}
		} else if p, err = decodePacket(string(data)); err != nil {
			s.log.Info("malformed packet", "err", err)
			s.terminate(ReasonParseError, encodedClose)
			return false
		}
		s.deliverMu.Lock()
		more := s.handlePacket(p, TransportWebSocket)
		s.deliverMu.Unlock()
		if !more {
			return false
		}
	}
}

// next waits for the client's next data frame and reads it (see
// wspark.Reader.Next). It reports parked when it parked the connection
// instead.
func (s *Session) next() (kind int, data []byte, parked bool, err error) {
	parked, kind, r, err := s.rd.Next()
	if parked || err != nil {
		return 0, nil, parked, err
	}
	data, err = io.ReadAll(r)
	return kind, data, false, err
}

// write is a writer: the only one writing data frames to conn while it
// runs. It sends the queue until it is empty, then ends; when the session
// is closing, it sends what is left, then a close frame, and ends the
// session. wakeLocked starts it when something is queued and no writer
// runs, so an idle session has none.
func (s *Session) write(conn *websocket.Conn) {
	defer s.goroutines.Done()
	timeout := s.srv.cfg.WriteTimeout
	for {
		// wmu first: taking the queue and writing it is one step, so
		// WritePackets never writes between the two.
		s.wmu.Lock()
		s.mu.Lock()
		batch, state := s.queue, s.state
		s.queue = nil
		if state == stateClosed || (state == stateOpen && len(batch) == 0) {
			s.writing = false
			s.mu.Unlock()
			s.wmu.Unlock()
			return
		}
		s.mu.Unlock()
		err := s.writeFrames(conn, batch, false)
		s.wmu.Unlock()
		if err != nil {
			s.terminate(ReasonTransportError, encodedClose)
			return
		}
		if state == stateClosing {
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
			_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(timeout))
			s.terminate(ReasonForcedClose, encodedClose) // the reason set by Close is kept
			return
		}
	}
}
