package engineio

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/signaling/internal/wspark"
)

// sessionState is where a session is in its life.
type sessionState int

const (
	stateOpen    sessionState = iota
	stateClosing              // Close was asked: flushing the queue, then the close packet
	stateClosed               // gone: removed from the table, Handler.Close scheduled
)

// timerKind is what a session's single timer is waiting for.
type timerKind int

const (
	timerPing      timerKind = iota // time to send the next ping
	timerPong                       // the pong is due
	timerCloseWait                  // a closing polling session waits for its last poll
)

// Session is one Engine.IO connection: a client with a session id, reached
// over polling or a WebSocket. Its methods are safe for concurrent use.
type Session struct {
	srv        *Server
	id         string
	remoteAddr string
	addrKey    string // Config.AddrKey(remoteAddr), set by register
	userAgent  string
	log        SessionLog

	// deliverMu is held around every call into the Handler for this session
	// and around the switch of transport, so Messages arrive one at a time,
	// in order, after Open and before Close.
	deliverMu sync.Mutex
	opened    bool // Handler.Open has been called; guarded by deliverMu
	// registered says the session is counted in Server.ended; set by
	// register, before anything can end the session.
	registered bool

	mu          sync.Mutex
	state       sessionState
	reason      string // why the session closes; the first reason wins
	transport   string
	queue       []string // encoded packets waiting for a poll or the writer
	conn        *websocket.Conn
	rd          wspark.Reader // conn's "next frame" call and parking state, attached with conn
	sock        *wspark.Sock  // conn's net.Conn (direct.go)
	writing     bool          // a writer goroutine runs on conn (see write)
	getActive   bool          // a GET is in flight
	postActive  bool          // a POST is in flight
	finalPacket string        // answers a GET still pending when the session ends
	upgrading   bool          // a WebSocket is probing this polling session
	probed      bool          // the probe was answered: polls end at once with a noop
	probeConn   *websocket.Conn
	timer       *time.Timer
	timerGen    uint64 // bumped on every re-arm, so a stale firing does nothing
	timerKind   timerKind
	timerDue    time.Time     // when the timer fires: the heartbeat's deadline while a pong is due
	getWake     chan struct{} // capacity 1: something for the pending GET; nil on a session opened on a WebSocket
	closed      chan struct{} // closed when the state becomes stateClosed
	goroutines  sync.WaitGroup
	// wmu is held by whoever writes data frames to conn: the session's
	// writer, or a Socket.IO writer writing straight to the socket
	// (WritePackets), so the two never interleave.
	wmu          sync.Mutex
	sendQueueMax int
}

// newSession returns an open session for the handshake request r.
func (srv *Server) newSession(r *http.Request, transport string) *Session {
	id := rand.Text()
	s := &Session{
		srv:          srv,
		id:           id,
		remoteAddr:   r.RemoteAddr,
		userAgent:    r.UserAgent(),
		log:          SessionLog{l: srv.log, sid: id},
		transport:    transport,
		closed:       make(chan struct{}),
		sendQueueMax: srv.cfg.SendQueueSize,
	}
	if transport == TransportPolling {
		// Only polls wait on it; a session opened on a WebSocket goes
		// without (a send on a nil channel in a select is skipped).
		s.getWake = make(chan struct{}, 1)
	}
	return s
}

// handshake is the data of the open packet.
type handshake struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int64    `json:"pingInterval"`
	PingTimeout  int64    `json:"pingTimeout"`
	MaxPayload   int64    `json:"maxPayload"`
}

// openPacket returns the encoded open packet for s.
func (s *Session) openPacket() string {
	upgrades := []string{}
	if s.transport == TransportPolling {
		upgrades = append(upgrades, TransportWebSocket)
	}
	cfg := s.srv.cfg
	data, _ := json.Marshal(handshake{ // cannot fail: plain fields
		SID:          s.id,
		Upgrades:     upgrades,
		PingInterval: cfg.PingInterval.Milliseconds(),
		PingTimeout:  cfg.PingTimeout.Milliseconds(),
		MaxPayload:   cfg.MaxPayload,
	})
	return packet{typ: packetOpen, data: string(data)}.encode()
}

// start registers s and calls Handler.Open, then starts the heartbeat.
// It reports false when the server is shutting down.
func (s *Session) start() bool {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	if err := s.srv.register(s); err != nil {
		return false
	}
	s.log.Debug("session open", "transport", s.transport, "remote", s.remoteAddr)
	s.srv.h.Open(s)
	s.opened = true
	s.mu.Lock()
	if s.state == stateOpen {
		s.armLocked(s.srv.cfg.PingInterval, timerPing)
	}
	s.mu.Unlock()
	return true
}

// Log returns the session's logger, which adds its id to each record.
func (s *Session) Log() SessionLog { return s.log }

// ID returns the session id (the sid query parameter).
func (s *Session) ID() string { return s.id }

// RemoteAddr returns the network address of the handshake request.
func (s *Session) RemoteAddr() string { return s.remoteAddr }

// UserAgent returns the User-Agent of the handshake request.
func (s *Session) UserAgent() string { return s.userAgent }

// Transport returns TransportPolling or TransportWebSocket: the transport
// carrying the session now.
func (s *Session) Transport() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transport
}

// Send queues data as one text message packet. It never blocks. It fails
// with ErrSessionClosed once the session is closing, with
// ErrRecordSeparator when data holds "\x1e", and with ErrSendOverflow when
// the queue is full, in which case the session is closed.
func (s *Session) Send(data string) error {
	if strings.Contains(data, recordSeparator) {
		return ErrRecordSeparator
	}
	return s.enqueue(packet{typ: packetMessage, data: data}.encode())
}

// SendBinary queues data as one binary message packet: a binary frame on a
// WebSocket, "b" and base64 in a polling payload. It fails as Send does,
// except that any bytes may be sent.
func (s *Session) SendBinary(data []byte) error {
	return s.enqueue(queuedBinary(data))
}

// enqueue queues encoded packets, all at once, for Send, SendBinary and
// SendData.
func (s *Session) enqueue(queued ...string) error {
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return ErrSessionClosed
	}
	if len(s.queue)+len(queued) > s.sendQueueMax {
		s.mu.Unlock()
		s.log.Info("send queue full", "size", s.sendQueueMax)
		s.terminate(ReasonSendOverflow, encodedClose)
		return ErrSendOverflow
	}
	s.queue = append(s.queue, queued...)
	s.wakeLocked()
	s.mu.Unlock()
	return nil
}

// Close ends the session from the server side: packets already queued are
// delivered, then the client gets a close packet (polling) or a close frame
// (WebSocket). It never blocks; Handler.Close follows with
// ReasonForcedClose.
func (s *Session) Close() {
	s.closeGracefully(ReasonForcedClose, true)
}

// wakeLocked tells whichever transport carries the session that the queue
// has something (or that the session closes): a pending GET, or on a
// WebSocket a writer, started here unless one runs. s.mu must be held.
func (s *Session) wakeLocked() {
	if s.transport != TransportWebSocket {
		select {
		case s.getWake <- struct{}{}:
		default: // already woken
		}
		return
	}
	if s.writing || s.state == stateClosed || s.conn == nil {
		return
	}
	s.writing = true
	// Safe against finish's Wait: the session is not closed, so its
	// reader is still counted.
	s.goroutines.Add(1)
	go s.write(s.conn)
}

// closeGracefully starts an orderly close: Send fails from now on, the
// queue is flushed, then the client is told. A polling session with no poll
// pending waits up to PingTimeout for the next one when patient, and is
// dropped at once otherwise (as the reference server does on shutdown).
func (s *Session) closeGracefully(reason string, patient bool) {
	s.mu.Lock()
	if s.state != stateOpen {
		// Already closing patiently (the hub let it go, waiting for a poll
		// to fetch the close packet): an impatient close (Shutdown) of a
		// polling session with no poll pending still drops it at once.
		idlePoll := s.state == stateClosing && !patient && s.transport == TransportPolling && !s.getActive
		s.mu.Unlock()
		if idlePoll {
			s.terminate(reason, encodedClose)
		}
		return
	}
	if s.transport == TransportPolling && !s.getActive && !patient {
		s.mu.Unlock()
		s.terminate(reason, encodedClose)
		return
	}
	s.state = stateClosing
	s.reason = reason
	probe := s.probeConn
	if s.transport == TransportPolling {
		s.queue = append(s.queue, encodedClose)
		if !s.getActive {
			s.armLocked(s.srv.cfg.PingTimeout, timerCloseWait)
		}
	}
	s.wakeLocked()
	s.mu.Unlock()
	if probe != nil {
		_ = probe.Close() // an upgrade cannot complete on a closing session
	}
}

// terminate ends the session now: it leaves the table, a pending GET is
// answered with final (the close packet, or a noop when the client itself
// closed), WebSockets are closed, and Handler.Close is called on a new
// goroutine once any Message in progress has returned. It never blocks, so
// it is safe from Send.
func (s *Session) terminate(reason, final string) {
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		return
	}
	if s.reason == "" {
		s.reason = reason
	}
	reason = s.reason
	s.state = stateClosed
	s.finalPacket = final
	s.queue = nil
	if s.timer != nil {
		s.timer.Stop()
	}
	s.timerGen++
	conn, probe := s.conn, s.probeConn
	close(s.closed)
	s.mu.Unlock()

	if conn != nil {
		// The reader, woken if parked, closes the connection, which
		// stops a writer too.
		s.rd.Abort()
	}
	if probe != nil {
		_ = probe.Close()
	}
	s.srv.remove(s)
	s.log.Debug("session closed", "reason", reason)
	go s.finish(reason)
}

// finish calls Handler.Close after the last Message, then waits for the
// session's goroutines and counts it ended for Shutdown.
func (s *Session) finish(reason string) {
	s.deliverMu.Lock()
	if s.opened {
		s.srv.h.Close(s, reason)
	}
	s.deliverMu.Unlock()
	s.goroutines.Wait()
	if s.registered {
		s.srv.ended.Done()
	}
}

// armLocked replaces the session's timer: after d, onTimer runs for kind.
// s.mu must be held.
func (s *Session) armLocked(d time.Duration, kind timerKind) {
	if s.timer != nil {
		s.timer.Stop()
	}
	s.timerGen++
	gen := s.timerGen
	s.timerKind = kind
	s.timerDue = time.Now().Add(d)
	s.timer = time.AfterFunc(d, func() { s.onTimer(gen) })
}

// pongOverdueLocked reports whether the pong the session waits for is due
// by now. s.mu must be held.
func (s *Session) pongOverdueLocked(now time.Time) bool {
	return s.state != stateClosed && s.timerKind == timerPong && !now.Before(s.timerDue)
}

// expireIfOverdue closes the session with ReasonPingTimeout when its pong
// is overdue, and reports whether it did. Every request and every pong
// asks first, so expiry is decided by the clock alone: a request that
// arrives at or after the deadline finds the session gone whether or not
// the timer has run yet, and a pong after it is too late.
func (s *Session) expireIfOverdue() bool {
	s.mu.Lock()
	overdue := s.pongOverdueLocked(time.Now())
	s.mu.Unlock()
	if overdue {
		s.log.Debug("no pong in time")
		s.terminate(ReasonPingTimeout, encodedClose)
	}
	return overdue
}

// onTimer sends a ping, or closes a session whose pong or last poll is
// overdue. A firing that lost a race with a re-arm does nothing.
func (s *Session) onTimer(gen uint64) {
	s.mu.Lock()
	if gen != s.timerGen || s.state == stateClosed {
		s.mu.Unlock()
		return
	}
	switch s.timerKind {
	case timerPing:
		if s.state == stateOpen {
			s.queue = append(s.queue, encodedPing)
			s.wakeLocked()
			s.armLocked(s.srv.cfg.PingTimeout, timerPong)
		}
		s.mu.Unlock()
	case timerPong:
		s.mu.Unlock()
		s.log.Debug("no pong in time")
		s.terminate(ReasonPingTimeout, encodedClose)
	default: // timerCloseWait
		s.mu.Unlock()
		s.terminate(ReasonForcedClose, encodedClose)
	}
}

// onPong restarts the ping interval when the pong was awaited. It reports
// false when the pong came too late, which has closed the session.
func (s *Session) onPong() bool {
	if s.expireIfOverdue() {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == stateOpen && s.timerKind == timerPong {
		s.armLocked(s.srv.cfg.PingInterval, timerPing)
	}
	return true
}

// handlePacket acts on one packet that arrived over transport via. The
// caller holds deliverMu. It reports whether the transport should read on.
func (s *Session) handlePacket(p packet, via string) bool {
	switch p.typ {
	case packetMessage:
		s.mu.Lock()
		deliver := s.state == stateOpen && s.transport == via
		s.mu.Unlock()
		switch {
		case !deliver:
		case p.binary:
			s.srv.h.Binary(s, []byte(p.data))
		default:
			s.srv.h.Message(s, p.data)
		}
	case packetPong:
		if !s.onPong() {
			return false
		}
	case packetClose:
		s.terminate(ReasonTransportClose, encodedNoop)
		return false
	case packetPing:
		// In protocol v4 only the server pings; the probe ping never
		// reaches here.
		s.log.Info("ping from client: invalid heartbeat direction")
		s.terminate(ReasonTransportError, encodedClose)
		return false
	default:
		// open, upgrade and noop mean nothing from the client here; the
		// reference server ignores them too.
	}
	return true
}
