package memtrim

import (
	"context"
	"log/slog"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Interval is how often Run looks at the heap.
const Interval = 5 * time.Second

// minReclaim is the least reclaimable memory worth a full collection.
const minReclaim = 4 << 20

// quietFactor: the allocation of the last interval must have dropped
// below 1/quietFactor of its peak since the last trim for the burst to
// count as passed.
const quietFactor = 4

// The runtime/metrics read by a Trimmer.
var metricNames = []string{
	"/gc/heap/allocs:bytes",              // allocated since the program started
	"/memory/classes/heap/free:bytes",    // free pages the runtime has not returned
	"/memory/classes/heap/objects:bytes", // live objects and unswept garbage
	"/gc/heap/live:bytes",                // live heap as of the last collection
	"/memory/classes/heap/released:bytes",
}

// sample is one reading of the heap.
type sample struct {
	allocs, free, objects, live, released uint64
}

// read takes a sample of this process's heap.
func read() sample {
	ms := make([]metrics.Sample, len(metricNames))
	for i, n := range metricNames {
		ms[i].Name = n
	}
	metrics.Read(ms)
	v := func(i int) uint64 {
		if ms[i].Value.Kind() != metrics.KindUint64 {
			return 0 // unknown to this runtime: no trim is ever due
		}
		return ms[i].Value.Uint64()
	}
	return sample{allocs: v(0), free: v(1), objects: v(2), live: v(3), released: v(4)}
}

// reclaimable is what a full collection and release would give back: the
// free pages and the garbage among the objects.
func (s sample) reclaimable() uint64 {
	return s.free + s.objects - min(s.live, s.objects)
}

// Trimmer decides when to trim. Its zero value is ready; it is not safe for
// concurrent use.
type Trimmer struct {
	last    sample
	started bool
	peak    uint64 // the most allocated in one interval since the last trim
}

// observe takes the sample of the interval just ended and reports whether
// to trim now: the allocation rate has fallen to a fraction of its peak
// (the burst is over, or the server is idle after one) and enough memory
// would come back.
func (t *Trimmer) observe(s sample) bool {
	if !t.started {
		t.last, t.started = s, true
		return false
	}
	alloc := s.allocs - t.last.allocs
	t.last = s
	t.peak = max(t.peak, alloc)
	if alloc*quietFactor > t.peak || s.reclaimable() < max(minReclaim, s.live/8) {
		return false
	}
	t.peak = alloc // steady work from here on is not a new burst
	return true
}

// Run trims every Interval when a trim is due, until ctx ends.
func Run(ctx context.Context, log *slog.Logger) {
	tick := time.NewTicker(Interval)
	defer tick.Stop()
	var t Trimmer
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if s := read(); t.observe(s) {
			debug.FreeOSMemory()
			after := read()
			log.Debug("memory returned to the system after a burst",
				"MiB", float64(after.released-min(s.released, after.released))/(1<<20),
				"liveMiB", float64(after.live)/(1<<20))
			t.last = after // the collection's own allocations are not load
		}
	}
}
