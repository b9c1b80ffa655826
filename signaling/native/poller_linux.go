//go:build linux

package native

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

// poller watches parked connections with an epoll instance of its own and
// gives each back to a goroutine (conn.serve) when its client sends
// something or goes away. A connection is watched once (EPOLLONESHOT) per
// park. Its loop goroutine runs only while the server has parked
// connections at some point, and stop ends it.
//
// The descriptors are the ones Go's own poller also watches; two epoll
// instances may watch one descriptor independently.
type poller struct {
	log *slog.Logger

	mu     sync.Mutex
	epfd   int // -1 while stopped
	wakeR  *os.File
	wakeW  *os.File
	done   chan struct{}
	parked map[int32]*conn
}

func newPoller(log *slog.Logger) *poller {
	return &poller{log: log, epfd: -1, parked: map[int32]*conn{}}
}

// park hands c to the poller and reports true, or reports false when it
// cannot watch c (the caller then keeps reading).
func (p *poller) park(c *conn) bool {
	if c.fd < 0 {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.epfd < 0 {
		if err := p.startLocked(); err != nil {
			p.log.Warn("cannot park idle connections", "err", err)
			return false
		}
	}
	p.parked[c.fd] = c
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT, Fd: c.fd}
	err := syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_MOD, int(c.fd), &ev)
	if errors.Is(err, syscall.ENOENT) {
		err = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, int(c.fd), &ev)
	}
	if err != nil {
		delete(p.parked, c.fd)
		return false
	}
	return true
}

// startLocked creates the epoll instance and starts the loop. p.mu must
// be held.
func (p *poller) startLocked() error {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return fmt.Errorf("epoll_create1: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		syscall.Close(epfd)
		return err
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(r.Fd())}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, int(r.Fd()), &ev); err != nil {
		syscall.Close(epfd)
		r.Close()
		w.Close()
		return fmt.Errorf("epoll_ctl: %w", err)
	}
	p.epfd, p.wakeR, p.wakeW, p.done = epfd, r, w, make(chan struct{})
	go p.loop(epfd, int32(r.Fd()), p.done)
	return nil
}

// loop waits for readiness and serves each ready connection on a new
// goroutine, until the wake pipe says stop.
func (p *poller) loop(epfd int, wake int32, done chan<- struct{}) {
	defer close(done)
	events := make([]syscall.EpollEvent, pollEvents)
	for {
		n, err := syscall.EpollWait(epfd, events, -1)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			p.log.Error("epoll_wait failed: parked connections are lost", "err", err)
			return
		}
		for _, ev := range events[:n] {
			if ev.Fd == wake {
				return
			}
			p.mu.Lock()
			c := p.parked[ev.Fd]
			delete(p.parked, ev.Fd)
			p.mu.Unlock()
			if c != nil {
				go c.serve()
			}
		}
	}
}

// stop ends the loop and releases the epoll instance. Call it once no
// connection is parked (after the server's connections have ended).
func (p *poller) stop() {
	p.mu.Lock()
	epfd, r, w, done := p.epfd, p.wakeR, p.wakeW, p.done
	p.epfd = -1
	p.mu.Unlock()
	if epfd < 0 {
		return
	}
	_, _ = w.Write([]byte{0})
	<-done
	syscall.Close(epfd)
	r.Close()
	w.Close()
}
