package wspark

import (
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Sock is the net.Conn under a WebSocket connection, between gorilla and
// the socket, where the system calls are saved. Hand-written: no library
// does this below gorilla.
//
//   - Corked writes: between Cork and Uncork, the frames gorilla writes are
//     gathered and go out in one write system call.
//   - Try writes: in try mode (TryWrites) a write never blocks: what the
//     socket does not take at once is stashed, and the next blocking write
//     (Flush, or any write out of try mode) sends it first. Frames stay
//     whole and in order: gorilla writes one frame at a time, under its
//     own lock.
//   - Control frames (ping, pong, close: gorilla's WriteControl from a
//     timer, the read loop or gorilla's own protocol errors) are always
//     written as in try mode, and OnStash is called when some of one had to
//     be stashed: then only the connection's writer ever blocks in a write,
//     so a sender writing straight to this socket never waits behind a
//     heartbeat stuck on a full socket.
//
// Reads pass through, except the poller's (readNow): one read system
// call on the descriptor that never waits, as the poller has just seen the
// socket ready. Only plain TCP gets the raw paths; on TLS (or anything
// else) reads and writes pass through and try mode is refused.
type Sock struct {
	net.Conn
	rc      syscall.RawConn // nil unless plain TCP
	fd      int             // rc's descriptor, or -1
	readNow bool            // the poller is reading: one read that never waits

	mu     sync.Mutex // held by every write
	cork   int        // Cork depth
	corked []byte     // frames gathered while corked
	stash  []byte     // bytes accepted in try mode that the socket has not taken
	try    bool       // writes must not block

	// OnStash, when set, is called (with no lock held) after a control
	// frame was partly stashed: the writer should Flush.
	OnStash func()
	// Bufs, when set, lends the cork buffers (*[]byte), so an idle
	// connection holds none; NewBufPool makes one for a server.
	Bufs *sync.Pool

	deadline atomic.Int64 // the write deadline asked for, Unix ns (0: none)
	applied  int64        // the one the socket has (s.mu)
}

// SetWriteDeadline records the deadline of the next blocking write; it is
// given to the socket only before a write that may block. gorilla sets it
// before every frame, and a socket's deadline is a runtime timer: corked
// and non-blocking writes need none.
func (s *Sock) SetWriteDeadline(t time.Time) error {
	var ns int64
	if !t.IsZero() {
		ns = t.UnixNano()
	}
	s.deadline.Store(ns)
	return nil
}

// SetDeadline sets both deadlines (the write one as SetWriteDeadline).
func (s *Sock) SetDeadline(t time.Time) error {
	_ = s.SetWriteDeadline(t)
	return s.Conn.SetReadDeadline(t)
}

// clearStaleDeadline (s.mu held) takes a deadline that has passed off the socket
// before a non-blocking write: the runtime refuses any write on a socket
// whose deadline has passed, even one that would not wait.
func (s *Sock) clearStaleDeadline() error {
	if s.applied == 0 || time.Now().UnixNano() < s.applied {
		return nil
	}
	s.applied = 0
	return s.Conn.SetWriteDeadline(time.Time{})
}

// applyDeadline (s.mu held) gives the socket the recorded write deadline before a
// write that may block.
func (s *Sock) applyDeadline() error {
	d := s.deadline.Load()
	if d == s.applied {
		return nil
	}
	s.applied = d
	var t time.Time
	if d != 0 {
		t = time.Unix(0, d)
	}
	return s.Conn.SetWriteDeadline(t)
}

// NewSock wraps nc (plain TCP, possibly under cmux, gets the raw paths).
func NewSock(nc net.Conn) *Sock {
	s := &Sock{Conn: nc, fd: -1}
	if tcp := plainTCP(nc); tcp != nil {
		if rc, err := tcp.SyscallConn(); err == nil {
			s.rc = rc
			_ = rc.Control(func(fd uintptr) { s.fd = int(fd) })
		}
	}
	return s
}

// Read reads from the connection; for the poller (readNow), with one read
// system call straight on the descriptor, which reports EAGAIN rather than
// wait. Only the poller's goroutine reads while it serves the connection,
// and a connection's descriptor stays open while the poller watches it.
func (s *Sock) Read(b []byte) (int, error) {
	if s.readNow {
		return readNow(s.fd, b)
	}
	return s.Conn.Read(b)
}

// Write writes b, or gathers it while corked, or in try mode writes what
// the socket takes now and stashes the rest.
func (s *Sock) Write(b []byte) (int, error) {
	s.mu.Lock()
	if s.cork > 0 {
		if s.corked == nil && s.Bufs != nil {
			s.corked = (*s.Bufs.Get().(*[]byte))[:0]
		}
		s.corked = append(s.corked, b...)
		s.mu.Unlock()
		return len(b), nil
	}
	ctrl := s.rc != nil && !s.try && isControlFrame(b)
	err := s.writeLocked(b, s.try || ctrl)
	stashed := ctrl && len(s.stash) > 0
	s.mu.Unlock()
	if stashed && s.OnStash != nil {
		s.OnStash()
	}
	return len(b), err
}

// isControlFrame reports whether b starts with the header of a whole
// server control frame (FIN set, opcode close, ping or pong). A data
// frame's payload written on its own could look the same; writing it as
// in try mode keeps it in order all the same.
func isControlFrame(b []byte) bool {
	return len(b) >= 2 && (b[0] == 0x88 || b[0] == 0x89 || b[0] == 0x8a)
}

// writeLocked writes b after the stash, without blocking when try is set.
// s.mu must be held.
func (s *Sock) writeLocked(b []byte, try bool) error {
	if try {
		if len(s.stash) == 0 {
			if err := s.clearStaleDeadline(); err != nil {
				return err
			}
			n, err := s.rawWrite(b)
			if err != nil {
				return err
			}
			b = b[n:]
		}
		s.stash = append(s.stash, b...)
		return nil
	}
	if err := s.applyDeadline(); err != nil {
		return err
	}
	if len(s.stash) > 0 {
		bufs := net.Buffers{s.stash, b}
		_, err := bufs.WriteTo(s.Conn)
		s.stash = nil
		return err
	}
	_, err := s.Conn.Write(b)
	return err
}

// rawWrite writes what the socket takes now without waiting.
func (s *Sock) rawWrite(b []byte) (int, error) {
	var n int
	var werr error
	err := s.rc.Write(func(fd uintptr) bool {
		n, werr = writeNow(fd, b)
		return true // never wait: the caller stashes the rest
	})
	if err == nil {
		err = werr
	}
	if err != nil {
		return 0, &net.OpError{Op: "write", Net: "tcp", Source: s.LocalAddr(), Addr: s.RemoteAddr(), Err: err}
	}
	return max(n, 0), nil
}

// Cork gathers the writes until the matching Uncork.
func (s *Sock) Cork() {
	s.mu.Lock()
	s.cork++
	s.mu.Unlock()
}

// Uncork ends a Cork and writes what was gathered in one write.
func (s *Sock) Uncork() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cork--
	if s.cork > 0 || len(s.corked) == 0 {
		return nil
	}
	err := s.writeLocked(s.corked, s.try)
	if s.Bufs != nil && cap(s.corked) <= maxKeptCork {
		b := s.corked[:0]
		s.Bufs.Put(&b)
	}
	s.corked = nil // an idle connection keeps no buffer
	return err
}

// maxKeptCork is the largest cork buffer given back to the pool; a bigger
// one (a burst) goes to the collector.
const maxKeptCork = 8 << 10

// NewBufPool returns a pool of cork buffers for Sock.Bufs, shared by a
// server's connections.
func NewBufPool() *sync.Pool {
	return &sync.Pool{New: func() any {
		b := make([]byte, 0, 1024)
		return &b
	}}
}

// CanTry reports whether try mode is possible (plain TCP).
func (s *Sock) CanTry() bool { return s.rc != nil }

// TryWrites switches try mode on or off (see Sock). Switching it off does
// not flush the stash: Flush does, or the next write.
func (s *Sock) TryWrites(on bool) {
	s.mu.Lock()
	s.try = on && s.rc != nil
	s.mu.Unlock()
}

// Stashed reports whether bytes wait in the stash.
func (s *Sock) Stashed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.stash) > 0
}

// Flush writes the stash, blocking up to the write deadline.
func (s *Sock) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.stash) == 0 {
		return nil
	}
	if err := s.applyDeadline(); err != nil {
		return err
	}
	_, err := s.Conn.Write(s.stash)
	s.stash = nil // rare: not worth keeping
	return err
}
