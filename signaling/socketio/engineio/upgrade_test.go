package engineio

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// probe opens a WebSocket for session s and exchanges the probe.
func (h *harness) probe(s *Session) *websocket.Conn {
	h.t.Helper()
	conn := h.mustDial("transport=websocket&sid=" + s.ID())
	writeText(h.t, conn, "2probe")
	if got := readText(h.t, conn); got != "3probe" {
		h.t.Fatalf("probe answer %q, want 3probe", got)
	}
	return conn
}

// The upgrade as the protocol's test suite runs it.
func TestUpgrade(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(true))
	_, s := h.openPolling()
	conn := h.probe(s)
	if res := h.get(s.ID()); res.status != http.StatusOK || res.body != "6" {
		t.Errorf("poll during upgrade = %d %q, want 200 \"6\" (noop)", res.status, res.body)
	}
	writeText(t, conn, "5")
	writeText(t, conn, "4hello")
	if got := readText(t, conn); got != "4hello" {
		t.Errorf("echo over the upgraded WebSocket = %q", got)
	}
	if tr := s.Transport(); tr != TransportWebSocket {
		t.Errorf("Transport() = %q after upgrade, want websocket", tr)
	}

	// Polling with the same sid is now refused, without closing the session.
	wantError(t, "GET after upgrade", h.get(s.ID()), http.StatusBadRequest, codeBadRequest)
	wantError(t, "POST after upgrade", h.post(s.ID(), "4x"), http.StatusBadRequest, codeBadRequest)
	// A second WebSocket is accepted, then closed at once.
	h.wantRefusedWebSocket(s, "second WebSocket for an upgraded session")

	writeText(t, conn, "4still here")
	if got := readText(t, conn); got != "4still here" {
		t.Errorf("echo after refused requests = %q", got)
	}
}

func TestUpgradeEndsPendingPoll(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(false))
	_, s := h.openPolling()
	pending := h.getAsync(context.Background(), s.ID())
	h.awaitParked(s)
	conn := h.probe(s)
	if res := recv(t, pending); res.status != http.StatusOK || res.body != "6" {
		t.Errorf("pending poll = %d %q, want 200 \"6\" (noop)", res.status, res.body)
	}
	writeText(t, conn, "5")
	if err := s.Send("over ws"); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, conn); got != "4over ws" {
		t.Errorf("frame = %q, want 4over ws", got)
	}
}

func TestUpgradeCarriesQueue(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(false))
	_, s := h.openPolling()
	for _, m := range []string{"m1", "m2"} {
		if err := s.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	conn := h.probe(s)
	writeText(t, conn, "5")
	if err := s.Send("m3"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"4m1", "4m2", "4m3"} {
		if got := readText(t, conn); got != want {
			t.Errorf("frame = %q, want %q", got, want)
		}
	}
}

// While the server sends a stream of messages, the client polls, probes,
// ends polling and upgrades, as socket.io-client does. Every message must
// arrive once, in order, over polling then the WebSocket.
func TestUpgradeOrderUnderLoad(t *testing.T) {
	const perPhase, phases = 60, 3
	h := newHarness(t, Config{}, newRecorder(false))
	_, s := h.openPolling()

	// The sender sends one phase of messages each time it is told to.
	next := make(chan struct{})
	sendErr := make(chan error, 1)
	go func() {
		i := 0
		for range phases {
			<-next
			for range perPhase {
				if err := s.Send(strconv.Itoa(i)); err != nil {
					sendErr <- err
					return
				}
				i++
			}
		}
		sendErr <- nil
	}()

	// The poller polls until stopped and keeps what it got.
	var stop atomic.Bool
	polled := make(chan []string, 1)
	firstPoll := make(chan struct{})
	go func() {
		var got []string
		for first := true; !stop.Load(); first = false {
			res, err := h.do(context.Background(), http.MethodGet, "transport=polling&sid="+s.ID(), "", nil)
			if err != nil || res.status != http.StatusOK {
				got = append(got, fmt.Sprintf("poll failed: %v %d %q", err, res.status, res.body))
				break
			}
			got = append(got, messages(res.body)...)
			if first {
				close(firstPoll)
			}
		}
		polled <- got
	}()

	next <- struct{}{} // phase 1: over polling
	recv(t, firstPoll)
	conn := h.probe(s)
	next <- struct{}{} // phase 2: during the upgrade
	stop.Store(true)
	got := recv(t, polled)
	if len(got) == 0 || len(got) > 2*perPhase {
		t.Fatalf("polling carried %d messages, want 1 to %d", len(got), 2*perPhase)
	}
	t.Logf("%d messages over polling, %d over the WebSocket", len(got), perPhase*phases-len(got))
	writeText(t, conn, "5")
	next <- struct{}{} // phase 3: around the switch
	if err := recv(t, sendErr); err != nil {
		t.Fatalf("Send: %v", err)
	}
	for len(got) < perPhase*phases {
		frame := readText(t, conn)
		got = append(got, messages(frame)...)
	}
	for i, m := range got {
		if m != strconv.Itoa(i) {
			t.Fatalf("message %d is %q; got %q", i, m, got)
		}
	}
	if s.Transport() != TransportWebSocket {
		t.Errorf("Transport() = %q, want websocket", s.Transport())
	}
}

// messages returns the data of the message packets in a payload, skipping
// noops and pings.
func messages(payload string) []string {
	var out []string
	for _, p := range strings.Split(payload, recordSeparator) {
		if strings.HasPrefix(p, "4") {
			out = append(out, p[1:])
		}
	}
	return out
}

func TestUpgradeAbortedKeepsPolling(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		frame string // sent after the probe; "" sends no probe at all and lets the upgrade time out
	}{
		{"message before upgrade", Config{}, "4too early"},
		{"close before upgrade", Config{}, "1"},
		{"garbage before upgrade", Config{}, "xyz"},
		{"upgrade timeout", Config{UpgradeTimeout: 20 * time.Millisecond}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.cfg, newRecorder(true))
			_, s := h.openPolling()
			var conn *websocket.Conn
			if tc.frame == "" {
				conn = h.mustDial("transport=websocket&sid=" + s.ID())
			} else {
				conn = h.probe(s)
				writeText(t, conn, tc.frame)
			}
			if err := readUntilError(t, conn); err == nil {
				t.Fatal("probing WebSocket still open")
			}
			// The session carries on over polling...
			if res := h.post(s.ID(), "4on polling"); res.status != http.StatusOK {
				t.Fatalf("POST after failed upgrade = %d %q", res.status, res.body)
			}
			if res := h.get(s.ID()); res.body != "4on polling" {
				t.Errorf("GET after failed upgrade = %d %q", res.status, res.body)
			}
			if s.Transport() != TransportPolling {
				t.Errorf("Transport() = %q, want polling", s.Transport())
			}
			// ... and may upgrade again, if quick enough.
			if tc.frame == "" {
				return
			}
			conn = h.probe(s)
			writeText(t, conn, "5")
			writeText(t, conn, "4upgraded")
			if got := readText(t, conn); got != "4upgraded" {
				t.Errorf("echo after second upgrade = %q", got)
			}
		})
	}
}

func TestSecondProbeRefused(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(false))
	_, s := h.openPolling()
	conn := h.probe(s)
	h.wantRefusedWebSocket(s, "second WebSocket during an upgrade")
	// The first one carries on with the upgrade.
	writeText(t, conn, "5")
	writeText(t, conn, "4after")
	h.wantMessage("after")
}

// wantRefusedWebSocket opens a WebSocket for s and checks that the server
// completes the handshake (101), as the reference server does, and then
// closes it with an empty close frame, sending nothing else.
func (h *harness) wantRefusedWebSocket(s *Session, what string) {
	h.t.Helper()
	c, res, err := h.dial("transport=websocket&sid="+s.ID(), nil)
	if err != nil {
		h.t.Fatalf("%s: %v (status %v), want the handshake to complete", what, err, res)
	}
	defer c.Close()
	if err := readUntilError(h.t, c); !websocket.IsCloseError(err, websocket.CloseNoStatusReceived) {
		h.t.Errorf("%s: ended with %v, want an empty close frame", what, err)
	}
}

// wantMessage waits for the next Handler.Message and checks its data.
func (h *harness) wantMessage(data string) {
	h.t.Helper()
	if ev := recv(h.t, h.rec.messages); ev.data != data || ev.binary {
		h.t.Errorf("Handler got %q (binary %v), want text %q", ev.data, ev.binary, data)
	}
}

func TestCloseDuringUpgrade(t *testing.T) {
	h := newHarness(t, Config{}, newRecorder(false))
	_, s := h.openPolling()
	conn := h.probe(s)
	s.Close()
	if err := readUntilError(t, conn); err == nil {
		t.Fatal("probing WebSocket still open")
	}
	if res := h.get(s.ID()); res.body != "1" {
		t.Errorf("poll after Close = %d %q, want \"1\"", res.status, res.body)
	}
	h.wantClosed(s, ReasonForcedClose)
}
