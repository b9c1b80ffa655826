package loadtest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultChurnMessages is how many payloads each peer of a churn cycle
// sends: an offer or answer and a few ICE candidates.
const DefaultChurnMessages = 5

// Churn runs concurrency loops for d, each repeating one classroom moment:
// two peers connect and join a fresh room, each sends messages payloads to
// the other, both wait for what the other sent, and both leave by closing
// their connection. Lost and wrong-room deliveries must stay zero.
func (w *Worker) Churn(ctx context.Context, d time.Duration, concurrency, messages int) *Sample {
	s := NewSample()
	w.phase.Store(s)
	end := time.Now().Add(d)
	var n atomic.Uint64
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) && ctx.Err() == nil {
				i := n.Add(1)
				room := fmt.Sprintf("%s-w%d-c%d", w.cfg.RunID, w.cfg.Index, i)
				w.cycle(ctx, room, w.placement(int(i)), messages, s)
			}
		}()
	}
	wg.Wait()
	return s
}

// cycle is one join-signal-leave round in room, on the servers in addrs.
func (w *Worker) cycle(ctx context.Context, room string, addrs [2]string, messages int, s *Sample) {
	cctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	p, err := w.setupPair(cctx, room, addrs, s)
	if err != nil {
		return
	}
	defer closeBoth(p)
	var buf []byte
	for range messages {
		for _, pe := range p.peers {
			st := stamp{Room: room, Sender: pe.idx, Seq: pe.seq.Add(1), SentAt: time.Now().UnixNano()}
			buf = appendPayload(buf[:0], st, w.cfg.PayloadSize)
			if err := pe.conn.Send(buf); err != nil {
				atomic.AddUint64(&s.SendErrors, 1)
				continue
			}
			pe.sent.Add(1)
			atomic.AddUint64(&s.Sent, 1)
		}
	}
	deadline := time.Now().Add(DefaultDrain)
	for {
		got := p.peers[0].recv.Load() + p.peers[1].recv.Load()
		want := p.peers[0].sent.Load() + p.peers[1].sent.Load()
		if got >= want || time.Now().After(deadline) || ctx.Err() != nil {
			atomic.AddUint64(&s.Received, got)
			if want > got {
				atomic.AddUint64(&s.Lost, want-got)
			}
			break
		}
		time.Sleep(drainPoll)
	}
	atomic.AddUint64(&s.Cycles, 1)
}

// closeBoth closes the two peers of p at once.
func closeBoth(p *pair) {
	var wg sync.WaitGroup
	for _, pe := range p.peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pe.conn.Close()
		}()
	}
	wg.Wait()
}
