package abuse

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"signalbox/signaling"
	"signalbox/signaling/httpserver"
)

// TestAbandonedSeats is repro 2 of issue 11: one address loops "connect,
// join a unique room, TCP reset" (two seats a room, at most attackSockets
// sockets open), which used to fill every room and seat of the server
// because each seat outlives its connection for the resume grace. While it
// runs, 30 honest clients from 30 other addresses join in pairs and relay
// a signal each way: all of them must succeed. The server limits are
// scaled down (1,000 rooms, 2,000 peers) so the loop is short; the
// per-address limits are the defaults.
func TestAbandonedSeats(t *testing.T) {
	const attempts, attackSockets, honestPairs = 2600, 50, 15
	s := startServer(t, httpserver.Config{Hub: signaling.Config{MaxRooms: 1000, MaxPeers: 2000, LimitLoopback: true}})
	attacker := device(1000)

	var seated, refused atomic.Int64
	codes := sync.Map{} // refusal code → count
	half := make(chan struct{})
	var halfOnce sync.Once
	attackDone := make(chan struct{})
	go func() {
		defer close(attackDone)
		sem := make(chan struct{}, attackSockets)
		var wg sync.WaitGroup
		for i := range attempts {
			if i == attempts-400 {
				halfOnce.Do(func() { close(half) })
			}
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				c, err := dialWS(s, attacker)
				if err == nil {
					err = c.join(fmt.Sprintf("atk-%d", i/2))
					c.reset()
				}
				if err != nil {
					refused.Add(1)
					n, _ := codes.LoadOrStore(refusalCode(err), new(atomic.Int64))
					n.(*atomic.Int64).Add(1)
					return
				}
				seated.Add(1)
			}()
		}
		wg.Wait()
	}()

	<-half // the attack has seated more than the server holds
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for i := range honestPairs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := honestPair(s, device(2*i), device(2*i+1), fmt.Sprintf("class-%d", i)); err != nil {
				failed.Add(2)
				firstErr.CompareAndSwap(nil, err)
				return
			}
			ok.Add(2)
		}()
	}
	wg.Wait()
	<-attackDone
	var refusals []string
	codes.Range(func(k, v any) bool {
		refusals = append(refusals, fmt.Sprintf("%s×%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	t.Logf("FIGURES repro 2: attacker %d attempts from one address: %d seated, %d refused %v; honest clients: %d succeeded, %d failed",
		attempts, seated.Load(), refused.Load(), refusals, ok.Load(), failed.Load())
	if failed.Load() > 0 {
		t.Errorf("%d honest clients failed while one address abused the server; first: %v", failed.Load(), firstErr.Load())
	}
	if refused.Load() == 0 {
		t.Errorf("the attacker was never refused: no per-address limit")
	}
}

// honestPair connects two clients from their own addresses, joins them to
// room and relays a signal each way.
func honestPair(s *server, ipA, ipB net.IP, room string) error {
	a, err := dialWS(s, ipA)
	if err != nil {
		return err
	}
	defer a.close()
	b, err := dialWS(s, ipB)
	if err != nil {
		return err
	}
	defer b.close()
	if err := a.join(room); err != nil {
		return fmt.Errorf("join: %w", err)
	}
	if err := b.join(room); err != nil {
		return fmt.Errorf("join: %w", err)
	}
	if err := a.send(map[string]any{"type": "signal", "to": b.id, "data": map[string]any{"sdp": "offer"}}); err != nil {
		return err
	}
	if _, err := b.await("signal"); err != nil {
		return fmt.Errorf("relay: %w", err)
	}
	if err := b.send(map[string]any{"type": "signal", "to": a.id, "data": map[string]any{"sdp": "answer"}}); err != nil {
		return err
	}
	if _, err := a.await("signal"); err != nil {
		return fmt.Errorf("relay: %w", err)
	}
	return nil
}

// refusalCode names an attacker's failure for the figures.
func refusalCode(err error) string {
	s := err.Error()
	for _, c := range signaling.AllCodes {
		if containsWord(s, string(c)) {
			return string(c)
		}
	}
	return "other"
}

func containsWord(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if s[i:i+len(w)] == w {
			return true
		}
	}
	return false
}
