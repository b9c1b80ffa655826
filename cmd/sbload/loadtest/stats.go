package loadtest

import (
	"encoding/json"
	"sync"
	"time"

	"signalbox/internal/steal"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram range: 1 µs to 2 minutes at 3 significant digits.
const (
	histMin     = 1
	histMax     = int64(2 * time.Minute / time.Microsecond)
	histSigFigs = 3
)

// Hist is a latency histogram in microseconds, safe for concurrent use,
// that merges across workers and travels as JSON.
type Hist struct {
	mu sync.Mutex
	h  *hdrhistogram.Histogram
}

// NewHist returns an empty histogram.
func NewHist() *Hist {
	return &Hist{h: hdrhistogram.New(histMin, histMax, histSigFigs)}
}

// Record adds one duration.
func (h *Hist) Record(d time.Duration) {
	us := max(int64(d/time.Microsecond), histMin)
	h.mu.Lock()
	_ = h.h.RecordValue(min(us, histMax)) // clamped into range: cannot fail
	h.mu.Unlock()
}

// Merge adds every value of o to h.
func (h *Hist) Merge(o *Hist) {
	if o == nil {
		return
	}
	o.mu.Lock()
	snap := o.h.Export()
	o.mu.Unlock()
	h.mu.Lock()
	h.h.Merge(hdrhistogram.Import(snap))
	h.mu.Unlock()
}

// Count is the number of values recorded.
func (h *Hist) Count() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.h.TotalCount()
}

// Quantile returns the value at percentile q (0–100).
func (h *Hist) Quantile(q float64) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return time.Duration(h.h.ValueAtQuantile(q)) * time.Microsecond
}

// Max returns the largest value recorded.
func (h *Hist) Max() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return time.Duration(h.h.Max()) * time.Microsecond
}

// MarshalJSON encodes the histogram's counts.
func (h *Hist) MarshalJSON() ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return json.Marshal(h.h.Export())
}

// UnmarshalJSON decodes what MarshalJSON encoded.
func (h *Hist) UnmarshalJSON(b []byte) error {
	var s hdrhistogram.Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.h = hdrhistogram.Import(&s)
	return nil
}

// Counts are what a run counted, summed over its workers.
type Counts struct {
	// Conns is how many connections were opened.
	Conns uint64 `json:"conns"`
	// Sent and Received count relayed payloads; Received counts only
	// those delivered to the right room.
	Sent     uint64 `json:"sent"`
	Received uint64 `json:"received"`
	// Lost is Sent - Received once the run has drained.
	Lost uint64 `json:"lost"`
	// OutOfOrder counts payloads whose sequence number is not above every
	// one already received from the same sender (late or repeated).
	OutOfOrder uint64 `json:"outOfOrder"`
	// WrongRoom counts payloads delivered to a peer of another room.
	WrongRoom uint64 `json:"wrongRoom"`
	// ConnectErrors, JoinErrors and SendErrors count failed operations;
	// Disconnects counts connections the server ended during the run.
	ConnectErrors uint64 `json:"connectErrors"`
	JoinErrors    uint64 `json:"joinErrors"`
	SendErrors    uint64 `json:"sendErrors"`
	Disconnects   uint64 `json:"disconnects"`
	// Cycles counts completed join-signal-leave cycles (churn).
	Cycles uint64 `json:"cycles"`
}

func (c *Counts) add(o Counts) {
	c.Conns += o.Conns
	c.Sent += o.Sent
	c.Received += o.Received
	c.Lost += o.Lost
	c.OutOfOrder += o.OutOfOrder
	c.WrongRoom += o.WrongRoom
	c.ConnectErrors += o.ConnectErrors
	c.JoinErrors += o.JoinErrors
	c.SendErrors += o.SendErrors
	c.Disconnects += o.Disconnects
	c.Cycles += o.Cycles
}

// Sample is one worker's (or a whole run's) measurements of one phase.
type Sample struct {
	Counts
	// Connect is the time from dialling to the protocol's handshake done;
	// Join from the join request to the server's answer.
	Connect *Hist `json:"connect"`
	Join    *Hist `json:"join"`
	// Relay is the one-way latency of relayed payloads, sender to receiver.
	Relay *Hist `json:"relay"`
	// Lag is how late sends left against their schedule: high values mean
	// the load generator itself could not keep up.
	Lag *Hist `json:"lag"`
	// Quiet is Relay less the payloads sent or received in a window in
	// which the hypervisor stole processor time from this machine
	// (package steal); Steal is the share of the phase's windows that saw
	// steal (the largest any worker saw). Relay phases only.
	Quiet *Hist   `json:"quiet,omitempty"`
	Steal float64 `json:"steal,omitempty"`
	// Hop splits Relay by the pairs' placement in a Mixed run.
	Hop *HopSample `json:"hop,omitempty"`

	spans *spanLog // relay phases: every payload's send and receive time
}

// NewSample returns an empty Sample.
func NewSample() *Sample {
	return &Sample{Connect: NewHist(), Join: NewHist(), Relay: NewHist(), Lag: NewHist()}
}

// Merge adds o into s.
func (s *Sample) Merge(o *Sample) {
	s.Counts.add(o.Counts)
	s.Connect.Merge(o.Connect)
	s.Join.Merge(o.Join)
	s.Relay.Merge(o.Relay)
	s.Lag.Merge(o.Lag)
	if o.Quiet != nil {
		if s.Quiet == nil {
			s.Quiet = NewHist()
		}
		s.Quiet.Merge(o.Quiet)
	}
	s.Steal = max(s.Steal, o.Steal)
	if o.Hop != nil {
		if s.Hop == nil {
			s.Hop = NewHopSample()
		}
		s.Hop.merge(o.Hop)
	}
}

// HopSample is the relay latency of a Mixed run's pairs on one server
// (Local) and of its pairs split over two (Split): the two halves of one
// phase, under the same load, so their difference is what the hop between
// servers adds.
type HopSample struct {
	Local *HopHalf `json:"local"`
	Split *HopHalf `json:"split"`
}

// HopHalf is one half of a HopSample: all its payloads' latencies, and
// those of the payloads that crossed no steal.
type HopHalf struct {
	All   *Hist `json:"all"`
	Quiet *Hist `json:"quiet"`
}

// NewHopSample returns an empty HopSample.
func NewHopSample() *HopSample {
	return &HopSample{Local: &HopHalf{NewHist(), NewHist()}, Split: &HopHalf{NewHist(), NewHist()}}
}

// of returns the half of local or split pairs.
func (h *HopSample) of(split bool) *HopHalf {
	if split {
		return h.Split
	}
	return h.Local
}

func (h *HopSample) merge(o *HopSample) {
	for _, split := range []bool{false, true} {
		h.of(split).All.Merge(o.of(split).All)
		h.of(split).Quiet.Merge(o.of(split).Quiet)
	}
}

// spanLog keeps each relayed payload's send and receive time (Unix
// nanoseconds) until the phase's steal timeline is known; sharded so the
// receivers of 2,000 connections do not queue on one lock.
type spanLog struct {
	shards [32]struct {
		mu    sync.Mutex
		spans []span
	}
}

// span is one payload's send and receive time, and whether it crossed
// from one server to another.
type span struct {
	sent, received int64
	split          bool
}

func (l *spanLog) add(sent, received int64, split bool) {
	sh := &l.shards[uint64(received)>>10%uint64(len(l.shards))]
	sh.mu.Lock()
	sh.spans = append(sh.spans, span{sent, received, split})
	sh.mu.Unlock()
}

// quiet returns the latencies of the spans that crossed no steal, and
// records them in hop's steal-free histograms too when hop is not nil.
func (l *spanLog) quiet(tl *steal.Timeline, hop *HopSample) *Hist {
	h := NewHist()
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		for _, sp := range sh.spans {
			if !tl.Quiet(time.Unix(0, sp.sent), time.Unix(0, sp.received)) {
				continue
			}
			d := time.Duration(sp.received - sp.sent)
			h.Record(d)
			if hop != nil {
				hop.of(sp.split).Quiet.Record(d)
			}
		}
		sh.spans = nil
		sh.mu.Unlock()
	}
	return h
}
