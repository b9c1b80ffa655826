package native

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/signaling"
	"signalbox/signaling/transport"
)

// benchFrame is a relayed frame of about 370 bytes: a trickled ICE
// candidate, the commonest signalling message.
func benchFrame(to string) []byte {
	pad := strings.Repeat("a", 160)
	return []byte(`{"type":"signal","to":"` + to + `","data":{"candidate":{"candidate":"candidate:842163049 1 udp 1677729535 192.168.1.23 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag ` + pad + `","sdpMid":"0","sdpMLineIndex":0}}}`)
}

// nopLink is a Link for peers whose outbox the benchmark empties itself.
type nopLink struct{}

func (nopLink) Wake()                    {}
func (nopLink) Close(r signaling.Reason) {}

// BenchmarkRelay measures the server's work for one relayed message,
// without sockets: decode the client's frame, relay it through the hub,
// take it from the recipient's outbox and encode the recipient's frame.
func BenchmarkRelay(b *testing.B) {
	hub, err := signaling.New(signaling.Config{Rate: 1e9, Burst: 1e9}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	a, _ := hub.Connect(signaling.ConnInfo{}, nopLink{})
	c, _ := hub.Connect(signaling.ConnInfo{}, nopLink{})
	if hub.Join(a, "r", "Ana") != nil || hub.Join(c, "r", "Ben") != nil {
		b.Fatal("join failed")
	}
	in := benchFrame(c.ID())
	batch := make([]signaling.Entry, 0, transport.DefaultBatch)
	var out []byte
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		req, err := decodeRequest(in)
		if err != nil {
			b.Fatal(err)
		}
		if err := hub.Signal(a, req.To, req.Data); err != nil {
			b.Fatal(err)
		}
		batch = c.Take(nopLink{}, batch[:0])
		for _, e := range batch {
			out = appendFrame(out[:0], e)
		}
	}
}

// benchWindow is how many relayed messages may be in flight at once in
// BenchmarkRelayWebSocket: enough to keep the pipeline full, well under
// the outbox bound.
const benchWindow = 256

// BenchmarkRelayWebSocket measures one relayed message end to end over
// loopback WebSockets: a client sends signals as fast as the server takes
// them and the other client reads them.
func BenchmarkRelayWebSocket(b *testing.B) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	hub, err := signaling.New(signaling.Config{Rate: 1e9, Burst: 1e9, OutboxSize: 4096}, log)
	if err != nil {
		b.Fatal(err)
	}
	srv := NewServer(hub, Config{Version: "bench"}, log)
	ts := &testServer{hub: hub, srv: srv}
	hs := newHTTPTest(srv)
	defer func() { hub.Shutdown(); srv.Wait(); hs.Close() }()
	ts.url = "ws" + strings.TrimPrefix(hs.URL, "http")
	dialB := func() (*websocket.Conn, map[string]any) {
		ws, _, err := websocket.DefaultDialer.Dial(ts.url, nil)
		if err != nil {
			b.Fatal(err)
		}
		var f map[string]any
		if err := ws.ReadJSON(&f); err != nil {
			b.Fatal(err)
		}
		return ws, f
	}
	sender, _ := dialB()
	recv, w := dialB()
	defer sender.Close()
	defer recv.Close()
	recvID := w["peer"].(map[string]any)["id"].(string)
	for _, ws := range []*websocket.Conn{sender, recv} {
		if err := ws.WriteJSON(map[string]string{"type": "join", "room": "r"}); err != nil {
			b.Fatal(err)
		}
	}
	// The sender sees joined and peer-joined or only joined; the
	// receiver sees joined: only the receiver's frames matter below.
	var f map[string]any
	for f["type"] != "joined" {
		if err := recv.ReadJSON(&f); err != nil {
			b.Fatal(err)
		}
	}
	in := benchFrame(recvID)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	errc := make(chan error, 1)
	window := make(chan struct{}, benchWindow) // keeps the receiver's outbox under its bound
	go func() {
		for range b.N {
			window <- struct{}{}
			if err := sender.WriteMessage(websocket.TextMessage, in); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	for got := 0; got < b.N; {
		_, msg, err := recv.ReadMessage()
		if err != nil {
			b.Fatal(err)
		}
		if strings.Contains(string(msg[:min(len(msg), 40)]), `"signal"`) {
			got++
			<-window
		}
	}
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
}

func newHTTPTest(srv *Server) *httptest.Server { return httptest.NewServer(srv) }

// BenchmarkIdleSeatHeap is what an idle, seated browser costs the heap
// after its heartbeats: 200 seats, each in its own room, ping 100 times (a
// browser pings every 10 s: 17 minutes of a quiet lesson) and the heap is
// read before and after, collected. A pong kept for a resume to replay
// would cost about a history's worth (64 pongs) per seat; nothing is the
// goal (docs/benchmarks.md, "Idle seats and their heartbeats").
//
//	go test -run '^$' -bench IdleSeatHeap -benchtime 1x ./signaling/native/
func BenchmarkIdleSeatHeap(b *testing.B) {
	const seats, pings = 200, 100
	for range b.N {
		time.Sleep(300 * time.Millisecond) // what an earlier run left ends first
		liveHeap()
		ts := startServer(b, signaling.Config{})
		clients := make([]*client, seats)
		for i := range clients {
			clients[i] = dial(b, ts)
			clients[i].Join(fmt.Sprintf("r%d", i))
		}
		before := liveHeap()
		for _, c := range clients {
			for range pings {
				c.Send(frame{"type": "ping"})
				c.Expect("pong")
			}
		}
		after := liveHeap()
		b.ReportMetric(float64(int64(after)-int64(before))/seats, "heap-B/seat")
		ts.hub.Shutdown() // before the clients close: no seat waits out a grace
		ts.srv.Wait()
		ts.http.Close()
		for _, c := range clients {
			c.WS.Close()
		}
	}
}

// liveHeap is the heap's live bytes after two collections.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
