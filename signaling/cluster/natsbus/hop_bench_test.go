package natsbus

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"signalbox/internal/steal"
	"signalbox/signaling"
)

// The latency the cluster hop adds to a relay, measured in one process
// with an in-process nats-server: no other process is scheduled in
// between, so what these print is what our code and NATS add, not what a
// busy machine adds to three processes' wake-ups (scripts/bench-cluster.sh
// measures that whole path).
//
//	go test -run '^$' -bench Hop -benchtime 10000x ./signaling/cluster/natsbus/
//
// Each prints p50 and p99 of the one-way latency in µs, sent at hopRate
// messages per second in total, and the generator's lag p99 (how late the
// sender was: on a busy machine it bounds what the other figures mean).

const (
	hopRate  = 5000 // messages per second, in total
	hopPairs = 50   // senders (and receivers) sharing that rate
)

// BenchmarkRelayHop relays signals between WebSocket peers of one room,
// both on one server ("one-server") and split over two servers of the
// cluster ("split"): the difference is the hop.
func BenchmarkRelayHop(b *testing.B) {
	e := startNATS(b, "127.0.0.1:0", b.TempDir())
	b.Cleanup(e.Shutdown)
	cfg := signaling.Config{Rate: 1e6, Burst: 1e6, OutboxSize: 4096}
	a, c := startNode(b, e.ClientURL(), cfg), startNode(b, e.ClientURL(), cfg)
	logLoad(b)
	var round atomic.Int64
	for _, tc := range []struct {
		name string
		to   *node
	}{{"one-server", a}, {"split", c}} {
		b.Run(tc.name, func(b *testing.B) {
			senders, receivers := make([]*client, hopPairs), make([]*client, hopPairs)
			r := round.Add(1)
			for i := range hopPairs {
				room := fmt.Sprintf("hop-%d-%d", r, i)
				receivers[i] = dial(b, tc.to)
				receivers[i].Join(room)
				senders[i] = dial(b, a)
				senders[i].Join(room)
				receivers[i].Expect("peer-joined")
			}
			lat := newLatencies(b.N)
			var wg sync.WaitGroup
			for _, rc := range receivers {
				wg.Go(func() {
					for lat.more() {
						_ = rc.WS.SetReadDeadline(time.Now().Add(readTimeout))
						_, msg, err := rc.WS.ReadMessage()
						if err != nil {
							return
						}
						now := time.Now().UnixNano()
						var f struct {
							Type string `json:"type"`
							Data struct {
								T int64 `json:"t"`
							} `json:"data"`
						}
						if json.Unmarshal(msg, &f) == nil && f.Type == "signal" {
							lat.add(f.Data.T, now)
						}
					}
				})
			}
			frames := make([][]byte, hopPairs)
			b.ResetTimer()
			lag := pace(b.N, func(i int) {
				s := senders[i%hopPairs]
				frames[i%hopPairs] = fmt.Appendf(frames[i%hopPairs][:0],
					`{"type":"signal","to":%q,"data":{"t":%d}}`, receivers[i%hopPairs].ID, time.Now().UnixNano())
				if err := s.WS.WriteMessage(1, frames[i%hopPairs]); err != nil {
					b.Fatal(err)
				}
			})
			lat.wait(b)
			b.StopTimer()
			for _, rc := range receivers {
				rc.WS.Close()
			}
			for _, s := range senders {
				s.WS.Close()
			}
			wg.Wait()
			lat.report(b, lag)
		})
	}
}

// BenchmarkBusHop is the hop alone: Bus.Send on one server to the Deliver
// of another's hub, through NATS over loopback TCP ("tcp") or in memory,
// as a Signalbox reaches the nats-server it embeds ("in-process").
func BenchmarkBusHop(b *testing.B) {
	e := startNATS(b, "127.0.0.1:0", b.TempDir())
	b.Cleanup(e.Shutdown)
	logLoad(b)
	b.Run("tcp", func(b *testing.B) {
		cfg := Config{URL: e.ClientURL(), ClusterID: "hop"}
		busHop(b, cfg, cfg)
	})
	b.Run("in-process", func(b *testing.B) {
		cfg := Config{URL: e.ClientURL(), ClusterID: "hop", Embedded: e}
		busHop(b, cfg, cfg)
	})
	// Two servers in embedded mode: each bus on its own nats-server, the
	// two joined by a route (the two-laptop setup).
	embs := startEmbeddedCluster(b, 2)
	b.Run("routed-tcp", func(b *testing.B) {
		busHop(b, Config{URL: embs[0].ClientURL(), ClusterID: "hop"}, Config{URL: embs[1].ClientURL(), ClusterID: "hop"})
	})
	b.Run("routed-in-process", func(b *testing.B) {
		busHop(b, Config{URL: embs[0].ClientURL(), ClusterID: "hop", Embedded: embs[0]},
			Config{URL: embs[1].ClientURL(), ClusterID: "hop", Embedded: embs[1]})
	})
}

func busHop(b *testing.B, fromCfg, toCfg Config) {
	rec := &recorder{}
	from, err := New(fromCfg, &recorder{}, quietLog())
	if err != nil {
		b.Fatal(err)
	}
	to, err := New(toCfg, rec, quietLog())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = from.Close(ctx)
		_ = to.Close(ctx)
	})
	if err := to.nc.Flush(); err != nil { // its subscriptions are in place
		b.Fatal(err)
	}
	// Over a route, interest reaches the other server a little later: send
	// probes (t 0, not recorded) until one arrives.
	for deadline := time.Now().Add(readTimeout); rec.seen.Load() == 0; {
		if time.Now().After(deadline) {
			b.Fatal("no relay arrives")
		}
		_ = from.Send(to.Self(), signaling.Delivery{Room: "r", Kind: signaling.KindSignal, Data: []byte(`{"t":0}`)})
		time.Sleep(10 * time.Millisecond)
	}
	b.ResetTimer()
	rec.lat.Store(newLatencies(b.N))
	lag := pace(b.N, func(i int) {
		d := signaling.Delivery{Room: "r", Kind: signaling.KindSignal, From: signaling.PeerInfo{ID: "a", Name: "A"}, To: "b",
			Data: fmt.Appendf(nil, `{"t":%d}`, time.Now().UnixNano())}
		if err := from.Send(to.Self(), d); err != nil {
			b.Fatal(err)
		}
	})
	l := rec.lat.Load()
	l.wait(b)
	b.StopTimer()
	l.report(b, lag)
}

// recorder is a Hub that records the latency of each Delivery.
type recorder struct {
	lat  atomic.Pointer[latencies]
	seen atomic.Int64
}

func (*recorder) ApplyRoom(signaling.RoomState) {}

func (r *recorder) Deliver(d signaling.Delivery) {
	now := time.Now().UnixNano()
	r.seen.Add(1)
	var v struct {
		T int64 `json:"t"`
	}
	if l := r.lat.Load(); l != nil && json.Unmarshal(d.Data, &v) == nil && v.T != 0 {
		l.add(v.T, now)
	}
}

// pace calls send(i) for i in [0, n) at hopRate per second, on schedule
// (a late call is not made up for by the next ones), and returns how late
// each call was, in ns.
func pace(n int, send func(i int)) []int64 {
	interval := time.Second / hopRate
	start := time.Now()
	lag := make([]int64, 0, n)
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		lag = append(lag, int64(time.Since(due)))
		send(i)
	}
	return lag
}

// latencies collects n one-way latencies, in ns, with when each was sent
// and received, and the steal timeline over them (internal/steal).
type latencies struct {
	mu    sync.Mutex
	n     int
	ns    []int64
	spans [][2]int64 // sent, received: Unix ns
	done  chan struct{}
	steal *steal.Recorder // nil where steal cannot be read
}

func newLatencies(n int) *latencies {
	rec, _ := steal.Start()
	return &latencies{n: n, ns: make([]int64, 0, n), spans: make([][2]int64, 0, n), done: make(chan struct{}), steal: rec}
}

func (l *latencies) add(sent, received int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ns) < l.n {
		l.ns = append(l.ns, received-sent)
		l.spans = append(l.spans, [2]int64{sent, received})
		if len(l.ns) == l.n {
			close(l.done)
		}
	}
}

func (l *latencies) more() bool {
	select {
	case <-l.done:
		return false
	default:
		return true
	}
}

func (l *latencies) wait(b *testing.B) {
	select {
	case <-l.done:
	case <-time.After(readTimeout):
		l.mu.Lock()
		defer l.mu.Unlock()
		b.Fatalf("%d of %d messages arrived", len(l.ns), l.n)
	}
}

func (l *latencies) report(b *testing.B, lag []int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b.ReportMetric(quantile(l.ns, 0.50)/1e3, "p50-µs")
	b.ReportMetric(quantile(l.ns, 0.99)/1e3, "p99-µs")
	b.ReportMetric(quantile(lag, 0.99)/1e3, "lag-p99-µs")
	if l.steal == nil {
		return
	}
	// The tail over the messages that crossed no window in which the
	// hypervisor stole processor time: what the hop adds when the machine
	// is ours (0 when too few were).
	tl := l.steal.Stop()
	var quiet []int64
	for _, sp := range l.spans {
		if tl.Quiet(time.Unix(0, sp[0]), time.Unix(0, sp[1])) {
			quiet = append(quiet, sp[1]-sp[0])
		}
	}
	if len(quiet) < steal.MinSamples {
		quiet = nil
	}
	b.ReportMetric(quantile(quiet, 0.99)/1e3, "p99-steal-free-µs")
	b.ReportMetric(100*tl.Share(), "steal-windows-%")
}

// quantile is the q-quantile of xs (which it sorts).
func quantile(xs []int64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return float64(xs[min(len(xs)-1, int(q*float64(len(xs))))])
}

// logLoad logs the machine's load average: these figures mean little on a
// busy machine.
func logLoad(b *testing.B) {
	if s, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average: %s", strings.Join(strings.Fields(string(s))[:3], " "))
	}
}

// BenchmarkRawNATSHop is the floor under BusHop: a bare nats.go publish
// to a bare subscription on another connection, nothing of ours.
func BenchmarkRawNATSHop(b *testing.B) {
	e := startNATS(b, "127.0.0.1:0", b.TempDir())
	b.Cleanup(e.Shutdown)
	logLoad(b)
	pub, err := nats.Connect(e.ClientURL())
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()
	sub, err := nats.Connect(e.ClientURL())
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	var lat atomic.Pointer[latencies]
	if _, err := sub.Subscribe("x", func(m *nats.Msg) {
		now := time.Now().UnixNano()
		var v struct {
			T int64 `json:"t"`
		}
		if l := lat.Load(); l != nil && json.Unmarshal(m.Data, &v) == nil {
			l.add(v.T, now)
		}
	}); err != nil {
		b.Fatal(err)
	}
	if err := sub.Flush(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	lat.Store(newLatencies(b.N))
	lag := pace(b.N, func(i int) {
		if err := pub.Publish("x", fmt.Appendf(nil, `{"t":%d}`, time.Now().UnixNano())); err != nil {
			b.Fatal(err)
		}
	})
	l := lat.Load()
	l.wait(b)
	b.StopTimer()
	l.report(b, lag)
}
