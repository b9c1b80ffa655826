package transport

import (
	"errors"
	"sync"
	"testing"

	"signalbox/signaling"
)

// fakeSink is a connection in memory: an outbox of its own and a record of
// what was written, how, and by whom.
type fakeSink struct {
	mu          sync.Mutex
	box         []signaling.Entry
	next        uint64
	written     []uint64 // sequence numbers, in write order
	tries       int      // WriteBatch calls with try
	blocking    int      // WriteBatch calls without
	canTry      bool
	stashNext   bool // the next try write leaves bytes stashed
	stashed     bool
	flushes     int
	finished    int
	failed      int
	failWith    error
	afterFinish bool // something was written after Finish
}

func (f *fakeSink) push(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.next++
		f.box = append(f.box, signaling.Entry{Seq: f.next})
	}
}

func (f *fakeSink) Take(dst []signaling.Entry) []signaling.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := min(len(f.box), max(cap(dst)-len(dst), 1))
	dst = append(dst, f.box[:n]...)
	f.box = f.box[n:]
	return dst
}

func (f *fakeSink) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.box)
}

func (f *fakeSink) WriteBatch(batch []signaling.Entry, try bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.finished > 0 {
		f.afterFinish = true
	}
	if f.failWith != nil {
		return f.failWith
	}
	if try {
		f.tries++
		if f.stashNext {
			f.stashed, f.stashNext = true, false
		}
	} else {
		f.blocking++
	}
	for _, e := range batch {
		f.written = append(f.written, e.Seq)
	}
	return nil
}

func (f *fakeSink) CanTry() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.canTry
}

func (f *fakeSink) Flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stashed {
		f.flushes++
		f.stashed = false
	}
	return nil
}

func (f *fakeSink) Stashed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stashed
}

func (f *fakeSink) Finish() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.finished++
}

func (f *fakeSink) Fail(error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed++
}

// inOrder reports whether f wrote 1..n once each, in order.
func (f *fakeSink) inOrder(t *testing.T, n int) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.written) != n {
		t.Fatalf("wrote %d entries, want %d", len(f.written), n)
	}
	for i, s := range f.written {
		if s != uint64(i+1) {
			t.Fatalf("entry %d written as %d-th: out of order (%v)", s, i+1, f.written)
		}
	}
}

func newPump(f *fakeSink) *Pump {
	p := &Pump{}
	p.Init(f, NewBatchPool())
	return p
}

func TestWakeWritesEverythingInOrder(t *testing.T) {
	f := &fakeSink{}
	p := newPump(f)
	f.push(40) // more than a batch
	p.Wake()
	p.Wait()
	f.inOrder(t, 40)
	if f.tries != 0 || f.blocking == 0 {
		t.Errorf("tries %d, blocking writes %d: want only blocking writes from the goroutine", f.tries, f.blocking)
	}
}

func TestFlushWritesOnTheCallersGoroutine(t *testing.T) {
	tests := []struct {
		name          string
		canTry, stash bool
		wantTries     int
		wantFlushes   int
	}{
		{"socket takes it", true, false, 1, 0},
		{"short write: the pump finishes it", true, true, 1, 1},
		{"no try on this connection (TLS)", false, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeSink{canTry: tt.canTry, stashNext: tt.stash}
			p := newPump(f)
			f.push(1)
			p.Flush()
			p.Wait()
			f.inOrder(t, 1)
			if f.tries != tt.wantTries || f.flushes != tt.wantFlushes {
				t.Errorf("tries %d, flushes %d; want %d, %d", f.tries, f.flushes, tt.wantTries, tt.wantFlushes)
			}
			if f.Stashed() {
				t.Error("bytes left stashed")
			}
		})
	}
}

func TestCloseFinishesAfterTheOutbox(t *testing.T) {
	f := &fakeSink{canTry: true}
	p := newPump(f)
	f.push(20)
	p.Close()
	p.Wait()
	f.inOrder(t, 20)
	f.push(1)
	p.Wake()
	p.Flush()
	p.Close()
	p.Wait()
	if f.finished != 1 || f.afterFinish {
		t.Errorf("finished %d times, wrote after finishing %v; want once, no", f.finished, f.afterFinish)
	}
	if !p.Closing() {
		t.Error("Closing() = false after Close")
	}
}

func TestWriteErrorFailsOnceAndStops(t *testing.T) {
	f := &fakeSink{failWith: errors.New("broken pipe")}
	p := newPump(f)
	f.push(3)
	p.Wake()
	p.Wait()
	p.Stop()
	p.Wake()
	p.Flush()
	p.Wait()
	if f.failed != 1 {
		t.Errorf("Fail called %d times, want 1", f.failed)
	}
}

// Senders flushing and waking from many goroutines at once: every entry is
// written once, in outbox order, by one writer at a time (the race
// detector watches the rest).
func TestConcurrentSendersKeepOrder(t *testing.T) {
	f := &fakeSink{canTry: true}
	p := newPump(f)
	const senders, each = 8, 200
	var wg sync.WaitGroup
	for i := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				f.push(1)
				if i%2 == 0 {
					p.Flush()
				} else {
					p.Wake()
				}
			}
		}()
	}
	wg.Wait()
	p.Wait() // no extra Wake: a lost wake-up would leave entries behind
	p.Stop()
	f.inOrder(t, senders*each)
}
