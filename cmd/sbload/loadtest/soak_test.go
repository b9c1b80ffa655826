package loadtest

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"signalbox/signaling"
)

// Churn soak lengths: the CI form, the -short form, and the variable that
// sets any other (the documented long form is SIGNALBOX_SOAK=10m).
const (
	soakDefault = 30 * time.Second
	soakShort   = 3 * time.Second
	soakEnv     = "SIGNALBOX_SOAK"
)

// Slack for "back to baseline" after the soak: the runtime keeps a few
// goroutines and some heap of its own (pools, the poller).
const (
	soakGoroutineSlack = 8
	soakHeapSlack      = 8 << 20
	soakRSSSlack       = 32 << 20
)

// TestChurnSoak has peers join, signal and leave continuously over both
// protocols, then checks that nothing was lost or crossed rooms and that
// the server's goroutines, heap and RSS are back to where they were.
func TestChurnSoak(t *testing.T) {
	d := soakDefault
	if testing.Short() {
		d = soakShort
	}
	if v := os.Getenv(soakEnv); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			t.Fatalf("%s=%q: %v", soakEnv, v, err)
		}
	}
	ts := startServer(t, signaling.Config{})
	ctx := context.Background()
	churn := func(proto string, d time.Duration) *Sample {
		rep, err := RunScenario(ctx, Options{
			Plan: Plan{Protocol: proto, Addr: ts.addr}, Scenario: ScenarioChurn,
			Duration: d, ChurnConcurrency: 8, Settle: time.Millisecond,
		})
		if err != nil {
			t.Fatalf("%s churn: %v", proto, err)
		}
		return rep.Steps[0].Sample
	}
	settled := func() bool { s := ts.hub.Stats(); return s.Peers == 0 && s.Rooms == 0 }
	churn("native", 200*time.Millisecond) // warm up pools and the poller
	churn("socketio", 200*time.Millisecond)
	eventually(t, "the warm-up peers are gone", settled)
	goroutines, heap, rss := measure(t)

	for _, proto := range []string{"native", "socketio"} {
		s := churn(proto, d/2)
		t.Logf("%s: %d cycles, %d payloads, join p99 %v, relay p99 %v", proto, s.Cycles, s.Received, s.Join.Quantile(99), s.Relay.Quantile(99))
		if s.Cycles == 0 || s.Lost != 0 || s.WrongRoom != 0 || s.OutOfOrder != 0 ||
			s.ConnectErrors != 0 || s.JoinErrors != 0 || s.SendErrors != 0 || s.Received != s.Sent {
			t.Errorf("%s churn: %+v", proto, s.Counts)
		}
	}

	eventually(t, "every churned peer is gone", settled)
	eventually(t, "goroutines are back to the baseline", func() bool {
		return runtime.NumGoroutine() <= goroutines+soakGoroutineSlack
	})
	g, h, r := measure(t)
	t.Logf("after: %d goroutines (baseline %d), heap %d KiB (%d), RSS %d KiB (%d)", g, goroutines, h>>10, heap>>10, r>>10, rss>>10)
	if h > heap+soakHeapSlack {
		t.Errorf("heap %d KiB after the soak, baseline %d KiB", h>>10, heap>>10)
	}
	if r > rss+soakRSSSlack && !raceEnabled {
		t.Errorf("RSS %d KiB after the soak, baseline %d KiB", r>>10, rss>>10)
	}
}

// measure returns this process's goroutines, live heap and RSS after a
// collection that returns free memory to the system.
func measure(t *testing.T) (goroutines int, heap, rss uint64) {
	t.Helper()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	p, err := ReadProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	return runtime.NumGoroutine(), m.HeapAlloc, uint64(p.RSSKiB) << 10
}
