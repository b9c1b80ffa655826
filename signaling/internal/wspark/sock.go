package wspark

import (
	"errors"
	"io"
	"net"
	"os"
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
// Owned sockets (Own, for a connection the poller serves): the
// descriptor is taken from the runtime's network poller, so that only the
// poller's epoll watches it and a client's message wakes nothing else.
// Reads and writes are then system calls on the descriptor that never
// wait; what must wait (a blocking write to a full socket, a frame that
// arrives in pieces) waits through an episode: a net.Conn over a
// duplicate of the descriptor, watched by the runtime for the length of
// that one read or write.
//
// Otherwise reads pass through, and only plain TCP gets the raw write
// path; on TLS (or anything else) writes pass through and try mode is
// refused.
type Sock struct {
	net.Conn
	rc      syscall.RawConn // nil unless plain TCP
	readNow bool            // the poller is reading: one read that never waits
	owned   bool            // Own took the descriptor: raw holds it
	raw     rawFD

	eps atomic.Pointer[episodes] // made by the first episode: most sockets never need one

	rdeadline atomic.Int64 // an owned socket's read deadline, Unix ns (0: none)

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
	s.deadline.Store(unixNano(t))
	return nil
}

// SetDeadline sets both deadlines (the write one as SetWriteDeadline).
func (s *Sock) SetDeadline(t time.Time) error {
	_ = s.SetWriteDeadline(t)
	return s.SetReadDeadline(t)
}

// clearStaleDeadline (s.mu held) takes a deadline that has passed off the socket
// before a non-blocking write: the runtime refuses any write on a socket
// whose deadline has passed, even one that would not wait.
func (s *Sock) clearStaleDeadline() error {
	if s.owned || s.applied == 0 || time.Now().UnixNano() < s.applied {
		return nil
	}
	s.applied = 0
	return s.Conn.SetWriteDeadline(time.Time{})
}

// applyDeadline (s.mu held) gives the socket the recorded write deadline before a
// write that may block.
func (s *Sock) applyDeadline() error {
	d := s.deadline.Load()
	if s.owned || d == s.applied {
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
	s := &Sock{Conn: nc}
	if tcp := plainTCP(nc); tcp != nil {
		if rc, err := tcp.SyscallConn(); err == nil {
			s.rc = rc
		}
	}
	return s
}

// Own takes the socket's descriptor from the runtime's network poller
// (see Sock) and returns it, or -1 when it cannot (not plain TCP, not
// Linux, out of descriptors): the socket then stays the runtime's. Call it
// before the socket is shared.
func (s *Sock) Own() int {
	if s.rc == nil || s.owned {
		return -1
	}
	fd := -1
	var derr error
	if err := s.rc.Control(func(d uintptr) { fd, derr = dupCloexec(int(d)) }); err != nil || derr != nil {
		return -1
	}
	// Closing the runtime's descriptor takes it off the runtime's poller;
	// the socket lives on in ours. The runtime's connection still answers
	// for the addresses.
	_ = plainTCP(s.Conn).Close()
	s.owned, s.raw.fd = true, fd
	return fd
}

// episodes is an owned socket's episode: the connection, while one runs,
// and how many calls use it.
type episodes struct {
	mu   sync.Mutex
	conn net.Conn
	refs int
}

// Read reads from the connection. The poller's read (readNow) is one
// read system call that reports EAGAIN rather than wait; another read of
// an owned socket that finds nothing waits in an episode, up to the read
// deadline.
func (s *Sock) Read(b []byte) (int, error) {
	if !s.owned {
		return s.Conn.Read(b)
	}
	var n int
	err := s.raw.do(func(fd int) (err error) { n, err = readNow(fd, b); return err })
	if s.readNow || !errors.Is(err, syscall.EAGAIN) {
		return n, s.opError("read", err)
	}
	ep, err := s.episode()
	if err != nil {
		return 0, s.opError("read", err)
	}
	defer s.endEpisode()
	if err := ep.SetReadDeadline(unixTime(s.rdeadline.Load())); err != nil {
		return 0, err
	}
	return ep.Read(b)
}

// SetReadDeadline sets the deadline of the reads that wait.
func (s *Sock) SetReadDeadline(t time.Time) error {
	if !s.owned {
		return s.Conn.SetReadDeadline(t)
	}
	s.rdeadline.Store(unixNano(t))
	return nil
}

// CloseRead shuts the reading side: a waiting read, or the poller, sees
// the end of the stream.
func (s *Sock) CloseRead() error {
	if !s.owned {
		if tcp := plainTCP(s.Conn); tcp != nil {
			return tcp.CloseRead()
		}
		return s.Conn.Close()
	}
	return s.raw.do(shutRead)
}

// Close closes the connection. An owned socket is shut first, which ends
// an episode blocked on it, then closed once no system call uses it.
func (s *Sock) Close() error {
	if !s.owned {
		return s.Conn.Close()
	}
	if err := s.raw.do(shutBoth); errors.Is(err, net.ErrClosed) {
		return err
	}
	if e := s.eps.Load(); e != nil {
		e.mu.Lock()
		if e.conn != nil {
			_ = e.conn.Close()
		}
		e.mu.Unlock()
	}
	return s.raw.close()
}

// episode returns a connection over a duplicate of the owned descriptor,
// which the runtime's poller watches, for one read or write that must
// wait; endEpisode ends it once no one uses it.
func (s *Sock) episode() (net.Conn, error) {
	e := s.eps.Load()
	if e == nil {
		s.eps.CompareAndSwap(nil, new(episodes))
		e = s.eps.Load()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == nil {
		var f *os.File
		err := s.raw.do(func(fd int) error {
			d, err := dupCloexec(fd)
			if err == nil {
				f = os.NewFile(uintptr(d), "websocket")
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		c, err := net.FileConn(f) // a duplicate of f's, watched by the runtime
		f.Close()
		if err != nil {
			return nil, err
		}
		e.conn = c
	}
	e.refs++
	return e.conn, nil
}

func (s *Sock) endEpisode() {
	e := s.eps.Load()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.refs--; e.refs == 0 && e.conn != nil {
		_ = e.conn.Close()
		e.conn = nil
	}
}

// writeOwned writes all of b to the owned socket: at once when it takes
// it, else the rest in an episode, up to the write deadline.
func (s *Sock) writeOwned(b []byte) error {
	n, err := s.writeRaw(b)
	if err != nil || n == len(b) {
		return err
	}
	ep, err := s.episode()
	if err != nil {
		return s.opError("write", err)
	}
	defer s.endEpisode()
	if err := ep.SetWriteDeadline(unixTime(s.deadline.Load())); err != nil {
		return err
	}
	_, err = ep.Write(b[n:])
	return err
}

// opError wraps a system call's error as the runtime's would be.
func (s *Sock) opError(op string, err error) error {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return err
	}
	return &net.OpError{Op: op, Net: "tcp", Source: s.LocalAddr(), Addr: s.RemoteAddr(), Err: err}
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func unixTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// rawFD is an owned descriptor and its lifetime: a system call on it
// holds the read lock, so it is never closed, and its number never reused,
// under one.
type rawFD struct {
	mu     sync.RWMutex
	fd     int
	closed bool
}

// do runs f on the descriptor unless it is closed (net.ErrClosed).
func (r *rawFD) do(f func(fd int) error) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return net.ErrClosed
	}
	return f(r.fd)
}

func (r *rawFD) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return net.ErrClosed
	}
	r.closed = true
	return closeFD(r.fd)
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
	if s.owned {
		stash := s.stash
		s.stash = nil
		if err := s.writeOwned(stash); err != nil {
			return err
		}
		return s.writeOwned(b)
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
	if s.owned {
		return s.writeRaw(b)
	}
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

// writeRaw writes what the owned socket takes now.
func (s *Sock) writeRaw(b []byte) (int, error) {
	var n int
	err := s.raw.do(func(fd int) (err error) { n, err = writeNow(uintptr(fd), b); return err })
	return n, s.opError("write", err)
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
	stash := s.stash
	s.stash = nil // rare: not worth keeping
	if s.owned {
		return s.writeOwned(stash)
	}
	if err := s.applyDeadline(); err != nil {
		return err
	}
	_, err := s.Conn.Write(stash)
	return err
}
