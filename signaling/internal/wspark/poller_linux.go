//go:build linux

package wspark

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"syscall"
)

// pollEvents is how many readiness events the poller takes per wait.
const pollEvents = 256

// Poller watches parked connections with an epoll instance of its own and
// gives each back to a goroutine (its Resumer) when its client sends
// something or goes away. A connection is watched once (EPOLLONESHOT) per
// park.
//
// The epoll instance is itself watched by Go's network poller (an epoll
// descriptor is readable while it has events), so the poller's goroutine
// waits like any network read: no thread is held in a blocking system
// call, and a wake-up costs what a socket read's does. The goroutine runs
// only while the server has parked connections at some point; stop ends
// it. The connections' descriptors are the ones Go's poller also watches;
// two epoll instances may watch one descriptor independently.
type Poller struct {
	log *slog.Logger

	mu     sync.Mutex
	ep     *os.File // nil while stopped
	done   chan struct{}
	parked map[int32]*Conn
}

// NewPoller returns a Poller for one server's connections. Its goroutine
// starts with the first park.
func NewPoller(log *slog.Logger) *Poller {
	return &Poller{log: log, parked: map[int32]*Conn{}}
}

// park hands c to the poller and reports true, or reports false when it
// cannot watch c (the caller then keeps reading).
func (p *Poller) park(c *Conn) bool {
	if c.fd < 0 {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ep == nil {
		if err := p.startLocked(); err != nil {
			p.log.Warn("cannot park idle connections", "err", err)
			return false
		}
	}
	epfd := int(p.ep.Fd())
	p.parked[c.fd] = c
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT, Fd: c.fd}
	err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_MOD, int(c.fd), &ev)
	if errors.Is(err, syscall.ENOENT) {
		err = syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, int(c.fd), &ev)
	}
	if err != nil {
		delete(p.parked, c.fd)
		return false
	}
	return true
}

// startLocked creates the epoll instance and starts the loop. p.mu must
// be held.
func (p *Poller) startLocked() error {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return fmt.Errorf("epoll_create1: %w", err)
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		syscall.Close(epfd)
		return err
	}
	ep := os.NewFile(uintptr(epfd), "epoll") // non-blocking: Go's poller watches it
	rc, err := ep.SyscallConn()
	if err != nil {
		ep.Close()
		return err
	}
	p.ep, p.done = ep, make(chan struct{})
	go p.loop(rc, p.done)
	return nil
}

// loop takes readiness events without blocking and serves each ready
// connection on a new goroutine; with none, it waits in Go's poller for
// the epoll descriptor to become readable. It ends when stop closes it.
func (p *Poller) loop(rc syscall.RawConn, done chan<- struct{}) {
	defer close(done)
	events := make([]syscall.EpollEvent, pollEvents)
	for {
		var n int
		var werr error
		err := rc.Read(func(fd uintptr) bool {
			n, werr = syscall.EpollWait(int(fd), events, 0)
			if errors.Is(werr, syscall.EINTR) {
				n, werr = 0, nil
			}
			return n > 0 || werr != nil
		})
		if err != nil {
			return // closed by stop
		}
		if werr != nil {
			p.log.Error("epoll_wait failed: parked connections are lost", "err", werr)
			return
		}
		p.mu.Lock()
		for _, ev := range events[:n] {
			if c := p.parked[ev.Fd]; c != nil {
				delete(p.parked, ev.Fd)
				go c.wake()
			}
		}
		p.mu.Unlock()
	}
}

// Stop ends the loop and releases the epoll instance. Call it once no
// connection is parked (after the server's connections have ended); a
// later park starts it again. A nil Poller does nothing.
func (p *Poller) Stop() {
	if p == nil {
		return
	}
	p.mu.Lock()
	ep, done := p.ep, p.done
	p.ep = nil
	p.mu.Unlock()
	if ep == nil {
		return
	}
	ep.Close()
	<-done
}

// Count reports how many connections are parked; -1 for a nil Poller,
// which parks nothing.
func (p *Poller) Count() int {
	if p == nil {
		return -1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.parked)
}
