package memtrim

import (
	"runtime/debug"
	"testing"
)

const mib = 1 << 20

// The decision on samples shaped like a classroom: a burst of connections,
// then idle connections with a steady heartbeat.
func TestObserve(t *testing.T) {
	at := func(allocs, free, objects, live uint64) sample {
		return sample{allocs: allocs * mib, free: free * mib, objects: objects * mib, live: live * mib}
	}
	var tr Trimmer
	steps := []struct {
		name string
		s    sample
		trim bool
	}{
		{"first sample: a baseline only", at(10, 1, 5, 4), false},
		{"burst", at(210, 20, 60, 30), false},
		{"still busy", at(380, 25, 70, 40), false},
		{"quiet, much to reclaim", at(390, 30, 70, 40), true},
		{"heartbeat: steady, not a burst", at(400, 1, 50, 40), false},
		{"heartbeat again", at(410, 2, 55, 40), false},
		{"second burst", at(610, 10, 90, 50), false},
		{"quiet but nothing to reclaim", at(612, 1, 51, 50), false},
	}
	for _, st := range steps {
		if got := tr.observe(st.s); got != st.trim {
			t.Errorf("%s: observe = %v, want %v", st.name, got, st.trim)
		}
	}
}

var sink [][]byte

// After a real burst of garbage, the next quiet interval calls for a trim,
// and the trim gives memory back to the system.
func TestTrimAfterRealBurst(t *testing.T) {
	var tr Trimmer
	tr.observe(read())
	for range 64 {
		sink = append(sink, make([]byte, mib))
	}
	sink = nil // all of it garbage now
	if tr.observe(read()) {
		t.Fatal("trim due during the burst")
	}
	s := read()
	if !tr.observe(s) {
		t.Fatalf("no trim due after the burst: reclaimable %d MiB, live %d MiB", s.reclaimable()/mib, s.live/mib)
	}
	debug.FreeOSMemory()
	if after := read(); after.released <= s.released {
		t.Errorf("released %d MiB after the trim, %d before", after.released/mib, s.released/mib)
	}
}
