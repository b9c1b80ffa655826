package loadtest

import (
	"context"
	"testing"
	"time"

	"signalbox/signaling"
)

func TestPayloadRoundTrip(t *testing.T) {
	st := stamp{Room: "abc-w1-p7", Sender: 1, Seq: 123456, SentAt: 1_700_000_000_123_456_789}
	for _, size := range []int{0, 100, DefaultPayloadSize, 4096} {
		b := appendPayload(nil, st, size)
		if size >= 200 && len(b) != size {
			t.Errorf("payload size %d, want %d", len(b), size)
		}
		got, err := parsePayload(append([]byte(`42["message",`), append(b, ']')...))
		if err != nil || got != st {
			t.Errorf("parsePayload(size %d) = %+v, %v; want %+v", size, got, err, st)
		}
	}
	for _, bad := range []string{``, `{"lt":"r"}`, `{"lt":"r","f":x}`, `{"lt":"r","f":1,"s":2}`} {
		if _, err := parsePayload([]byte(bad)); err == nil {
			t.Errorf("parsePayload(%q) succeeded", bad)
		}
	}
}

// TestRelayScenario runs the relay scenario over both protocols against
// the real server: the load tool itself must count every payload.
func TestRelayScenario(t *testing.T) {
	for _, proto := range []string{"native", "socketio"} {
		t.Run(proto, func(t *testing.T) {
			ts := startServer(t, signaling.Config{})
			rep, err := RunScenario(context.Background(), Options{
				Plan:     Plan{Protocol: proto, Addr: ts.addr, Pairs: 10},
				Scenario: ScenarioRelay, Rate: 20, Duration: time.Second, Settle: time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			s := rep.Steps[0].Sample
			if s.Sent != 2*10*20 || s.Received != s.Sent || s.Lost != 0 || s.WrongRoom != 0 || s.OutOfOrder != 0 {
				t.Errorf("relay counts = %+v, want %d sent and all received in order", s.Counts, 2*10*20)
			}
			if rep.Setup.Sample.Conns != 20 || s.Relay.Count() != int64(s.Received) {
				t.Errorf("setup conns %d, relay samples %d", rep.Setup.Sample.Conns, s.Relay.Count())
			}
		})
	}
}

// TestRelayOverTLS runs the relay over wss://, as LAN devices connect.
func TestRelayOverTLS(t *testing.T) {
	ts := startTLSServer(t, signaling.Config{})
	rep, err := RunScenario(context.Background(), Options{
		Plan:     Plan{Protocol: "socketio", Addr: ts.addr, TLS: true, Pairs: 3},
		Scenario: ScenarioRelay, Rate: 20, Duration: 500 * time.Millisecond, Settle: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Steps[0].Sample; s.Sent == 0 || s.Received != s.Sent || s.Lost != 0 {
		t.Errorf("relay over TLS: %+v, want every payload received", s.Counts)
	}
	// The same server also speaks plain HTTP on its port, so show the TLS
	// is real: a plain-only server cannot be reached with it.
	plain := startServer(t, signaling.Config{})
	_, err = RunScenario(context.Background(), Options{
		Plan:     Plan{Protocol: "socketio", Addr: plain.addr, TLS: true, Pairs: 1},
		Scenario: ScenarioRelay, Rate: 20, Duration: 100 * time.Millisecond, Settle: time.Millisecond,
	})
	if err == nil {
		t.Error("a TLS run against a plain-HTTP server succeeded")
	}
}

func TestHistMergesAndTravels(t *testing.T) {
	a, b := NewHist(), NewHist()
	for i := 1; i <= 100; i++ {
		a.Record(time.Duration(i) * time.Millisecond)
	}
	b.Record(time.Second)
	raw, err := a.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	c := NewHist()
	if err := c.UnmarshalJSON(raw); err != nil {
		t.Fatal(err)
	}
	c.Merge(b)
	if c.Count() != 101 || c.Max() < 999*time.Millisecond || c.Quantile(50) < 49*time.Millisecond || c.Quantile(50) > 52*time.Millisecond {
		t.Errorf("merged: count %d, max %v, p50 %v", c.Count(), c.Max(), c.Quantile(50))
	}
}
