package loadtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat:
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// procPoll is how often a ProcWatch samples the server.
const procPoll = 100 * time.Millisecond

// ProcSample is a process's memory and CPU time at one moment.
type ProcSample struct {
	// RSSKiB is the resident set (VmRSS).
	RSSKiB int64 `json:"rssKiB"`
	// CPU is user plus system time used so far; System the part spent in
	// the kernel (its system calls, and the loopback's delivery to the
	// receiving socket, which runs in the sender's write).
	CPU    time.Duration `json:"cpu"`
	System time.Duration `json:"system,omitempty"`
	// Threads is the process's thread count.
	Threads int `json:"threads"`
}

// ReadProc reads pid's RSS from /proc/PID/status and its CPU time from
// /proc/PID/stat.
func ReadProc(pid int) (ProcSample, error) {
	var s ProcSample
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		switch k {
		case "VmRSS":
			s.RSSKiB, _ = strconv.ParseInt(f[0], 10, 64)
		case "Threads":
			s.Threads, _ = strconv.Atoi(f[0])
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	// The command name may hold spaces; the fields we want follow ")".
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return s, fmt.Errorf("parse /proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state); utime is field 14, stime field 15.
	if len(f) < 13 {
		return s, fmt.Errorf("parse /proc/%d/stat: %d fields", pid, len(f))
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return s, fmt.Errorf("parse /proc/%d/stat: bad CPU times", pid)
	}
	s.CPU = time.Duration(ut+st) * time.Second / clockTicks
	s.System = time.Duration(st) * time.Second / clockTicks
	return s, nil
}

// ServerCost is what a phase cost the server process.
type ServerCost struct {
	Before ProcSample `json:"before"`
	After  ProcSample `json:"after"`
	// PeakRSSKiB is the highest RSS sampled during the phase.
	PeakRSSKiB int64 `json:"peakRSSKiB"`
	// Syscalls is how many system calls the server made during the
	// phase, when counted (Plan.CountSyscalls); 0 otherwise.
	Syscalls int64 `json:"syscalls,omitempty"`
}

// CPU is the CPU time the phase used.
func (c ServerCost) CPU() time.Duration { return c.After.CPU - c.Before.CPU }

// System is the part of CPU spent in the kernel.
func (c ServerCost) System() time.Duration { return c.After.System - c.Before.System }

// ProcWatch samples a process while a phase runs, to find its peak RSS.
type ProcWatch struct {
	pid  int
	cost ServerCost
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
}

// WatchProc starts sampling pid; a pid of 0 watches nothing.
func WatchProc(pid int) *ProcWatch {
	w := &ProcWatch{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	if pid == 0 {
		close(w.done)
		return w
	}
	w.cost.Before, _ = ReadProc(pid)
	w.cost.PeakRSSKiB = w.cost.Before.RSSKiB
	go w.loop()
	return w
}

func (w *ProcWatch) loop() {
	defer close(w.done)
	t := time.NewTicker(procPoll)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			if s, err := ReadProc(w.pid); err == nil {
				w.mu.Lock()
				w.cost.PeakRSSKiB = max(w.cost.PeakRSSKiB, s.RSSKiB)
				w.mu.Unlock()
			}
		}
	}
}

// Stop ends sampling and returns the phase's cost.
func (w *ProcWatch) Stop() ServerCost {
	if w.pid == 0 {
		return ServerCost{}
	}
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cost.After, _ = ReadProc(w.pid)
	w.cost.PeakRSSKiB = max(w.cost.PeakRSSKiB, w.cost.After.RSSKiB)
	return w.cost
}
