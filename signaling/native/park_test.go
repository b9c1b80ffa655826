package native

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/internal/testwait"
	"signalbox/signaling"
)

// parked reports how many connections the server has parked, or -1 where
// connections never park.
func (ts *testServer) parked() int { return ts.srv.poller.Count() }

// eventually waits until cond holds (testwait.Until, within readTimeout).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, what, readTimeout, cond)
}

func TestIdleConnectionsParkAndWake(t *testing.T) {
	ts := startServer(t, signaling.Config{})
	if ts.parked() < 0 {
		t.Skip("no poller on this platform")
	}
	a, b := dial(t, ts), dial(t, ts)
	a.Join("r")
	bj := b.Join("r")
	a.Expect("peer-joined")
	eventually(t, "both connections are parked", func() bool { return ts.parked() == 2 })

	// A relay is served by the poller: the sender's frame is read and
	// routed, and the recipient written to, with no goroutine of theirs.
	bID := bj["self"].(map[string]any)["id"].(string)
	a.Send(frame{"type": "signal", "to": bID, "data": frame{"n": 1}})
	if got := b.Expect("signal"); got["data"].(map[string]any)["n"] != float64(1) {
		t.Errorf("signal = %v", got)
	}

	// A WebSocket ping to a parked connection is answered by the server.
	eventually(t, "both connections are parked again", func() bool { return ts.parked() == 2 })
	pong := make(chan string, 1)
	b.WS.SetPongHandler(func(s string) error { pong <- s; return nil })
	if err := b.WS.WriteControl(websocket.PingMessage, []byte("hi"), time.Now().Add(readTimeout)); err != nil {
		t.Fatal(err)
	}
	// The server handles b's frames in order: its answer to this request
	// comes after its answer to the ping, and reading it lets gorilla
	// see the pong.
	b.Send(frame{"type": "ping"})
	b.Expect("pong")
	select {
	case s := <-pong:
		if s != "hi" {
			t.Errorf("pong payload %q, want %q", s, "hi")
		}
	default:
		t.Error("parked connection did not answer a ping")
	}
}

func TestSilentParkedPeerTimesOut(t *testing.T) {
	ts := startServer(t, signaling.Config{
		PingInterval: 20 * time.Millisecond, PongTimeout: 80 * time.Millisecond, ResumeGrace: 20 * time.Millisecond,
	})
	a, silent := dial(t, ts), dial(t, ts)
	a.Join("r")
	silent.Join("r")
	a.Expect("peer-joined")
	// silent never reads again, so it answers no ping: half-open, as a
	// laptop whose lid closed. a keeps reading, so it answers.
	start := time.Now()
	a.Expect("peer-away")
	left := a.Expect("peer-left")
	if left.Str("reason") != string(signaling.ReasonTimedOut) {
		t.Errorf("peer-left = %v, want reason timed-out", left)
	}
	if d := time.Since(start); d > readTimeout {
		t.Errorf("silent peer removed after %v", d)
	}
	eventually(t, "the silent peer is gone", func() bool { return ts.hub.Stats().Peers == 1 })
}

func TestShutdownEndsParkedConnections(t *testing.T) {
	ts := startServer(t, signaling.Config{})
	if ts.parked() < 0 {
		t.Skip("no poller on this platform")
	}
	a := dial(t, ts)
	a.Join("r")
	eventually(t, "the connection is parked", func() bool { return ts.parked() == 1 })
	done := make(chan struct{})
	go func() {
		ts.hub.Shutdown()
		ts.srv.Wait()
		close(done)
	}()
	if code := a.ExpectClose(); code != websocket.CloseGoingAway {
		t.Errorf("close code %d, want %d", code, websocket.CloseGoingAway)
	}
	a.WS.Close()
	select {
	case <-done:
	case <-time.After(readTimeout):
		t.Fatal("Wait did not return after Shutdown with a parked connection")
	}
}
