package loadtest

import (
	"context"
	"testing"
	"time"

	"signalbox/signaling"
	"signalbox/signaling/cluster/natsbus"
	"signalbox/signaling/httpserver"
)

func TestPlacement(t *testing.T) {
	w := &Worker{cfg: WorkerConfig{Addr: "a"}}
	if got := w.placement(3); got != [2]string{"a", "a"} {
		t.Errorf("one server: %v", got)
	}
	w.cfg.Addr2 = "b"
	if got := w.placement(0); got != [2]string{"a", "b"} {
		t.Errorf("split: %v", got)
	}
	w.cfg.Mixed = true
	want := [][2]string{{"a", "a"}, {"b", "b"}, {"a", "b"}, {"b", "a"}, {"a", "a"}}
	for i, wp := range want {
		if got := w.placement(i); got != wp {
			t.Errorf("mixed pair %d: %v, want %v", i, got, wp)
		}
	}
}

// TestMixedRelayAcrossCluster runs a Mixed relay over two servers of one
// cluster: half the pairs cross NATS, and the report keeps them apart.
func TestMixedRelayAcrossCluster(t *testing.T) {
	e, err := natsbus.StartEmbedded(natsbus.EmbeddedConfig{Name: "mixed", Listen: "127.0.0.1:0", StoreDir: t.TempDir()}, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	a, b := startClustered(t, e), startClustered(t, e)
	const pairs, rate = 8, 20
	rep, err := RunScenario(context.Background(), Options{
		Plan:     Plan{Protocol: "native", Addr: a.addr, Addr2: b.addr, Mixed: true, Pairs: pairs},
		Scenario: ScenarioRelay, Rate: rate, Duration: time.Second, Settle: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Steps[0].Sample
	if s.Sent != 2*pairs*rate || s.Received != s.Sent || s.WrongRoom != 0 || s.OutOfOrder != 0 {
		t.Errorf("relay counts = %+v, want %d sent and all received in order", s.Counts, 2*pairs*rate)
	}
	if s.Hop == nil {
		t.Fatal("a mixed run reported no hop sample")
	}
	local, split := s.Hop.Local.All.Count(), s.Hop.Split.All.Count()
	if local != split || local+split != s.Relay.Count() {
		t.Errorf("local %d + split %d payloads, want half each of %d", local, split, s.Relay.Count())
	}
	for _, h := range []*signaling.Hub{a.hub, b.hub} {
		if n := h.Snapshot().Stats.Relayed; n != s.Sent/2 {
			t.Errorf("a server relayed %d payloads, want half of %d: its peers send half", n, s.Sent)
		}
	}
}

// startClustered is startServer on a hub that shares rooms over e.
func startClustered(t *testing.T, e *natsbus.Embedded) *testServer {
	t.Helper()
	var bus *natsbus.Bus
	ts := startServerWith(t, httpserver.Config{Version: "test"}, func(hub *signaling.Hub) {
		var err error
		bus, err = natsbus.New(natsbus.Config{Embedded: e, ClusterID: "mixed", OpTimeout: waitFor}, hub, quietLog())
		if err != nil {
			t.Fatal(err)
		}
		hub.AttachCluster(bus)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			_ = bus.Close(ctx)
		})
	})
	eventually(t, "the server joins the cluster", func() bool { return bus.Status().Ready })
	return ts
}
