package engineio

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// failAfter bounds every wait in these tests. It is a deadline for a
// failure, never a delay: each wait ends as soon as its event arrives.
const failAfter = 10 * time.Second

// event is one call into the recorder.
type event struct {
	s      *Session
	data   string // Message, Binary
	binary bool   // Binary
	reason string // Close
}

// recorder is a Handler that reports every call on channels and checks the
// Handler contract: Open first, Close once, nothing after Close, no overlap.
// With echo set, it sends every message back (the reference test server).
type recorder struct {
	echo     bool
	block    chan struct{} // when set, Message waits on it before returning
	opened   chan *Session
	messages chan event
	closed   chan event

	mu         sync.Mutex
	state      map[*Session]string // "open", "closed"
	busy       map[*Session]bool
	violations []string
}

func newRecorder(echo bool) *recorder {
	return &recorder{
		echo:     echo,
		opened:   make(chan *Session, 64),
		messages: make(chan event, 1024),
		closed:   make(chan event, 64),
		state:    make(map[*Session]string),
		busy:     make(map[*Session]bool),
	}
}

func (r *recorder) enter(s *Session, call, want string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.busy[s] {
		r.violations = append(r.violations, fmt.Sprintf("%s overlaps another call on %s", call, s.ID()))
	}
	r.busy[s] = true
	if got := r.state[s]; got != want {
		r.violations = append(r.violations, fmt.Sprintf("%s on %s in state %q, want %q", call, s.ID(), got, want))
	}
}

func (r *recorder) leave(s *Session, state string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.busy[s] = false
	r.state[s] = state
}

func (r *recorder) Open(s *Session) {
	r.enter(s, "Open", "")
	r.leave(s, "open")
	r.opened <- s
}

func (r *recorder) Message(s *Session, data string) {
	r.enter(s, "Message", "open")
	if r.echo {
		_ = s.Send(data) // fails once the session closes; the tests see that
	}
	r.messages <- event{s: s, data: data}
	if r.block != nil {
		<-r.block
	}
	r.leave(s, "open")
}

func (r *recorder) Binary(s *Session, data []byte) {
	r.enter(s, "Binary", "open")
	if r.echo {
		_ = s.SendBinary(data)
	}
	r.messages <- event{s: s, data: string(data), binary: true}
	r.leave(s, "open")
}

func (r *recorder) Close(s *Session, reason string) {
	r.enter(s, "Close", "open")
	r.leave(s, "closed")
	r.closed <- event{s: s, reason: reason}
}

func (r *recorder) check(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range r.violations {
		t.Errorf("handler contract: %s", v)
	}
}

// harness is a Server on an httptest server with a recorder behind it.
type harness struct {
	t      *testing.T
	srv    *Server
	ts     *httptest.Server
	rec    *recorder
	parked chan *Session // a GET started waiting
}

// newHarness starts a server; cleanup shuts it down and checks the
// Handler contract.
func newHarness(t *testing.T, cfg Config, rec *recorder) *harness {
	t.Helper()
	srv, err := New(cfg, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h := &harness{t: t, srv: srv, rec: rec, parked: make(chan *Session, 64)}
	srv.pollParked = func(s *Session) {
		select {
		case h.parked <- s:
		default:
		}
	}
	mux := http.NewServeMux()
	mux.Handle(Path, srv)
	h.ts = httptest.NewServer(mux)
	t.Cleanup(h.ts.Close)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), failAfter)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		rec.check(t)
	})
	return h
}

// url returns the Engine.IO URL with the given query (EIO=4 is added
// unless the query sets EIO itself).
func (h *harness) url(query string) string {
	q, err := url.ParseQuery(query)
	if err != nil {
		h.t.Fatalf("bad query %q: %v", query, err)
	}
	if _, ok := q["EIO"]; !ok {
		q.Set("EIO", "4")
	}
	return h.ts.URL + Path + "?" + q.Encode()
}

// response is what a request got back.
type response struct {
	status int
	body   string
	header http.Header
}

// do sends one request and reads the whole answer.
func (h *harness) do(ctx context.Context, method, query, body string, header http.Header) (response, error) {
	var rd io.Reader
	if body != "" || method == http.MethodPost {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.url(query), rd)
	if err != nil {
		return response{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := h.ts.Client().Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: string(b), header: res.Header}, err
}

// get and post send a request for session sid and fail the test on a
// transport error.
func (h *harness) get(sid string) response {
	h.t.Helper()
	res, err := h.do(context.Background(), http.MethodGet, "transport=polling&sid="+sid, "", nil)
	if err != nil {
		h.t.Fatalf("GET: %v", err)
	}
	return res
}

func (h *harness) post(sid, body string) response {
	h.t.Helper()
	res, err := h.do(context.Background(), http.MethodPost, "transport=polling&sid="+sid, body, nil)
	if err != nil {
		h.t.Fatalf("POST: %v", err)
	}
	return res
}

// getAsync starts a GET and returns where its answer will arrive.
func (h *harness) getAsync(ctx context.Context, sid string) <-chan response {
	out := make(chan response, 1)
	go func() {
		res, err := h.do(ctx, http.MethodGet, "transport=polling&sid="+sid, "", nil)
		if err != nil {
			res = response{status: -1, body: err.Error()}
		}
		out <- res
	}()
	return out
}

// openPolling does a polling handshake and returns the handshake data and
// the session the Handler saw.
func (h *harness) openPolling() (handshake, *Session) {
	h.t.Helper()
	res, err := h.do(context.Background(), http.MethodGet, "transport=polling", "", nil)
	if err != nil {
		h.t.Fatalf("handshake: %v", err)
	}
	if res.status != http.StatusOK || !strings.HasPrefix(res.body, "0") {
		h.t.Fatalf("handshake = %d %q, want 200 and an open packet", res.status, res.body)
	}
	var hs handshake
	if err := json.Unmarshal([]byte(res.body[1:]), &hs); err != nil {
		h.t.Fatalf("open packet %q: %v", res.body, err)
	}
	s := recv(h.t, h.rec.opened)
	if s.ID() != hs.SID {
		h.t.Fatalf("Handler.Open got session %q, handshake said %q", s.ID(), hs.SID)
	}
	return hs, s
}

// awaitParked waits until a GET of s is waiting on the server.
func (h *harness) awaitParked(s *Session) {
	h.t.Helper()
	for {
		if got := recv(h.t, h.parked); got == s {
			return
		}
	}
}

// dial opens a WebSocket with the given query.
func (h *harness) dial(query string, header http.Header) (*websocket.Conn, *http.Response, error) {
	u := "ws" + strings.TrimPrefix(h.url(query), "http")
	d := websocket.Dialer{HandshakeTimeout: failAfter}
	return d.Dial(u, header)
}

// mustDial opens a WebSocket and closes it at cleanup.
func (h *harness) mustDial(query string) *websocket.Conn {
	h.t.Helper()
	conn, _, err := h.dial(query, nil)
	if err != nil {
		h.t.Fatalf("dial %q: %v", query, err)
	}
	h.t.Cleanup(func() { conn.Close() })
	return conn
}

// readText reads one text frame.
func readText(t *testing.T, conn *websocket.Conn) string {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(failAfter))
	kind, data, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if kind != websocket.TextMessage {
		t.Fatalf("read a frame of kind %d, want text", kind)
	}
	return string(data)
}

// writeText writes one text frame.
func writeText(t *testing.T, conn *websocket.Conn, s string) {
	t.Helper()
	if err := conn.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		t.Fatalf("write %q: %v", s, err)
	}
}

// readUntilError reads frames until the connection fails, and returns the
// error.
func readUntilError(t *testing.T, conn *websocket.Conn) error {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(failAfter))
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			return err
		}
	}
}

// recv waits for one value from ch.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(failAfter):
		t.Fatalf("nothing arrived within %v", failAfter)
		panic("unreachable")
	}
}

// wantClosed waits for Handler.Close of s and checks its reason.
func (h *harness) wantClosed(s *Session, reason string) {
	h.t.Helper()
	ev := recv(h.t, h.rec.closed)
	if ev.s != s {
		h.t.Fatalf("Handler.Close for session %s, want %s", ev.s.ID(), s.ID())
	}
	if ev.reason != reason {
		h.t.Errorf("Handler.Close reason = %q, want %q", ev.reason, reason)
	}
}

// wantError checks a response is an Engine.IO error answer.
func wantError(t *testing.T, what string, res response, status int, code errorCode) {
	t.Helper()
	if res.status != status {
		t.Errorf("%s: status %d, want %d (body %q)", what, res.status, status, res.body)
		return
	}
	var body errorBody
	if err := json.Unmarshal([]byte(res.body), &body); err != nil {
		t.Errorf("%s: body %q is not a JSON error: %v", what, res.body, err)
		return
	}
	if body.Code != code || body.Message == "" {
		t.Errorf("%s: error body %+v, want code %d with a message", what, body, code)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
}
