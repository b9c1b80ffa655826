package eioconform

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/signaling"
	"signalbox/signaling/httpserver"
)

// The settings the servers run with: a long heartbeat on the main server,
// so a test's idle poll is never cut short, a short one on the heartbeat
// server. A server given by URL must be started with these
// (-socketio-ping-interval, -socketio-ping-timeout,
// -socketio-max-http-buffer-size).
const (
	mainPingInterval = 10 * time.Second
	mainPingTimeout  = 5 * time.Second
	hbPingInterval   = 300 * time.Millisecond
	hbPingTimeout    = time.Second
	maxPayload       = 4096
)

// failAfter bounds every wait; it turns a hang into a failure and is never
// a delay.
const failAfter = 10 * time.Second

// mainURL and hbURL are the base URLs of the two servers, set by TestMain
// before any test runs and never changed after.
var mainURL, hbURL string

func TestMain(m *testing.M) {
	mainURL, hbURL = os.Getenv("SIGNALBOX_EIO_URL"), os.Getenv("SIGNALBOX_EIO_HEARTBEAT_URL")
	var stops []func() error
	for _, s := range []struct {
		url               *string
		interval, timeout time.Duration
	}{{&mainURL, mainPingInterval, mainPingTimeout}, {&hbURL, hbPingInterval, hbPingTimeout}} {
		if *s.url != "" {
			continue
		}
		u, stop, err := startServer(httpserver.SocketIOSettings{PingInterval: s.interval, PingTimeout: s.timeout, MaxPayload: maxPayload})
		if err != nil {
			fmt.Fprintln(os.Stderr, "eioconform:", err)
			os.Exit(1)
		}
		*s.url = u
		stops = append(stops, stop)
	}
	code := m.Run()
	for _, stop := range stops {
		if err := stop(); err != nil {
			fmt.Fprintln(os.Stderr, "eioconform: shutdown:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// startServer runs Signalbox's HTTP server on a loopback port.
func startServer(sio httpserver.SocketIOSettings) (string, func() error, error) {
	srv, err := httpserver.New(httpserver.Config{
		Hub: signaling.Config{RoomCapacity: 2}, Version: "conformance", SocketIO: sio,
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	stop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), failAfter)
		defer cancel()
		err := srv.Shutdown(ctx)
		if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		return err
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// response is what one request got back.
type response struct {
	status int
	body   string
	header http.Header
}

// httpClient sends every request of the suite; its timeout turns a hang
// into a failure (each request also ends with its test's context).
var httpClient = &http.Client{Timeout: 2 * failAfter}

// do sends one request to the Engine.IO endpoint of base with the raw
// query, and reads the whole answer.
func do(t *testing.T, method, base, query, body string, header http.Header) response {
	t.Helper()
	var rd io.Reader
	if body != "" || method == http.MethodPost {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, base+"/socket.io/?"+query, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if method == http.MethodPost && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8") // as the reference client
	}
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, query, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, query, err)
	}
	return response{status: res.StatusCode, body: string(b), header: res.Header}
}

// openData is the handshake data of the open packet.
type openData struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int64    `json:"pingInterval"`
	PingTimeout  int64    `json:"pingTimeout"`
	MaxPayload   int64    `json:"maxPayload"`
}

// parseOpen checks an open packet and returns its data.
func parseOpen(t *testing.T, packet string) openData {
	t.Helper()
	var o openData
	if !strings.HasPrefix(packet, "0") {
		t.Fatalf("%q is no open packet", packet)
	}
	dec := json.NewDecoder(strings.NewReader(packet[1:]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil || o.SID == "" {
		t.Fatalf("open packet %q: %v", packet, err)
	}
	return o
}

// session is a polling session on one server.
type session struct {
	t    *testing.T
	base string
	sid  string
	open openData
}

// handshake opens a polling session.
func handshake(t *testing.T, base string) *session {
	t.Helper()
	res := do(t, http.MethodGet, base, "EIO=4&transport=polling", "", nil)
	if res.status != http.StatusOK {
		t.Fatalf("handshake = %d %q", res.status, res.body)
	}
	o := parseOpen(t, res.body)
	s := &session{t: t, base: base, sid: o.SID, open: o}
	t.Cleanup(func() {
		// Leave nothing behind for the next test: a close packet ends the
		// session if it is still open (the answer does not matter).
		req, err := http.NewRequest(http.MethodPost, base+"/socket.io/?"+s.query(), strings.NewReader("1"))
		if err == nil {
			if res, err := httpClient.Do(req); err == nil {
				res.Body.Close()
			}
		}
	})
	return s
}

// uniqueRoom returns a room name no other test, or run, uses.
func uniqueRoom(prefix string) string {
	return prefix + "-" + rand.Text()[:10]
}

func (s *session) query() string { return "EIO=4&transport=polling&sid=" + s.sid }

// get polls once.
func (s *session) get() response {
	s.t.Helper()
	return do(s.t, http.MethodGet, s.base, s.query(), "", nil)
}

// poll polls once and checks the answer is 200; it returns the packets.
func (s *session) poll() []string {
	s.t.Helper()
	res := s.get()
	if res.status != http.StatusOK {
		s.t.Fatalf("poll = %d %q", res.status, res.body)
	}
	return strings.Split(res.body, "\x1e")
}

// post sends a payload.
func (s *session) post(payload string) response {
	s.t.Helper()
	return do(s.t, http.MethodPost, s.base, s.query(), payload, nil)
}

// mustPost sends a payload and checks the answer is 200 "ok".
func (s *session) mustPost(payload string) {
	s.t.Helper()
	if res := s.post(payload); res.status != http.StatusOK || res.body != "ok" {
		s.t.Fatalf("POST %.60q = %d %q, want 200 ok", payload, res.status, res.body)
	}
}

// pollUntil polls until a packet with the prefix arrives, answering pings,
// and returns it and the packets after it in the same payload.
func (s *session) pollUntil(prefix string) (string, []string) {
	s.t.Helper()
	for {
		packets := s.poll()
		for i, p := range packets {
			switch {
			case strings.HasPrefix(p, prefix):
				return p, packets[i+1:]
			case p == "2":
				s.mustPost("3")
			case p == "1":
				s.t.Fatalf("session closed while waiting for %q", prefix)
			}
		}
	}
}

// pollAsync starts a poll and returns where its answer arrives.
func (s *session) pollAsync() <-chan response {
	out := make(chan response, 1)
	go func() {
		req, err := http.NewRequestWithContext(s.t.Context(), http.MethodGet, s.base+"/socket.io/?"+s.query(), nil)
		if err != nil {
			out <- response{status: -1, body: err.Error()}
			return
		}
		res, err := httpClient.Do(req)
		if err != nil {
			out <- response{status: -1, body: err.Error()}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		out <- response{status: res.StatusCode, body: string(b), header: res.Header}
	}()
	return out
}

// wantError checks an error answer: status, the JSON body's code and
// message, and its content type.
func wantError(t *testing.T, what string, res response, status, code int, message string) {
	t.Helper()
	if res.status != status {
		t.Errorf("%s: status %d, want %d (body %q)", what, res.status, status, res.body)
		return
	}
	var body struct {
		Code    *int    `json:"code"`
		Message *string `json:"message"`
	}
	if err := json.Unmarshal([]byte(res.body), &body); err != nil || body.Code == nil || body.Message == nil {
		t.Errorf("%s: body %q is no {code, message} object", what, res.body)
		return
	}
	if *body.Code != code || *body.Message != message {
		t.Errorf("%s: {code: %d, message: %q}, want {code: %d, message: %q}", what, *body.Code, *body.Message, code, message)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
}

// dial opens a WebSocket to base's Engine.IO endpoint with the raw query.
func dial(t *testing.T, base, query string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: failAfter}
	conn, res, err := d.DialContext(t.Context(), "ws"+strings.TrimPrefix(base, "http")+"/socket.io/?"+query, nil)
	if conn != nil {
		t.Cleanup(func() { conn.Close() })
	}
	return conn, res, err
}

// mustDial opens a WebSocket or fails the test.
func mustDial(t *testing.T, base, query string) *websocket.Conn {
	t.Helper()
	conn, _, err := dial(t, base, query)
	if err != nil {
		t.Fatalf("dial %s: %v", query, err)
	}
	return conn
}

// read reads one frame.
func read(t *testing.T, conn *websocket.Conn) (kind int, data string) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(failAfter))
	kind, b, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return kind, string(b)
}

// readText reads one frame, which must be text.
func readText(t *testing.T, conn *websocket.Conn) string {
	t.Helper()
	kind, s := read(t, conn)
	if kind != websocket.TextMessage {
		t.Fatalf("read a binary frame %q, want text", s)
	}
	return s
}

// readUntil reads frames until a text one with the prefix, answering
// pings, and returns it.
func readUntil(t *testing.T, conn *websocket.Conn, prefix string) string {
	t.Helper()
	for {
		kind, s := read(t, conn)
		switch {
		case kind == websocket.TextMessage && strings.HasPrefix(s, prefix):
			return s
		case kind == websocket.TextMessage && s == "2":
			write(t, conn, websocket.TextMessage, "3")
		}
	}
}

// write writes one frame.
func write(t *testing.T, conn *websocket.Conn, kind int, data string) {
	t.Helper()
	_ = conn.SetWriteDeadline(time.Now().Add(failAfter))
	if err := conn.WriteMessage(kind, []byte(data)); err != nil {
		t.Fatalf("write %.40q: %v", data, err)
	}
}

// readUntilClosed reads until the connection ends and returns the error.
func readUntilClosed(t *testing.T, conn *websocket.Conn) error {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(failAfter))
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			return err
		}
	}
}

// socketSID returns the Socket.IO sid of a CONNECT answer `40{"sid":...}`.
func socketSID(t *testing.T, packet string) string {
	t.Helper()
	var d struct{ SID string }
	if !strings.HasPrefix(packet, "40{") || json.Unmarshal([]byte(packet[2:]), &d) != nil || d.SID == "" {
		t.Fatalf("%q is no CONNECT answer", packet)
	}
	return d.SID
}
