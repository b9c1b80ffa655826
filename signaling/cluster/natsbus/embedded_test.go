package natsbus

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"signalbox/internal/testwait"
	"signalbox/signaling"
)

// Three Signalbox servers, each with its own embedded nats-server, form
// one NATS cluster over routes and share rooms.
func TestEmbeddedServersFormACluster(t *testing.T) {
	embs := startEmbeddedCluster(t, 3)
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

// A nats-server that gives up (here: its port is taken) is reported with
// its own reason, not as a timeout.
func TestEmbeddedSaysWhyItCannotStart(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, err = StartEmbedded(EmbeddedConfig{Name: "late", Listen: taken.Addr().String(), StoreDir: t.TempDir()}, quietLog())
	if err == nil || !strings.Contains(err.Error(), "listening") {
		t.Errorf("StartEmbedded on a taken port = %v, want nats-server's listening error", err)
	}
}

// startEmbeddedCluster starts n embedded nats-servers routed to each
// other. Their ports are found free, closed, then bound by nats-server, so
// another process may take one in between: that start is tried again on
// fresh ports, a bounded number of times.
func startEmbeddedCluster(t testing.TB, n int) []*Embedded {
	var err error
	for range 3 {
		var embs []*Embedded
		if embs, err = tryEmbeddedCluster(t, n); err == nil {
			return embs
		}
		if !strings.Contains(err.Error(), "listening") {
			break
		}
		t.Logf("%v; again on other ports", err)
	}
	t.Fatal(err)
	return nil
}

func tryEmbeddedCluster(t testing.TB, n int) ([]*Embedded, error) {
	// Every node lists every route, as the docs say to (its own is ignored).
	addrs := freeAddrs(t, 2*n) // a client and a route address each
	var routes []string
	for _, a := range addrs[n:] {
		routes = append(routes, "nats-route://"+a)
	}
	var embs []*Embedded
	for i := range n {
		e, err := StartEmbedded(EmbeddedConfig{
			Name: fmt.Sprintf("sb-%d", i), Listen: addrs[i], ClusterListen: addrs[n+i],
			Routes: routes, ClusterName: "test", StoreDir: t.TempDir(),
		}, quietLog())
		if err != nil {
			for _, e := range embs {
				e.Shutdown()
			}
			return nil, err
		}
		embs = append(embs, e)
	}
	t.Cleanup(func() {
		for _, e := range embs {
			e.Shutdown()
		}
	})
	return embs, nil
}

// freeAddrs returns n loopback addresses that were free a moment ago, all
// held at once so that no two are the same.
func freeAddrs(t testing.TB, n int) []string {
	var addrs []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs
}
