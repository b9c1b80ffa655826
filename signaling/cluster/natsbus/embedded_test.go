package natsbus

import (
	"fmt"
	"net"
	"testing"

	"signalbox/internal/testwait"
	"signalbox/signaling"
)

// Three Signalbox servers, each with its own embedded nats-server, form
// one NATS cluster over routes and share rooms.
func TestEmbeddedServersFormACluster(t *testing.T) {
	// Every node lists every route, as the docs say to (its own is ignored).
	var addrs, routes []string
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, ln.Addr().String())
		routes = append(routes, "nats-route://"+ln.Addr().String())
		ln.Close()
	}
	var embs []*Embedded
	for i := range 3 {
		e, err := StartEmbedded(EmbeddedConfig{
			Name: fmt.Sprintf("sb-%d", i), Listen: "127.0.0.1:0", ClusterListen: addrs[i],
			Routes: routes, ClusterName: "test", StoreDir: t.TempDir(),
		}, quietLog())
		if err != nil {
			t.Fatal(err)
		}
		embs = append(embs, e)
	}
	t.Cleanup(func() {
		for _, e := range embs {
			e.Shutdown()
		}
	})
	var ns []*node
	for _, e := range embs {
		// As the app does: each server reaches its own NATS in memory.
		n := startNodeBus(t, Config{URL: e.ClientURL(), Embedded: e}, signaling.Config{})
		testwait.Until(t, "the server joins the cluster", 3*readTimeout, func() bool { return n.bus.Status().Ready })
		ns = append(ns, n)
	}
	a, b, c := dial(t, ns[0]), dial(t, ns[1]), dial(t, ns[2])
	a.Join("math")
	b.Join("math")
	a.Expect("peer-joined")
	c.Send(frame{"type": "join", "room": "math"})
	if e := c.Expect("error"); e.Str("code") != "room-full" {
		t.Errorf("third join = %v, want room-full", e)
	}
	b.Send(frame{"type": "signal", "to": a.ID, "data": "over the route"})
	if s := a.Expect("signal"); s["data"] != "over the route" {
		t.Errorf("a got %v", s)
	}
}
