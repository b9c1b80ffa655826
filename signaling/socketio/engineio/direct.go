package engineio

import (
	"errors"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/signaling/internal/wspark"
)

// ErrNotWebSocket is returned by WritePackets while the session is not on
// a WebSocket (polling, or upgrading): the caller queues with Send.
var ErrNotWebSocket = errors.New("engineio: session is not on a websocket")

// ErrWriterBusy is returned by a try WritePackets when another writer
// holds the socket: the caller hands the packets to its own writer.
var ErrWriterBusy = errors.New("engineio: websocket writer busy")

// sockOf returns the wspark.Sock under conn, or a Sock with no raw paths
// when the connection did not come through the Hijacker.
func sockOf(conn *websocket.Conn) *wspark.Sock {
	if s, ok := conn.NetConn().(*wspark.Sock); ok {
		return s
	}
	return &wspark.Sock{Conn: conn.NetConn()}
}

// binaryDataMark starts an entry of WritePackets or SendData that is a
// binary message (BinaryData).
const binaryDataMark = '\x00'

// BinaryData returns data as an entry of WritePackets or SendData that
// goes as one binary message: a NUL, then the bytes. A text entry must
// not start with a NUL (a Socket.IO packet starts with a digit).
func BinaryData(data []byte) string {
	return string(binaryDataMark) + string(data)
}

// queuedData returns an entry of WritePackets in its queued form.
func queuedData(d string) string {
	if d != "" && d[0] == binaryDataMark {
		return string(binaryPrefix) + d[1:] // queuedBinary, without a copy to []byte
	}
	return packet{typ: packetMessage, data: d}.encode()
}

// SendData queues entries in the form WritePackets takes, all at once: a
// binary message (BinaryData) as SendBinary does, text as Send does. A
// poll answered meanwhile carries all of them or none, so an event and
// its binary attachments arrive together.
func (s *Session) SendData(data ...string) error {
	queued := make([]string, len(data))
	for i, d := range data {
		if d != "" && d[0] != binaryDataMark && strings.Contains(d, recordSeparator) {
			return ErrRecordSeparator
		}
		queued[i] = queuedData(d)
	}
	return s.enqueue(queued...)
}

// WritePackets writes data as message packets (text, or binary for an
// entry made by BinaryData) straight to the session's WebSocket, in one
// write system call, with no queue between: the caller's
// own queue (the hub's outbox, for Socket.IO) is the only one, and its
// writer's pace is the client's. What the session queued itself (the open
// packet, pings) goes first. With try, the caller must not block: the
// socket takes what it can at once and the rest waits in the Sock for
// Flush; ErrWriterBusy says another writer holds the socket (nothing was
// written). Errors: ErrNotWebSocket on polling (use Send), ErrSessionClosed
// once the session closes, or the socket's error, which also ends the
// session.
func (s *Session) WritePackets(data []string, try bool) error {
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return ErrSessionClosed
	}
	if s.transport != TransportWebSocket || s.conn == nil {
		s.mu.Unlock()
		return ErrNotWebSocket
	}
	conn, sock := s.conn, s.sock
	s.mu.Unlock()
	if try {
		if !s.wmu.TryLock() {
			return ErrWriterBusy
		}
	} else {
		s.wmu.Lock()
	}
	defer s.wmu.Unlock()
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return ErrSessionClosed
	}
	// The session's own packets were queued first: they go first. The
	// session's writer, if started for them, then finds the queue empty.
	queued := s.queue
	s.queue = nil
	s.mu.Unlock()
	packets := make([]string, 0, len(queued)+len(data))
	packets = append(packets, queued...)
	for _, d := range data {
		packets = append(packets, queuedData(d))
	}
	if try {
		sock.TryWrites(true)
		defer sock.TryWrites(false)
	}
	if err := s.writeFrames(conn, packets, try); err != nil {
		s.terminate(ReasonTransportError, encodedClose)
		return err
	}
	return nil
}

// Flush writes what a try WritePackets left in the socket, blocking up to
// the write timeout; it reports the socket's error, which also ends the
// session. Stashed reports whether there is anything to flush.
func (s *Session) Flush() error {
	s.mu.Lock()
	sock := s.sock
	s.mu.Unlock()
	if sock == nil || !sock.Stashed() {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = sock.SetWriteDeadline(time.Now().Add(s.srv.cfg.WriteTimeout))
	if err := sock.Flush(); err != nil {
		s.terminate(ReasonTransportError, encodedClose)
		return err
	}
	return nil
}

// Stashed reports whether a try WritePackets left bytes for Flush.
func (s *Session) Stashed() bool {
	s.mu.Lock()
	sock := s.sock
	s.mu.Unlock()
	return sock != nil && sock.Stashed()
}

// CanTry reports whether WritePackets can write without blocking now.
func (s *Session) CanTry() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock != nil && s.transport == TransportWebSocket && s.sock.CanTry()
}

// writeFrames writes queued packets to conn gathered into one write: text
// frames, and binary frames for binary messages. s.wmu must be held.
func (s *Session) writeFrames(conn *websocket.Conn, packets []string, try bool) error {
	if len(packets) == 0 {
		return nil
	}
	s.mu.Lock()
	sock := s.sock
	s.mu.Unlock()
	if !try {
		_ = conn.SetWriteDeadline(time.Now().Add(s.srv.cfg.WriteTimeout))
	}
	if sock != nil {
		sock.Cork()
	}
	var err error
	for _, p := range packets {
		kind, frame := websocket.TextMessage, p
		if isBinary(p) {
			kind, frame = websocket.BinaryMessage, p[1:]
		}
		if err = conn.WriteMessage(kind, []byte(frame)); err != nil {
			break
		}
	}
	if sock != nil {
		if uerr := sock.Uncork(); err == nil {
			err = uerr
		}
	}
	return err
}
