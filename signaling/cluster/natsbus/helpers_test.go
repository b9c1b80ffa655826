package natsbus

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"signalbox/internal/testwait"
	"signalbox/internal/wstest"
	"signalbox/signaling"
	"signalbox/signaling/native"
	"signalbox/signaling/origin"
	"signalbox/signaling/socketio"
)

// readTimeout bounds every read: a frame that does not come fails the test.
const readTimeout = 10 * time.Second

// testGrace is the resume grace period (and dead-server time) in these
// tests; heartbeat is how often their servers say they are alive.
const (
	testGrace = 2 * time.Second
	heartbeat = 50 * time.Millisecond
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startNATS runs a nats-server with JetStream on a random loopback port.
func startNATS(t testing.TB, listen, dir string) *Embedded {
	t.Helper()
	e, err := StartEmbedded(EmbeddedConfig{Name: "test", Listen: listen, StoreDir: dir}, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// node is one Signalbox server of a test cluster.
type node struct {
	hub  *signaling.Hub
	bus  *Bus
	srv  *native.Server
	http *httptest.Server
	url  string
	dead bool
}

// startNode starts a server of the cluster and waits until it is ready.
func startNode(t testing.TB, natsURL string, cfg signaling.Config) *node {
	t.Helper()
	n := startNodeNoWait(t, natsURL, cfg)
	testwait.Until(t, "the server joins the cluster", 3*readTimeout, func() bool { return n.bus.Status().Ready })
	return n
}

func startNodeNoWait(t testing.TB, natsURL string, cfg signaling.Config) *node {
	t.Helper()
	return startNodeBus(t, Config{URL: natsURL}, cfg)
}

// startNodeBus starts a server of the cluster whose bus has the settings
// of bc (URL, Embedded); the test's own are added.
func startNodeBus(t testing.TB, bc Config, cfg signaling.Config) *node {
	t.Helper()
	if cfg.ResumeGrace == 0 {
		cfg.ResumeGrace = testGrace
	}
	log := quietLog()
	hub, err := signaling.New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	bc.ClusterID, bc.Heartbeat, bc.DeadAfter, bc.OpTimeout = "test", heartbeat, cfg.ResumeGrace, readTimeout
	bus, err := New(bc, hub, log)
	if err != nil {
		t.Fatal(err)
	}
	hub.AttachCluster(bus)
	srv := native.NewServer(hub, native.Config{Version: "test", Origins: origin.Policy{}}, log)
	sio, err := socketio.New(hub, socketio.Config{NoLogs: true, LANAddrs: func() []net.IP { return nil }}, log)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ws", srv)
	mux.Handle("/socket.io/", sio)
	hs := httptest.NewServer(mux)
	n := &node{hub: hub, bus: bus, srv: srv, http: hs, url: "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"}
	t.Cleanup(func() {
		if n.dead {
			return
		}
		hub.Shutdown()
		srv.Wait()
		sio.CloseAll()
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = bus.Close(ctx)
	})
	return n
}

// kill stops n the way SIGKILL would, as far as the others can tell: its
// NATS connection drops with nothing said, and its clients' connections
// break.
func (n *node) kill() {
	n.dead = true
	n.bus.cancel()
	n.bus.nc.Close()
	n.bus.done.Wait()
	n.http.CloseClientConnections()
	n.http.Close()
}

// client and frame are the shared test client of the protocol.
type (
	client = wstest.Client
	frame  = wstest.Frame
)

func dial(t testing.TB, n *node) *client { return wstest.Dial(t, n.url, readTimeout) }

// peerIDs lists the ids in f[key], an array of peers.
func peerIDs(f frame, key string) []string {
	var ids []string
	list, _ := f[key].([]any)
	for _, p := range list {
		ids = append(ids, p.(map[string]any)["id"].(string))
	}
	return ids
}

func peerOf(f frame) string {
	p, _ := f["peer"].(map[string]any)
	s, _ := p["id"].(string)
	return s
}

// link is a signaling.Link for peers driven straight through the hub.
type link struct{}

func (link) Wake()                  {}
func (link) Close(signaling.Reason) {}
