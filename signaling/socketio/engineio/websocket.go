package engineio

import (
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// openWebSocket runs a session that starts on a WebSocket (no polling
// first), with a reader and a writer goroutine of its own.
func (srv *Server) openWebSocket(w http.ResponseWriter, r *http.Request) {
	if srv.shuttingDown() {
		writeError(w, http.StatusServiceUnavailable, codeBadRequest, errShuttingDown.Error())
		return
	}
	conn, err := srv.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered the request
	}
	conn.SetReadLimit(srv.cfg.MaxPayload)
	s := srv.newSession(r, TransportWebSocket)
	s.conn = conn
	s.queue = []string{s.openPacket()}
	s.goroutines.Add(2) // reader and writer; before start, so before any Wait
	if !s.start() {
		s.goroutines.Add(-2)
		closeMsg := websocket.FormatCloseMessage(websocket.CloseGoingAway, errShuttingDown.Error())
		_ = conn.WriteControl(websocket.CloseMessage, closeMsg, time.Now().Add(srv.cfg.WriteTimeout))
		_ = conn.Close()
		return
	}
	go s.writeLoop(conn)
	// The reader runs on a goroutine of its own and this handler returns,
	// so net/http's state for the request (its 4 KiB read and write
	// buffers, the request, a deep stack) does not live as long as the
	// session does: most of an idle session's memory otherwise.
	go func() {
		defer s.goroutines.Done()
		s.readLoop(conn)
	}()
}

// upgrade takes a WebSocket that wants to carry this polling session: it
// answers the probe, ends pending polls with a noop, and on the upgrade
// packet moves the session (and its queue) onto the WebSocket. Anything else
// from the WebSocket before the upgrade packet, or no upgrade within
// UpgradeTimeout, drops the WebSocket; the session stays on polling.
func (s *Session) upgrade(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	refuse := s.state != stateOpen || s.transport != TransportPolling || s.upgrading
	s.mu.Unlock()
	if refuse {
		// One WebSocket per session: a second one, or one after the
		// upgrade, is turned away.
		writeError(w, http.StatusBadRequest, codeBadRequest, "")
		return
	}
	conn, err := s.srv.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.state != stateOpen || s.transport != TransportPolling || s.upgrading {
		s.mu.Unlock()
		_ = conn.Close()
		return
	}
	s.upgrading = true
	s.probeConn = conn
	s.goroutines.Add(1) // this goroutine, as the probe reader and later the reader
	s.mu.Unlock()
	defer s.goroutines.Done()

	if !s.probe(conn) {
		s.mu.Lock()
		if s.probeConn == conn {
			s.upgrading, s.probed, s.probeConn = false, false, nil
		}
		s.mu.Unlock()
		_ = conn.Close()
		return
	}
	s.readLoop(conn)
}

// probe reads the WebSocket until the upgrade packet and switches the
// session onto it. It reports false when the upgrade failed.
func (s *Session) probe(conn *websocket.Conn) bool {
	cfg := s.srv.cfg
	conn.SetReadLimit(cfg.MaxPayload)
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
			return s.switchTo(conn)
		default:
			s.log.Info("upgrade failed: unexpected packet", "type", string(p.typ))
			return false
		}
	}
}

// switchTo moves the session onto conn and starts its writer, which sends
// the queue first. Holding deliverMu means no message from a POST still in
// flight is delivered after the switch.
func (s *Session) switchTo(conn *websocket.Conn) bool {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateOpen || s.probeConn != conn {
		return false
	}
	s.transport = TransportWebSocket
	s.conn = conn
	s.upgrading, s.probed, s.probeConn = false, false, nil
	select {
	case s.getWake <- struct{}{}: // a pending poll ends with a noop
	default:
	}
	_ = conn.SetReadDeadline(time.Time{})
	s.goroutines.Add(1)
	go s.writeLoop(conn)
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

// readLoop reads packets from the session's WebSocket until it fails or
// the session ends.
func (s *Session) readLoop(conn *websocket.Conn) {
	for {
		kind, data, err := conn.ReadMessage()
		if err != nil {
			reason := ReasonTransportError
			if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived) {
				reason = ReasonTransportClose
			}
			s.terminate(reason, encodedClose)
			return
		}
		if kind != websocket.TextMessage {
			// Refused, but gracefully: what the Handler queued in answer
			// to the packets before it (the Socket.IO layer explains the
			// refusal) goes out before the close frame.
			s.log.Info("binary frame refused")
			s.closeGracefully(ReasonParseError, true)
			return
		}
		p, err := decodePacket(string(data))
		if err != nil {
			s.log.Info("malformed packet", "err", err)
			s.terminate(ReasonParseError, encodedClose)
			return
		}
		s.deliverMu.Lock()
		more := s.handlePacket(p, TransportWebSocket)
		s.deliverMu.Unlock()
		if !more {
			return
		}
	}
}

// writeLoop is the only writer of data frames to conn once the session is
// on it. It sends the queue whenever woken; when the session is closing it
// sends what is left, then a close frame, and ends the session.
func (s *Session) writeLoop(conn *websocket.Conn) {
	defer s.goroutines.Done()
	timeout := s.srv.cfg.WriteTimeout
	for {
		s.mu.Lock()
		batch, state := s.queue, s.state
		s.queue = nil
		s.mu.Unlock()
		if state == stateClosed {
			return
		}
		for _, p := range batch {
			_ = conn.SetWriteDeadline(time.Now().Add(timeout))
			if err := conn.WriteMessage(websocket.TextMessage, []byte(p)); err != nil {
				s.terminate(ReasonTransportError, encodedClose)
				return
			}
		}
		if state == stateClosing {
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
			_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(timeout))
			s.terminate(ReasonForcedClose, encodedClose) // the reason set by Close is kept
			return
		}
		select {
		case <-s.wsWake:
		case <-s.closed:
			return
		}
	}
}
