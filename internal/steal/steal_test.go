package steal

import (
	"runtime"
	"testing"
	"time"
)

func TestQuietRefusesWindowsWithStealAndTheirNeighbours(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ms := time.Millisecond
	// Windows 0..9; steal in window 4 only.
	perWindow := make([]time.Duration, 10)
	perWindow[4] = 3 * ms
	tl := NewTimeline(t0, perWindow)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	cases := []struct {
		name     string
		from, to time.Duration
		want     bool
	}{
		{"well before", 60 * ms, 110 * ms, true},                  // windows 1-2, guard 0-3
		{"ends in the window before", 60 * ms, 160 * ms, false},   // window 3, guard reaches 4
		{"inside", 210 * ms, 220 * ms, false},                     // window 4
		{"starts in the window after", 260 * ms, 270 * ms, false}, // window 5, guard reaches 4
		{"well after", 310 * ms, 420 * ms, true},                  // windows 6-8, guard 5-9
		{"spans it", 60 * ms, 420 * ms, false},
		{"before the recording", -10 * ms, 20 * ms, false},
		{"after the recording", 460 * ms, 470 * ms, false}, // window 9: no window after it recorded
		{"backwards", 120 * ms, 60 * ms, false},
	}
	for _, c := range cases {
		if got := tl.Quiet(at(c.from), at(c.to)); got != c.want {
			t.Errorf("%s: Quiet(%v, %v) = %v, want %v", c.name, c.from, c.to, got, c.want)
		}
	}
	if got := tl.Share(); got != 0.1 {
		t.Errorf("Share = %v, want 0.1", got)
	}
}

func TestRecorderReadsTheMachinesCounter(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/stat is Linux's")
	}
	r, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * Window)
	tl := r.Stop()
	// Three or four windows ended (the ticker may drop a late tick, never
	// invent one); steal cannot be negative.
	if n := len(tl.steal); n < 2 || n > 4 {
		t.Errorf("recorded %d windows in 4 window-lengths", n)
	}
	for i, s := range tl.steal {
		if s < 0 {
			t.Errorf("window %d: steal %v", i, s)
		}
	}
}
