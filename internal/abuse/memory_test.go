package abuse

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"signalbox/signaling"
	"signalbox/signaling/httpserver"
)

// TestHistoryMemory is repro 1 of issue 11: 25 pairs; each sender sends 64
// broadcasts of ~60 KB and its receiver reads them. The replay history
// must stay within its byte budgets (RSS grows by at most 32 MiB) and be
// released when the peers leave their rooms (RSS back within 8 MiB of the
// start), while the connections stay open.
func TestHistoryMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("moves 96 MB through the server and measures RSS: run without -race (scripts/test.sh does)")
	}
	const pairs, sends, size = 25, 64, 60_000
	s := startServer(t, httpserver.Config{Hub: signaling.Config{LimitLoopback: true}})
	type pair struct{ a, b *wsClient }
	ps := make([]pair, pairs)
	for i := range ps {
		a, err := dialWS(s, device(2*i))
		if err != nil {
			t.Fatal(err)
		}
		b, err := dialWS(s, device(2*i+1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.close)
		t.Cleanup(b.close)
		room := fmt.Sprintf("mem-%d", i)
		if err := a.join(room); err != nil {
			t.Fatal(err)
		}
		if err := b.join(room); err != nil {
			t.Fatal(err)
		}
		if _, err := a.await("peer-joined"); err != nil {
			t.Fatal(err)
		}
		ps[i] = pair{a, b}
	}
	payload := `"` + strings.Repeat("x", size) + `"`
	start, startHeap := rss(t), heap()
	began := time.Now()

	var wg sync.WaitGroup
	errs := make(chan error, 2*pairs)
	for _, p := range ps {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range sends {
				if err := p.a.send(map[string]any{"type": "broadcast", "data": jsonRaw(payload)}); err != nil {
					errs <- err
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range sends {
				if _, err := p.b.await("broadcast"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("%v (hub: %+v, budget %+v)", err, s.srv.Hub().Stats(), s.srv.Hub().Budget())
	}
	relayed := time.Since(began)
	afterSend, afterSendHeap := rss(t), heap()

	for _, p := range ps {
		for _, c := range []*wsClient{p.a, p.b} {
			if err := c.send(map[string]any{"type": "leave"}); err != nil {
				t.Fatal(err)
			}
			// A ping after the leave: its pong proves the leave was handled.
			if err := c.send(map[string]any{"type": "ping"}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.await("pong"); err != nil {
				t.Fatal(err)
			}
		}
	}
	afterLeave, afterLeaveHeap := rss(t), heap()
	grow, left := afterSend-start, afterLeave-start
	t.Logf("FIGURES repro 1: %d pairs x %d broadcasts of %d B in %v: RSS start %s, +%s after sending (heap +%s), +%s after leaving (heap +%s)",
		pairs, sends, size, relayed.Round(time.Millisecond), mib(start), mib(grow), mib(int64(afterSendHeap)-int64(startHeap)),
		mib(left), mib(int64(afterLeaveHeap)-int64(startHeap)))
	if grow > 32<<20 {
		t.Errorf("RSS grew by %s while relaying, want at most 32 MiB", mib(grow))
	}
	if left > 8<<20 {
		t.Errorf("RSS is %s above its start after every peer left, want at most 8 MiB", mib(left))
	}
}

// jsonRaw is a JSON value sent as is.
type jsonRaw string

func (j jsonRaw) MarshalJSON() ([]byte, error) { return []byte(j), nil }
