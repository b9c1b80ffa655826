package natsbus

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/internal/testwait"
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

type client struct {
	t     testing.TB
	ws    *websocket.Conn
	id    string
	token string
	seq   float64
}

type frame map[string]any

func (f frame) str(key string) string { s, _ := f[key].(string); return s }

func dial(t testing.TB, n *node) *client {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(n.url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	c := &client{t: t, ws: ws}
	w := c.read()
	if w.str("type") != "welcome" {
		t.Fatalf("first frame = %v, want welcome", w)
	}
	c.id = w["peer"].(map[string]any)["id"].(string)
	return c
}

func (c *client) send(v any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *client) read() frame {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(readTimeout))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		c.t.Fatalf("frame %s: %v", b, err)
	}
	if s, ok := f["seq"].(float64); ok {
		c.seq = s
	}
	return f
}

// expect reads the next frame and fails unless it has type typ.
func (c *client) expect(typ string) frame {
	c.t.Helper()
	f := c.read()
	if f.str("type") != typ {
		c.t.Fatalf("got %v, want a %q frame", f, typ)
	}
	return f
}

func (c *client) join(room string) frame {
	c.t.Helper()
	c.send(map[string]any{"type": "join", "room": room})
	f := c.expect("joined")
	c.token = f.str("token")
	return f
}

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
