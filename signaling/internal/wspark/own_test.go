package wspark

import (
	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"testing"
	"time"
)

// ownedPair returns an owned server Sock and the client end.
func ownedPair(t *testing.T) (*Sock, io.ReadWriteCloser) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("sockets are owned only on Linux")
	}
	server, client := tcpPair(t)
	s := NewSock(server)
	if s.Own() < 0 {
		t.Fatal("Own failed on a plain TCP socket")
	}
	t.Cleanup(func() { s.Close() })
	return s, client
}

// An owned socket reads and writes, waits for a slow reader through an
// episode (the bytes arrive whole and in order), and honours deadlines.
func TestOwnedSockWaitsInEpisodes(t *testing.T) {
	s, client := ownedPair(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<19) // 8 MiB: more than the socket buffers hold
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(client, int64(len(big))))
		got <- b
	}()
	if err := s.SetWriteDeadline(time.Now().Add(failAfter)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write(big); err != nil {
		t.Fatalf("blocking write: %v", err)
	}
	if b := <-got; !bytes.Equal(b, big) {
		t.Fatalf("the reader got %d bytes, not the %d written", len(b), len(big))
	}

	// Nothing to read: a read waits until its deadline.
	_ = s.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := s.Read(make([]byte, 16)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read with nothing to read = %v, want a deadline error", err)
	}
	// Bytes arrive while a read waits.
	_ = s.SetReadDeadline(time.Now().Add(failAfter))
	go func() { time.Sleep(20 * time.Millisecond); client.Write([]byte("late")) }()
	buf := make([]byte, 16)
	if n, err := s.Read(buf); err != nil || string(buf[:n]) != "late" {
		t.Errorf("waiting read = %q, %v", buf[:n], err)
	}

	// The client reads no more: once the socket buffers are full (their
	// size is the kernel's to tune), a write waits until its deadline.
	_ = s.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	var err error
	for i := 0; i < 64 && err == nil; i++ {
		_, err = s.Write(big)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("write to a full socket = %v, want a deadline error", err)
	}
}

// Close ends a write waiting on a full socket at once, and the socket
// refuses everything after.
func TestOwnedSockCloseEndsAWaitingWrite(t *testing.T) {
	s, _ := ownedPair(t)
	big := bytes.Repeat([]byte("x"), 16<<20)
	_ = s.SetWriteDeadline(time.Now().Add(failAfter))
	done := make(chan error, 1)
	go func() { _, err := s.Write(big); done <- err }()
	time.Sleep(50 * time.Millisecond) // let the write fill the socket and wait
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("a write cut short by Close reported no error")
		}
	case <-time.After(failAfter):
		t.Fatal("Close did not end the waiting write")
	}
	if _, err := s.Write([]byte("after")); err == nil {
		t.Error("write after Close succeeded")
	}
	if err := s.Close(); err == nil {
		t.Error("second Close succeeded")
	}
}
