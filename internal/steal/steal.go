package steal

import (
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/procfs"
)

// Window is the width of one window of a Timeline: a few of the kernel's
// 10 ms accounting ticks, and short beside a benchmark step.
const Window = 50 * time.Millisecond

// MinSamples is the fewest steal-free samples a percentile is taken from:
// below it (a host that stole in most windows) the benchmarks print none,
// as p99 of a few hundred samples says little.
const MinSamples = 2000

// Recorder samples the machine's steal time once per Window until Stop.
type Recorder struct {
	fs    procfs.FS
	start time.Time
	stop  chan struct{}
	done  chan *Timeline
	once  sync.Once
	tl    *Timeline
}

// Start begins recording from now. It fails where /proc/stat cannot be
// read (not Linux, or no procfs).
func Start() (*Recorder, error) {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return nil, fmt.Errorf("steal: %w", err)
	}
	first, err := stolen(fs)
	if err != nil {
		return nil, err
	}
	r := &Recorder{fs: fs, start: time.Now(), stop: make(chan struct{}), done: make(chan *Timeline, 1)}
	go r.run(first)
	return r, nil
}

// Start is when the recording began: window 0 starts here.
func (r *Recorder) Start() time.Time { return r.start }

// run reads the counter at the end of each window. A failed read (the
// file is always there once it was) counts as no steal.
func (r *Recorder) run(prev time.Duration) {
	t := &Timeline{start: r.start}
	tick := time.NewTicker(Window)
	defer tick.Stop()
	for {
		select {
		case <-r.stop:
			r.done <- t
			return
		case now := <-tick.C:
			cur, err := stolen(r.fs)
			if err != nil {
				cur = prev
			}
			// The tick may fire late; what was stolen meanwhile belongs to
			// the window the tick ended.
			i := int(now.Sub(r.start)/Window) - 1
			for len(t.steal) <= i {
				t.steal = append(t.steal, 0)
			}
			if i >= 0 {
				t.steal[i] += cur - prev
			}
			prev = cur
		}
	}
}

// Stop ends the recording and returns its timeline; later calls return
// the same one.
func (r *Recorder) Stop() *Timeline {
	r.once.Do(func() {
		close(r.stop)
		r.tl = <-r.done
	})
	return r.tl
}

// stolen is the machine's steal time since boot, all processors together.
func stolen(fs procfs.FS) (time.Duration, error) {
	st, err := fs.Stat()
	if err != nil {
		return 0, fmt.Errorf("steal: %w", err)
	}
	return time.Duration(st.CPUTotal.Steal * float64(time.Second)), nil
}

// Timeline is the steal time of each Window of a recording.
type Timeline struct {
	start time.Time
	steal []time.Duration
}

// NewTimeline is a timeline from start with the given steal per window
// (for tests).
func NewTimeline(start time.Time, perWindow []time.Duration) *Timeline {
	return &Timeline{start: start, steal: perWindow}
}

// Share is the fraction of windows that saw any steal.
func (t *Timeline) Share() float64 {
	if len(t.steal) == 0 {
		return 0
	}
	n := 0
	for _, s := range t.steal {
		if s > 0 {
			n++
		}
	}
	return float64(n) / float64(len(t.steal))
}

// Quiet reports whether no steal was seen from the window before from's
// to the window after to's. A span outside the recording is not quiet.
func (t *Timeline) Quiet(from, to time.Time) bool {
	a := int(from.Sub(t.start)/Window) - 1
	b := int(to.Sub(t.start)/Window) + 1
	if from.Before(t.start) || a >= len(t.steal) || to.Before(from) {
		return false
	}
	for i := max(a, 0); i <= b && i < len(t.steal); i++ {
		if t.steal[i] > 0 {
			return false
		}
	}
	return b < len(t.steal)
}
