package wspark

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// countingConn counts Write calls.
type countingConn struct {
	net.Conn
	mu     sync.Mutex
	writes int
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	c.mu.Unlock()
	return c.Conn.Write(b)
}

func TestCorkGathersOneWrite(t *testing.T) {
	server, client := tcpPair(t)
	cc := &countingConn{Conn: server}
	s := &Sock{Conn: cc} // no raw path: writes go through cc
	s.Cork()
	for _, f := range []string{"one,", "two,", "three"} {
		if _, err := s.Write([]byte(f)); err != nil {
			t.Fatal(err)
		}
	}
	if cc.writes != 0 {
		t.Fatalf("%d writes while corked, want 0", cc.writes)
	}
	if err := s.Uncork(); err != nil {
		t.Fatal(err)
	}
	if cc.writes != 1 {
		t.Errorf("%d writes for a corked batch, want 1", cc.writes)
	}
	got := make([]byte, len("one,two,three"))
	if _, err := io.ReadFull(client, got); err != nil || string(got) != "one,two,three" {
		t.Errorf("read %q, %v; want %q", got, err, "one,two,three")
	}
}

// A try write never blocks: what a full socket does not take is stashed,
// and Flush delivers it after, in order.
func TestTryWritesStashAndFlushInOrder(t *testing.T) {
	server, client := tcpPair(t)
	s := NewSock(server)
	if !s.CanTry() {
		t.Fatal("plain TCP cannot try")
	}
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	var sent bytes.Buffer
	s.TryWrites(true)
	start := time.Now()
	for i := 0; !s.Stashed(); i++ {
		if i == 1000 {
			t.Fatal("64 MiB written without the socket filling up")
		}
		chunk[0] = byte('a' + i%26)
		if _, err := s.Write(chunk); err != nil {
			t.Fatal(err)
		}
		sent.Write(chunk)
	}
	s.TryWrites(false)
	if d := time.Since(start); d > 5*time.Second {
		t.Logf("try writes took %v (a busy machine?)", d) // never a failure: no timing assertions
	}
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, sent.Len())
		_, _ = io.ReadFull(client, b)
		got <- b
	}()
	_ = s.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if s.Stashed() {
		t.Error("stash not empty after Flush")
	}
	if b := <-got; !bytes.Equal(b, sent.Bytes()) {
		t.Error("the peer read other bytes than were written, or in another order")
	}
}

func TestControlFramesNeverBlock(t *testing.T) {
	if !isControlFrame([]byte{0x89, 0x00}) || !isControlFrame([]byte{0x8a, 0x00}) || !isControlFrame([]byte{0x88, 0x02}) {
		t.Error("ping, pong or close frame not recognised")
	}
	if isControlFrame([]byte{0x81, 0x05}) || isControlFrame([]byte("HTTP/1.1 101")) {
		t.Error("a text frame or the handshake taken for a control frame")
	}
	server, _ := tcpPair(t)
	s := NewSock(server)
	stashed := make(chan struct{}, 1)
	s.OnStash = func() {
		select {
		case stashed <- struct{}{}:
		default:
		}
	}
	// Fill the socket with pings nobody reads: none blocks, and the
	// writer is told once bytes wait.
	ping := append([]byte{0x89, 125}, bytes.Repeat([]byte("p"), 125)...)
	for !s.Stashed() {
		if _, err := s.Write(ping); err != nil {
			t.Fatal(err)
		}
	}
	<-stashed
}

// A write deadline set for a blocking write that has long passed does not
// make a later non-blocking write fail.
func TestTryWriteAfterAnOldDeadline(t *testing.T) {
	server, client := tcpPair(t)
	s := NewSock(server)
	_ = s.SetWriteDeadline(time.Now().Add(10 * time.Millisecond))
	if _, err := s.Write([]byte("blocking,")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Millisecond)
	for time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // let the deadline pass: what is tested is time itself
	}
	s.TryWrites(true)
	_, err := s.Write([]byte("try"))
	s.TryWrites(false)
	if err != nil {
		t.Fatalf("try write after an old deadline: %v", err)
	}
	got := make([]byte, len("blocking,try"))
	if _, err := io.ReadFull(client, got); err != nil || string(got) != "blocking,try" {
		t.Errorf("read %q, %v", got, err)
	}
}
