//go:build linux

package httpserver

import (
	"bytes"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"signalbox/internal/testwait"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestOutOfFilesIsNotFatal runs the process out of file descriptors while
// idle clients connect: accept fails with EMFILE, which the server logs
// and backs off from, and it serves again once descriptors are free.
func TestOutOfFilesIsNotFatal(t *testing.T) {
	var logs syncBuffer
	s, err := New(Config{Client: testClient, IdleTimeout: time.Minute}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, s)

	var saved syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &saved); err != nil {
		t.Skip(err)
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	low := saved
	low.Cur = uint64(len(fds) + 8)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skipf("cannot lower the open-file limit: %v", err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &saved)
		}
	}
	defer restore()
	// Idle clients (they send nothing) until this process runs out: the
	// kernel completes the connections, the server's accept fails.
	var conns []net.Conn
	for range 64 {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	testwait.Until(t, "the server logs the failed accept", 10*time.Second, func() bool {
		return strings.Contains(logs.String(), "accept failed")
	})
	for _, c := range conns {
		c.Close()
	}
	restore()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("after running out of files the server does not serve: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz = %d", resp.StatusCode)
	}
	t.Logf("%d idle clients connected before the process ran out of files; accept errors logged and retried", len(conns))
}
