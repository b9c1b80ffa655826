package loadtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"signalbox/internal/steal"
)

// Defaults for a Worker.
const (
	// DefaultConnectConcurrency is how many pairs a worker sets up at once:
	// enough to ramp thousands of connections in seconds without a
	// thundering herd that would only measure the listen backlog.
	DefaultConnectConcurrency = 32
	// DefaultDrain bounds how long a run waits, after the last send, for
	// payloads still in flight before it counts the rest as lost.
	DefaultDrain = 5 * time.Second
	// setupTimeout bounds the setup of one pair.
	setupTimeout = 30 * time.Second
	// drainPoll is how often a draining run checks its counters.
	drainPoll = 10 * time.Millisecond
)

// WorkerConfig describes one worker's share of a run.
type WorkerConfig struct {
	// Protocol is "native" or "socketio".
	Protocol string `json:"protocol"`
	// Addr is the server's host:port; LocalIP, when set, the source
	// address of this worker's connections.
	Addr    string `json:"addr"`
	LocalIP string `json:"localIP,omitempty"`
	// Addr2, when set, is where the second peer of every pair connects:
	// another server of a cluster, so every relay crosses the cluster.
	Addr2 string `json:"addr2,omitempty"`
	// Mixed, with Addr2, splits only every other pair over the two
	// servers and puts the rest on one (alternately Addr and Addr2), so
	// each server carries the same load and the hop's cost is read from
	// one phase: local and split pairs relay side by side (Sample.Hop).
	Mixed bool `json:"mixed,omitempty"`
	// TLS speaks wss:// (Target.TLS).
	TLS bool `json:"tls,omitempty"`
	// Index and RunID make this worker's room ids unique.
	Index int    `json:"index"`
	RunID string `json:"runID"`
	// Pairs is how many rooms of two this worker fills.
	Pairs int `json:"pairs"`
	// PayloadSize is the size of relayed payloads in bytes.
	PayloadSize int `json:"payloadSize"`
	// ConnectConcurrency is how many pairs are set up at once.
	ConnectConcurrency int `json:"connectConcurrency"`
	// ConnectRate, when not 0, paces the setup of this worker's pairs to
	// so many per second, so every server sees the same arrival rate
	// (otherwise a server that accepts faster gets a harsher ramp).
	ConnectRate float64 `json:"connectRate,omitempty"`
}

// Worker runs scenarios over its own connections. A pair of peers always
// lives in one worker, so a worker can count its own losses.
type Worker struct {
	cfg    WorkerConfig
	drv    Driver
	target Target
	pairs  []*pair
	phase  atomic.Pointer[Sample] // where receivers record
}

type pair struct {
	room  string
	addrs [2]string // the server each peer connects to
	peers [2]*peer
}

// split says whether the pair's peers are on two servers.
func (p *pair) split() bool { return p.addrs[0] != p.addrs[1] }

// peer is one simulated client of a pair.
type peer struct {
	pair *pair
	idx  int
	conn Conn
	seq  atomic.Uint64 // last sequence number sent
	sent atomic.Uint64 // payloads sent successfully
	recv atomic.Uint64 // payloads received in the right room
	max  atomic.Uint64 // highest sequence number received (reader only writes)
}

// NewWorker returns a worker with no connections yet.
func NewWorker(cfg WorkerConfig) (*Worker, error) {
	drv, err := DriverFor(cfg.Protocol)
	if err != nil {
		return nil, err
	}
	if cfg.PayloadSize == 0 {
		cfg.PayloadSize = DefaultPayloadSize
	}
	if cfg.ConnectConcurrency == 0 {
		cfg.ConnectConcurrency = DefaultConnectConcurrency
	}
	w := &Worker{cfg: cfg, drv: drv, target: Target{Addr: cfg.Addr, LocalIP: cfg.LocalIP, TLS: cfg.TLS}}
	w.phase.Store(NewSample())
	return w, nil
}

// roomID names pair i of this worker.
func (w *Worker) roomID(i int) string {
	return fmt.Sprintf("%s-w%d-p%d", w.cfg.RunID, w.cfg.Index, i)
}

// Setup connects every pair and waits until each room holds both peers.
// It reports connect and join latencies; pairs that fail are counted and
// left out of later runs.
func (w *Worker) Setup(ctx context.Context) *Sample {
	s := NewSample()
	w.phase.Store(s)
	sem := make(chan struct{}, w.cfg.ConnectConcurrency)
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for i := range w.cfg.Pairs {
		if w.cfg.ConnectRate > 0 {
			due := start.Add(time.Duration(float64(i) / w.cfg.ConnectRate * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			pctx, cancel := context.WithTimeout(ctx, setupTimeout)
			defer cancel()
			p, err := w.setupPair(pctx, w.roomID(i), w.placement(i), s)
			if err != nil {
				return
			}
			mu.Lock()
			w.pairs = append(w.pairs, p)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return s
}

// placement returns the servers the two peers of pair i connect to: with
// Addr2, the second peer's server; in a Mixed run, pairs 4k and 4k+1 on
// one server (Addr, then Addr2), 4k+2 and 4k+3 split both ways round.
func (w *Worker) placement(i int) [2]string {
	a, b := w.cfg.Addr, w.cfg.Addr2
	switch {
	case b == "":
		return [2]string{a, a}
	case !w.cfg.Mixed:
		return [2]string{a, b}
	}
	return [4][2]string{{a, a}, {b, b}, {a, b}, {b, a}}[i%4]
}

// setupPair connects two peers into room, each to its server in addrs.
func (w *Worker) setupPair(ctx context.Context, room string, addrs [2]string, s *Sample) (*pair, error) {
	p := &pair{room: room, addrs: addrs}
	for i := range p.peers {
		pe := &peer{pair: p, idx: i}
		c, err := w.connect(ctx, room, pe, s)
		if err != nil {
			p.close()
			return nil, err
		}
		pe.conn = c
		p.peers[i] = pe
	}
	for _, pe := range p.peers {
		if err := pe.conn.WaitPartner(ctx); err != nil {
			atomic.AddUint64(&s.JoinErrors, 1)
			p.close()
			return nil, err
		}
	}
	return p, nil
}

// connect dials and joins room for pe, recording both latencies in s.
func (w *Worker) connect(ctx context.Context, room string, pe *peer, s *Sample) (Conn, error) {
	start := time.Now()
	t := w.target
	t.Addr = pe.pair.addrs[pe.idx]
	c, err := w.drv.Dial(ctx, t, pe.receive(w))
	if err != nil {
		atomic.AddUint64(&s.ConnectErrors, 1)
		return nil, err
	}
	s.Connect.Record(time.Since(start))
	atomic.AddUint64(&s.Conns, 1)
	start = time.Now()
	if err := c.Join(ctx, room); err != nil {
		atomic.AddUint64(&s.JoinErrors, 1)
		c.Close()
		return nil, err
	}
	s.Join.Record(time.Since(start))
	return c, nil
}

// receive returns pe's Receiver: it checks each payload's room and order
// and records its latency in the worker's current phase.
func (pe *peer) receive(w *Worker) Receiver {
	return func(frame []byte) {
		now := time.Now().UnixNano()
		st, err := parsePayload(frame)
		s := w.phase.Load()
		if err != nil || st.Room != pe.pair.room || st.Sender == pe.idx {
			atomic.AddUint64(&s.WrongRoom, 1)
			return
		}
		s.Relay.Record(time.Duration(now - st.SentAt))
		if s.Hop != nil {
			s.Hop.of(pe.pair.split()).All.Record(time.Duration(now - st.SentAt))
		}
		if s.spans != nil {
			s.spans.add(st.SentAt, now, pe.pair.split())
		}
		if st.Seq <= pe.max.Load() {
			atomic.AddUint64(&s.OutOfOrder, 1)
		} else {
			pe.max.Store(st.Seq)
		}
		pe.recv.Add(1)
	}
}

func (p *pair) close() {
	for _, pe := range p.peers {
		if pe != nil && pe.conn != nil {
			pe.conn.Close()
		}
	}
}

// Relay has every peer send rate payloads per second to its partner for d,
// then waits up to drain for the last ones, and reports the phase.
func (w *Worker) Relay(ctx context.Context, rate float64, d, drain time.Duration) *Sample {
	s := NewSample()
	s.Conns = uint64(2 * len(w.pairs))
	if w.cfg.Mixed && w.cfg.Addr2 != "" {
		s.Hop = NewHopSample()
	}
	rec, err := steal.Start()
	if err == nil { // else (not Linux) the phase has no steal-free figures
		s.spans = &spanLog{}
		defer func() {
			tl := rec.Stop()
			s.Steal = tl.Share()
			s.Quiet = s.spans.quiet(tl, s.Hop)
		}()
	}
	w.phase.Store(s)
	var sent0, recv0 uint64
	for _, p := range w.pairs {
		for _, pe := range p.peers {
			sent0 += pe.sent.Load()
			recv0 += pe.recv.Load()
		}
	}
	start := time.Now()
	end := start.Add(d)
	var wg sync.WaitGroup
	for _, p := range w.pairs {
		for _, pe := range p.peers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.sendLoop(ctx, pe, rate, start, end, s)
			}()
		}
	}
	wg.Wait()
	sent, _ := w.totals()
	sent -= sent0
	deadline := time.Now().Add(drain)
	var recv uint64
	for {
		_, r := w.totals()
		recv = r - recv0
		if recv >= sent || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(drainPoll)
	}
	s.Sent, s.Received = sent, recv
	if sent > recv {
		s.Lost = sent - recv
	}
	s.Disconnects = w.dead()
	return s
}

// sendLoop sends on an open-loop schedule: the k-th payload is due at a
// fixed time whatever happened to the previous ones, so a slow server
// cannot slow the offered load down.
func (w *Worker) sendLoop(ctx context.Context, pe *peer, rate float64, start, end time.Time, s *Sample) {
	if rate <= 0 {
		return
	}
	period := time.Duration(float64(time.Second) / rate)
	next := start.Add(time.Duration(rand.Int64N(int64(period))))
	t := time.NewTimer(0)
	<-t.C
	defer t.Stop()
	var buf []byte
	for next.Before(end) {
		if wait := time.Until(next); wait > 0 {
			t.Reset(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
		}
		s.Lag.Record(time.Since(next))
		st := stamp{Room: pe.pair.room, Sender: pe.idx, Seq: pe.seq.Add(1), SentAt: time.Now().UnixNano()}
		buf = appendPayload(buf[:0], st, w.cfg.PayloadSize)
		if err := pe.conn.Send(buf); err != nil {
			atomic.AddUint64(&s.SendErrors, 1)
			return
		}
		pe.sent.Add(1)
		next = next.Add(period)
	}
}

func (w *Worker) totals() (sent, recv uint64) {
	for _, p := range w.pairs {
		for _, pe := range p.peers {
			sent += pe.sent.Load()
			recv += pe.recv.Load()
		}
	}
	return sent, recv
}

// dead counts connections that have ended.
func (w *Worker) dead() uint64 {
	var n uint64
	for _, p := range w.pairs {
		for _, pe := range p.peers {
			select {
			case <-pe.conn.Done():
				n++
			default:
			}
		}
	}
	return n
}

// Close closes every connection of the worker, as browsers closing.
func (w *Worker) Close() {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	for _, p := range w.pairs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			p.close()
		}()
	}
	wg.Wait()
	w.pairs = nil
}

// errNoPairs is returned when no pair could be set up.
var errNoPairs = errors.New("no pair could be set up")
