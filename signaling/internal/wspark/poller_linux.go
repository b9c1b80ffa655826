//go:build linux

package wspark

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"syscall"
)

// pollEvents is how many readiness events a shard takes per wait.
const pollEvents = 256

// loopReadSize is the size of the read buffers the poller lends the
// connections it serves: one read takes up to this much, every whole frame
// in it is handled, and the buffer goes back to the pool. A frame that does
// not fit is read by a goroutine of its own.
const loopReadSize = 16 << 10

// Poller serves a server's plain-TCP WebSocket connections from a few
// event loops (shards), so that a message costs no
// goroutine hand-off: a shard waits in epoll_wait, reads a ready
// connection's bytes with one read, and when they are whole frames (the
// common case: a signaling message is one small frame), runs the
// connection's read loop right there. That loop handles the frames and
// routes each message, whose recipients are written to from this same
// goroutine (transport.Pump.Flush); then the connection is left watched
// and its read buffer goes back to the pool. System calls per relayed
// message: one read, one write, and a share of one epoll_wait.
//
// The epoll watch is level-triggered: bytes left in the socket after the
// one read are reported by the next wait, so no read ever goes looking for
// an empty socket (EAGAIN), and no epoll_ctl is needed between messages.
//
// What a shard cannot do without blocking (a frame split across reads, a
// frame bigger than the buffer, the end of the stream, an error) it hands
// to a goroutine of the connection's own (Resumer on a new goroutine),
// which reads as gorilla's examples do and parks the connection again
// when it has read what there was.
//
// Shards: one per two processors. A shard waits in a system call, so its
// processor is the runtime's to lend only once sysmon takes it back; with
// every processor in a shard's wait, sysmon would poll every 20 µs to do
// so (measured: 13 % of the server's CPU with two shards on two cores, 5 %
// with one), and the other half of the processors run the rest (writers
// for slow readers, timers, HTTP, the collector).
//
// Hand-written: Go's runtime offers no event loop over sockets, and the
// libraries that do (gnet, netpoll) replace net.Conn, which gorilla and
// net/http need.
type Poller struct {
	log    *slog.Logger
	bufs   sync.Pool // *bufio.Reader of loopReadSize
	shards []*shard
}

// shard is one event loop: an epoll instance, the connections it watches
// and the goroutine waiting on it. The goroutine runs while the server has
// parked a connection at some point; Stop ends it.
type shard struct {
	p *Poller

	mu       sync.Mutex
	epfd     int    // -1 while stopped
	wake     [2]int // a pipe whose reading end the epoll watches: Stop writes to it
	done     chan struct{}
	watched  map[int32]*Conn
	served   int // readiness events served on the loop
	handoffs int // connections given to a goroutine of their own
}

// NewPoller returns a Poller for one server's connections. Its goroutines
// start with the first park.
func NewPoller(log *slog.Logger) *Poller {
	p := &Poller{log: log}
	p.bufs.New = func() any { return bufio.NewReaderSize(nil, loopReadSize) }
	for range max(1, runtime.GOMAXPROCS(0)/2) {
		p.shards = append(p.shards, &shard{p: p, epfd: -1, watched: map[int32]*Conn{}})
	}
	return p
}

func (p *Poller) shardOf(c *Conn) *shard { return p.shards[int(c.fd)%len(p.shards)] }

// park has the poller watch c and reports true, or reports false when it
// cannot (the caller then keeps reading). c's read buffer must be empty.
func (p *Poller) park(c *Conn) bool {
	if c.fd < 0 {
		return false
	}
	return p.shardOf(c).watch(c)
}

// unwatch stops watching c, if it is watched.
func (p *Poller) unwatch(c *Conn) {
	if c.fd >= 0 {
		p.shardOf(c).unwatch(c)
	}
}

func (s *shard) watch(c *Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.epfd < 0 {
		if err := s.startLocked(); err != nil {
			s.p.log.Warn("cannot park idle connections", "err", err)
			return false
		}
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: c.fd}
	if err := syscall.EpollCtl(s.epfd, syscall.EPOLL_CTL_ADD, int(c.fd), &ev); err != nil {
		return false
	}
	s.watched[c.fd] = c
	return true
}

func (s *shard) unwatch(c *Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.watched[c.fd] != c {
		return
	}
	delete(s.watched, c.fd)
	_ = syscall.EpollCtl(s.epfd, syscall.EPOLL_CTL_DEL, int(c.fd), nil)
}

// startLocked creates the epoll instance and its wake-up pipe and starts
// the loop. s.mu must be held.
func (s *shard) startLocked() error {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return fmt.Errorf("epoll_create1: %w", err)
	}
	var wake [2]int
	if err := syscall.Pipe2(wake[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		syscall.Close(epfd)
		return fmt.Errorf("pipe2: %w", err)
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(wake[0])}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, wake[0], &ev); err != nil {
		syscall.Close(epfd)
		syscall.Close(wake[0])
		syscall.Close(wake[1])
		return fmt.Errorf("epoll_ctl: %w", err)
	}
	s.epfd, s.wake, s.done = epfd, wake, make(chan struct{})
	go s.loop(epfd, int32(wake[0]), s.done)
	return nil
}

// loop waits for ready connections and serves each. It waits in a
// blocking epoll_wait, as a read waits in the runtime's own poller: the
// runtime lends the processor to other goroutines meanwhile. It ends when
// Stop writes to the wake-up pipe.
func (s *shard) loop(epfd int, wake int32, done chan<- struct{}) {
	defer close(done)
	events := make([]syscall.EpollEvent, pollEvents)
	for {
		n, err := syscall.EpollWait(epfd, events, -1)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			s.p.log.Error("epoll_wait failed: parked connections are lost", "err", err)
			return
		}
		served := 0
		for _, ev := range events[:n] {
			if ev.Fd == wake {
				return
			}
			s.mu.Lock()
			c := s.watched[ev.Fd]
			s.mu.Unlock()
			if c != nil && s.serve(c) {
				served++
			}
		}
		// Counted under s.mu at the end of the round, which also
		// orders what the round did to its connections before
		// anything that looks at them under s.mu.
		s.mu.Lock()
		s.served += served
		s.mu.Unlock()
	}
}

// serve reads a ready connection's bytes with one read and, when they are
// whole frames, runs its read loop here (Resume) and reports true; anything
// else goes to a goroutine of the connection's own.
func (s *shard) serve(c *Conn) bool {
	c.takeReadBuffer()
	n, err := c.fill()
	switch {
	case errors.Is(err, syscall.EAGAIN) && c.br.Buffered() == 0:
		c.releaseReadBuffer() // nothing after all: still watched
		return false
	case err != nil || n == 0:
		if err == nil {
			err = io.EOF
		}
		c.readErr = err
		s.handoff(c)
		return false
	case !wholeMessages(c.buffered()):
		s.handoff(c)
		return false
	}
	c.looping = true
	c.resumer.Resume()
	c.looping = false
	if c.left {
		c.left = false // the transport ends the connection: no longer ours
		return true
	}
	c.releaseReadBuffer() // Resume returns only once it read every frame
	return true
}

// handoff gives c to a goroutine of its own, which reads on until it parks
// c again.
func (s *shard) handoff(c *Conn) {
	s.unwatch(c)
	s.mu.Lock()
	s.handoffs++
	s.mu.Unlock()
	go c.resumer.Resume()
}

// Stop ends the loops and releases their epoll instances. Call it once no
// connection is parked (after the server's connections have ended); a
// later park starts them again. A nil Poller does nothing.
func (p *Poller) Stop() {
	if p == nil {
		return
	}
	for _, s := range p.shards {
		s.stop()
	}
}

func (s *shard) stop() {
	s.mu.Lock()
	epfd, wake, done := s.epfd, s.wake, s.done
	s.epfd = -1
	s.mu.Unlock()
	if epfd < 0 {
		return
	}
	_, _ = syscall.Write(wake[1], []byte{0})
	<-done
	syscall.Close(epfd)
	syscall.Close(wake[0])
	syscall.Close(wake[1])
}

// Count reports how many connections are parked (watched by the poller,
// whether idle or being served by it); -1 for a nil Poller, which parks
// nothing.
func (p *Poller) Count() int {
	if p == nil {
		return -1
	}
	n := 0
	for _, s := range p.shards {
		s.mu.Lock()
		n += len(s.watched)
		s.mu.Unlock()
	}
	return n
}

// Stats reports how many times the poller served a ready connection on its
// own loop, and how many times it left one to a goroutine of its own (a
// split or large frame, the end of a stream); zeros for a nil Poller.
func (p *Poller) Stats() (served, handoffs int) {
	if p == nil {
		return 0, 0
	}
	for _, s := range p.shards {
		s.mu.Lock()
		served += s.served
		handoffs += s.handoffs
		s.mu.Unlock()
	}
	return served, handoffs
}

// dupCloexec duplicates fd, closed on exec as the runtime's own are.
func dupCloexec(fd int) (int, error) {
	for {
		d, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 0)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return -1, errno
		}
		return int(d), nil
	}
}
