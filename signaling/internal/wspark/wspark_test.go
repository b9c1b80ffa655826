package wspark

import (
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/soheilhy/cmux"
	"go.uber.org/goleak"

	"signalbox/internal/testwait"
)

// failAfter bounds every wait of these tests (a deadline for a failure,
// never a delay).
const (
	failAfter    = 10 * time.Second
	testReadSize = 512
)

// echoServer serves WebSocket connections the way the transports do: a
// read loop that parks between messages, echoing each message back.
type echoServer struct {
	t        *testing.T
	poller   *Poller
	opt      Options
	upgrader websocket.Upgrader

	mu    sync.Mutex
	conns []*Conn
	ended sync.WaitGroup
	done  chan struct{} // one value per connection whose loop ended
}

func newEchoServer(t *testing.T, p *Poller, opt Options) *echoServer {
	return &echoServer{
		t: t, poller: p, opt: opt,
		upgrader: websocket.Upgrader{ReadBufferSize: 0, WriteBufferPool: &sync.Pool{}},
		done:     make(chan struct{}, 16),
	}
}

func (s *echoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hj := NewHijacker(w, testReadSize)
	ws, err := s.upgrader.Upgrade(hj, r, nil)
	if err != nil {
		return
	}
	c := &Conn{}
	c.Attach(ws, hj.Reader, s.poller, &s.opt, resumeFunc(func() { s.serve(ws, c) }))
	s.mu.Lock()
	s.conns = append(s.conns, c)
	s.mu.Unlock()
	s.ended.Add(1)
	go s.serve(ws, c)
}

// resumeFunc is a Resumer made of a function.
type resumeFunc func()

func (f resumeFunc) Resume() { f() }

// serve is the read loop: it returns when it parked the connection, and
// ends it on any error.
func (s *echoServer) serve(ws *websocket.Conn, c *Conn) {
	for {
		parked, err := c.Await()
		if parked {
			return
		}
		if err == nil {
			var ctrl bool
			if ctrl, err = c.Control(); ctrl {
				continue
			}
		}
		var kind int
		var msg []byte
		if err == nil {
			if !c.Looping() {
				_ = ws.SetReadDeadline(time.Time{})
			}
			kind, msg, err = ws.ReadMessage()
		}
		if err == nil {
			if c.br != nil && c.br.Size() == 0 {
				s.t.Error("reading with no read buffer")
			}
			err = ws.WriteMessage(kind, msg)
		}
		if err != nil {
			c.Leave() // nothing here blocks: no new goroutine needed
			ws.Close()
			s.done <- struct{}{}
			s.ended.Done()
			return
		}
	}
}

// conn returns the server side of the only connection.
func (s *echoServer) conn() *Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.conns) != 1 {
		s.t.Fatalf("%d connections, want 1", len(s.conns))
	}
	return s.conns[0]
}

// start serves s on a loopback test server; cleanup closes every
// connection, waits for the loops and stops the poller.
func start(t *testing.T, s *echoServer, tlsServer bool) *httptest.Server {
	t.Helper()
	var ts *httptest.Server
	if tlsServer {
		ts = httptest.NewTLSServer(s)
	} else {
		ts = httptest.NewServer(s)
	}
	t.Cleanup(func() {
		s.mu.Lock()
		for _, c := range s.conns {
			c.Abort()
		}
		s.mu.Unlock()
		s.ended.Wait()
		s.poller.Stop()
		ts.Close()
	})
	return ts
}

func dial(t *testing.T, ts *httptest.Server) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: failAfter}
	if ts.TLS != nil {
		d.TLSClientConfig = &tls.Config{RootCAs: ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
	}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(ts.URL, "http"), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

func echo(t *testing.T, ws *websocket.Conn, msg string) {
	t.Helper()
	if err := ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(failAfter))
	_, got, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != msg {
		t.Fatalf("echo of %q = %q", msg, got)
	}
}

// eventually waits until cond holds (testwait.Until, within failAfter).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, what, failAfter, cond)
}

func newTestPoller(t *testing.T) *Poller {
	p := NewPoller(slog.New(slog.DiscardHandler))
	if p.Count() < 0 {
		t.Skip("no poller on this platform")
	}
	return p
}

func TestIdleConnectionParksAndWakes(t *testing.T) {
	p := newTestPoller(t)
	s := newEchoServer(t, p, Options{WriteTimeout: failAfter})
	ws := dial(t, start(t, s, false))
	eventually(t, "the connection is parked", func() bool { return p.Count() == 1 })
	for _, msg := range []string{"one", "two", "three"} {
		if sizes := p.parkedBufferSizes(); len(sizes) != 1 || sizes[0] != 0 {
			t.Errorf("parked read buffers of %v bytes, want [0]: kept while parked", sizes)
		}
		before, _ := p.Stats()
		echo(t, ws, msg) // the loop checks the buffer came back
		// The poller's round that served the message has ended.
		eventually(t, "the message is served by the poller", func() bool { n, _ := p.Stats(); return n > before })
	}
}

func TestParkedConnectionAnswersPing(t *testing.T) {
	p := newTestPoller(t)
	s := newEchoServer(t, p, Options{WriteTimeout: failAfter})
	ws := dial(t, start(t, s, false))
	eventually(t, "the connection is parked", func() bool { return p.Count() == 1 })
	pong := make(chan string, 1)
	ws.SetPongHandler(func(s string) error { pong <- s; return nil })
	if err := ws.WriteControl(websocket.PingMessage, []byte("hi"), time.Now().Add(failAfter)); err != nil {
		t.Fatal(err)
	}
	// The ping woke the loop, which parks again at once after it.
	eventually(t, "the connection is parked again", func() bool { return p.Count() == 1 })
	// Reading the echo lets gorilla see the pong, which came first.
	echo(t, ws, "after ping")
	select {
	case s := <-pong:
		if s != "hi" {
			t.Errorf("pong payload %q, want %q", s, "hi")
		}
	default:
		t.Error("parked connection did not answer a ping")
	}
}

func TestAbortEndsParkedConnection(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	p := newTestPoller(t)
	s := newEchoServer(t, p, Options{WriteTimeout: failAfter})
	ts := httptest.NewServer(s)
	defer ts.Close()
	d := websocket.Dialer{HandshakeTimeout: failAfter}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(ts.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	eventually(t, "the connection is parked", func() bool { return p.Count() == 1 })
	s.conn().Abort()
	select {
	case <-s.done:
	case <-time.After(failAfter):
		t.Fatal("aborting a parked connection did not end its loop")
	}
	if n := p.Count(); n != 0 {
		t.Errorf("%d connections parked after Abort", n)
	}
	_ = ws.SetReadDeadline(time.Now().Add(failAfter))
	if _, _, err := ws.ReadMessage(); err == nil {
		t.Error("client connection still open after Abort")
	}
	p.Stop()
}

// Without a poller nothing parks, and MaxWait bounds the wait as a read
// deadline would.
func TestNoPollerMaxWait(t *testing.T) {
	s := newEchoServer(t, nil, Options{MaxWait: 100 * time.Millisecond, WriteTimeout: failAfter})
	ws := dial(t, start(t, s, false))
	echo(t, ws, "hello")
	if s.conn().CanPark() {
		t.Error("CanPark without a poller")
	}
	select {
	case <-s.done:
	case <-time.After(failAfter):
		t.Fatal("an idle connection outlived MaxWait")
	}
}

// TLS buffers what it decrypts, so a TLS connection never parks; it is
// served all the same.
func TestTLSDoesNotPark(t *testing.T) {
	p := newTestPoller(t)
	s := newEchoServer(t, p, Options{WriteTimeout: failAfter})
	ws := dial(t, start(t, s, true))
	echo(t, ws, "over tls")
	if s.conn().CanPark() {
		t.Error("a TLS connection can park")
	}
	echo(t, ws, "still served")
	if n := p.Count(); n != 0 {
		t.Errorf("%d connections parked, want none", n)
	}
}

func TestPlainTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		if c, err := l.Accept(); err == nil {
			defer c.Close()
			_, _ = io.Copy(io.Discard, c)
		}
	}()
	nc, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	tcp := nc.(*net.TCPConn)
	tests := []struct {
		name string
		conn net.Conn
		want *net.TCPConn
	}{
		{"tcp", tcp, tcp},
		{"cmux", &cmux.MuxConn{Conn: tcp}, tcp},
		{"tls", tls.Client(tcp, &tls.Config{}), nil},
		{"pipe", func() net.Conn { a, b := net.Pipe(); b.Close(); return a }(), nil},
	}
	for _, tc := range tests {
		if got := plainTCP(tc.conn); got != tc.want {
			t.Errorf("plainTCP(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A busy connection whose frames arrive whole is served by the poller's
// loop, never handed to a goroutine; a frame split across reads is, and
// arrives all the same.
func TestPollerServesWholeFramesAndHandsOffSplitOnes(t *testing.T) {
	p := newTestPoller(t)
	s := newEchoServer(t, p, Options{WriteTimeout: failAfter, FrameTimeout: failAfter})
	ws := dial(t, start(t, s, false))
	echo(t, ws, "fresh")
	eventually(t, "the connection is parked", func() bool { return p.Count() == 1 })
	for i := range 50 {
		echo(t, ws, strings.Repeat("x", i*60)) // each in one write: gorilla's client splits only beyond 4 KiB
	}
	eventually(t, "50 rounds of the poller ended", func() bool { n, _ := p.Stats(); return n >= 50 })
	if served, handoffs := p.Stats(); handoffs != 0 {
		t.Errorf("50 whole frames: served %d on the loop, %d handed off; want none handed off", served, handoffs)
	}

	frame := maskedText("split across two reads")
	if _, err := ws.NetConn().Write(frame[:7]); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the split frame is handed off", func() bool { _, h := p.Stats(); return h == 1 })
	if _, err := ws.NetConn().Write(frame[7:]); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(failAfter))
	if _, got, err := ws.ReadMessage(); err != nil || string(got) != "split across two reads" {
		t.Fatalf("echo of a split frame = %q, %v", got, err)
	}
	eventually(t, "the connection is parked again", func() bool { return p.Count() == 1 })
	echo(t, ws, "after")
}

// maskedText returns a client's text frame carrying msg (RFC 6455, 5.2).
func maskedText(msg string) []byte {
	mask := [4]byte{1, 2, 3, 4}
	f := []byte{0x81, 0x80 | byte(len(msg))}
	f = append(f, mask[:]...)
	for i := range len(msg) {
		f = append(f, msg[i]^mask[i%4])
	}
	return f
}

func TestWholeMessages(t *testing.T) {
	text := maskedText("hello")
	first := append([]byte{0x01}, text[1:]...)         // text, no FIN
	last := append([]byte{0x80}, text[1:]...)          // continuation, FIN
	middle := append([]byte{0x00}, text[1:]...)        // continuation, no FIN
	ping := []byte{0x89, 0x80, 0, 0, 0, 0}             // masked, empty
	long := []byte{0x81, 0xfe, 0x01, 0x00, 1, 2, 3, 4} // 256 bytes announced
	huge := []byte{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0}
	join := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	tests := []struct {
		name string
		b    []byte
		want bool
	}{
		{"empty", nil, true},
		{"one frame", text, true},
		{"two frames", join(text, text), true},
		{"one byte", text[:1], false},
		{"header only", text[:6], false},
		{"frame and a half", join(text, text[:4]), false},
		{"fragments, whole message", join(first, middle, last), true},
		{"fragments, message unfinished", join(first, middle), false},
		{"ping between fragments", join(first, ping, last), true},
		{"ping inside an unfinished message", join(first, ping), false},
		{"16-bit length, short", append(long, make([]byte, 255)...), false},
		{"16-bit length, whole", append(long, make([]byte, 256)...), true},
		{"64-bit length", huge, false},
	}
	for _, tc := range tests {
		if got := wholeMessages(tc.b); got != tc.want {
			t.Errorf("%s: wholeMessages = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A Hijacker gives gorilla a read buffer of the size asked, unless the
// client sent bytes beyond its request.
func TestHijackerReader(t *testing.T) {
	got := make(chan int, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj := NewHijacker(w, testReadSize)
		nc, rw, err := hj.Hijack()
		if err != nil {
			t.Error(err)
			got <- -1
			return
		}
		defer nc.Close()
		if hj.Reader == nil || rw.Reader != hj.Reader {
			got <- -1
			return
		}
		got <- hj.Reader.Size()
	}))
	defer ts.Close()
	// The handler closes the connection without an answer: the GET
	// fails, as it should.
	if res, err := http.Get(ts.URL); err == nil {
		res.Body.Close()
	}
	if size := <-got; size != testReadSize {
		t.Errorf("hijacked read buffer of %d bytes, want %d", size, testReadSize)
	}
}

// Without a read buffer of ours (the upgrade got the server's), Await and
// Control leave everything to gorilla.
func TestNoReadBuffer(t *testing.T) {
	c := &Conn{br: nil}
	if parked, err := c.Await(); parked || err != nil {
		t.Errorf("Await without a read buffer = %v, %v; want false, nil (gorilla reads)", parked, err)
	}
	if ok, err := c.Control(); ok || err != nil {
		t.Errorf("Control without a read buffer = %v, %v; want false, nil", ok, err)
	}
}
