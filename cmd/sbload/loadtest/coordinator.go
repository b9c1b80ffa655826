package loadtest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"time"
)

// Plan describes the connections of a run and how they are spread.
type Plan struct {
	// Protocol is "native" or "socketio"; Addr the server's host:port.
	Protocol string
	Addr     string
	// Addr2, when set, is the server the second peer of each pair
	// connects to (WorkerConfig.Addr2).
	Addr2 string
	// Mixed, with Addr2, splits only half the pairs (WorkerConfig.Mixed).
	Mixed bool
	// TLS speaks wss:// to the server (Target.TLS).
	TLS bool
	// Pairs is how many rooms of two the run fills (relay and idle).
	Pairs int
	// Workers is how many workers share the pairs; LocalIPs, when set,
	// gives worker i the source address LocalIPs[i%len(LocalIPs)].
	Workers  int
	LocalIPs []string
	// PayloadSize and ConnectConcurrency are passed to every worker.
	PayloadSize        int
	ConnectConcurrency int
	// ConnectRate, when not 0, paces the setup to so many pairs per
	// second in all, shared by the workers.
	ConnectRate float64
	// ServerPID, when not 0, is the server process to measure.
	ServerPID int
	// CountSyscalls counts the server's system calls during relay phases
	// with perf (see syscallCounter); it needs ServerPID.
	CountSyscalls bool
	// Spawn, when set, makes the command that runs worker i as a child
	// process (see ServeWorker); when nil, workers run in this process.
	// One process may hold only so many sockets.
	Spawn func(i int) *exec.Cmd
}

// Phase is one measured step of a run.
type Phase struct {
	// Name is "setup", "relay", "hold" or "churn".
	Name string `json:"name"`
	// Rate is the payloads per second each peer sends (relay).
	Rate float64 `json:"rate,omitempty"`
	// Elapsed is how long the phase took, drain included.
	Elapsed time.Duration `json:"elapsed"`
	Sample  *Sample       `json:"sample"`
	Cost    ServerCost    `json:"cost"`
}

// CPUPer1000 is the server's CPU time per 1,000 relayed payloads
// received, or 0 when none were.
func (p Phase) CPUPer1000() time.Duration {
	if p.Sample == nil || p.Sample.Received == 0 {
		return 0
	}
	return time.Duration(float64(p.Cost.CPU()) * 1000 / float64(p.Sample.Received))
}

// SystemPer1000 is the kernel's part of CPUPer1000.
func (p Phase) SystemPer1000() time.Duration {
	if p.Sample == nil || p.Sample.Received == 0 {
		return 0
	}
	return time.Duration(float64(p.Cost.System()) * 1000 / float64(p.Sample.Received))
}

// SyscallsPerMessage is the server's system calls per relayed payload
// received, or 0 when they were not counted.
func (p Phase) SyscallsPerMessage() float64 {
	if p.Sample == nil || p.Sample.Received == 0 {
		return 0
	}
	return float64(p.Cost.Syscalls) / float64(p.Sample.Received)
}

// Run is a set of workers holding their connections between phases.
type Run struct {
	plan    Plan
	workers []workerHandle
}

// workerHandle is a Worker in this process or in a child.
type workerHandle interface {
	do(ctx context.Context, c command) (*Sample, error)
	close() error
}

// command is one request to a worker.
type command struct {
	Op          string        `json:"op"` // setup, relay, churn, close
	Rate        float64       `json:"rate,omitempty"`
	Duration    time.Duration `json:"duration,omitempty"`
	Drain       time.Duration `json:"drain,omitempty"`
	Concurrency int           `json:"concurrency,omitempty"`
	Messages    int           `json:"messages,omitempty"`
}

type answer struct {
	Sample *Sample `json:"sample,omitempty"`
	Error  string  `json:"error,omitempty"`
}

// Start creates the plan's workers; they connect nothing until Setup.
func Start(plan Plan) (*Run, error) {
	plan.Workers = max(plan.Workers, 1)
	var id [3]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never returns an error
	runID := hex.EncodeToString(id[:])
	r := &Run{plan: plan}
	for i := range plan.Workers {
		cfg := WorkerConfig{
			Protocol: plan.Protocol, Addr: plan.Addr, Addr2: plan.Addr2, Mixed: plan.Mixed, TLS: plan.TLS, Index: i, RunID: runID,
			Pairs:       plan.Pairs / plan.Workers,
			PayloadSize: plan.PayloadSize, ConnectConcurrency: plan.ConnectConcurrency,
		}
		if i < plan.Pairs%plan.Workers {
			cfg.Pairs++
		}
		if plan.ConnectRate > 0 {
			cfg.ConnectRate = plan.ConnectRate / float64(plan.Workers)
		}
		if len(plan.LocalIPs) > 0 {
			cfg.LocalIP = plan.LocalIPs[i%len(plan.LocalIPs)]
		}
		h, err := r.newWorker(i, cfg)
		if err != nil {
			r.Close()
			return nil, err
		}
		r.workers = append(r.workers, h)
	}
	return r, nil
}

func (r *Run) newWorker(i int, cfg WorkerConfig) (workerHandle, error) {
	if r.plan.Spawn == nil {
		w, err := NewWorker(cfg)
		if err != nil {
			return nil, err
		}
		return localWorker{w}, nil
	}
	return spawnWorker(r.plan.Spawn(i), cfg)
}

// Setup connects every pair.
func (r *Run) Setup(ctx context.Context) (Phase, error) {
	return r.phase(ctx, "setup", command{Op: "setup"})
}

// Relay has every peer send rate payloads per second for d.
func (r *Run) Relay(ctx context.Context, rate float64, d, drain time.Duration) (Phase, error) {
	p, err := r.phase(ctx, "relay", command{Op: "relay", Rate: rate, Duration: d, Drain: drain})
	p.Rate = rate
	return p, err
}

// Churn runs concurrency join-signal-leave loops per worker for d.
func (r *Run) Churn(ctx context.Context, d time.Duration, concurrency, messages int) (Phase, error) {
	return r.phase(ctx, "churn", command{Op: "churn", Duration: d, Concurrency: concurrency, Messages: messages})
}

// Hold measures the server while the connections stay idle for d.
func (r *Run) Hold(ctx context.Context, d time.Duration) Phase {
	w := WatchProc(r.plan.ServerPID)
	start := time.Now()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	return Phase{Name: "hold", Elapsed: time.Since(start), Sample: NewSample(), Cost: w.Stop()}
}

// phase runs c on every worker at once and merges their samples.
func (r *Run) phase(ctx context.Context, name string, c command) (Phase, error) {
	watch := WatchProc(r.plan.ServerPID)
	var sc *syscallCounter
	if r.plan.CountSyscalls && r.plan.ServerPID != 0 && name == "relay" {
		var err error
		if sc, err = countSyscalls(r.plan.ServerPID); err != nil {
			return Phase{Name: name, Sample: NewSample(), Cost: watch.Stop()}, err
		}
	}
	start := time.Now()
	samples := make([]*Sample, len(r.workers))
	errs := make([]error, len(r.workers))
	var wg sync.WaitGroup
	for i, h := range r.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			samples[i], errs[i] = h.do(ctx, c)
		}()
	}
	wg.Wait()
	p := Phase{Name: name, Elapsed: time.Since(start), Sample: NewSample(), Cost: watch.Stop()}
	if sc != nil {
		n, err := sc.stop()
		if err != nil {
			errs = append(errs, err)
		}
		p.Cost.Syscalls = n
	}
	for _, s := range samples {
		if s != nil {
			p.Sample.Merge(s)
		}
	}
	return p, errors.Join(errs...)
}

// Close closes every connection and stops the workers.
func (r *Run) Close() error {
	var errs []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, h := range r.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.close(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	r.workers = nil
	return errors.Join(errs...)
}

// localWorker runs a Worker in this process.
type localWorker struct{ w *Worker }

func (l localWorker) do(ctx context.Context, c command) (*Sample, error) {
	return l.w.do(ctx, c)
}

func (l localWorker) close() error {
	l.w.Close()
	return nil
}

func (w *Worker) do(ctx context.Context, c command) (*Sample, error) {
	switch c.Op {
	case "setup":
		s := w.Setup(ctx)
		if len(w.pairs) == 0 && w.cfg.Pairs > 0 {
			return s, errNoPairs
		}
		return s, nil
	case "relay":
		return w.Relay(ctx, c.Rate, c.Duration, c.Drain), nil
	case "churn":
		return w.Churn(ctx, c.Duration, c.Concurrency, c.Messages), nil
	}
	return nil, fmt.Errorf("unknown worker command %q", c.Op)
}

// childWorker is a Worker in a child process, spoken to in JSON lines.
type childWorker struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *json.Decoder
	mu  sync.Mutex
}

func spawnWorker(cmd *exec.Cmd, cfg WorkerConfig) (*childWorker, error) {
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	c := &childWorker{cmd: cmd, in: in, out: json.NewDecoder(bufio.NewReader(out))}
	if err := json.NewEncoder(in).Encode(cfg); err != nil {
		c.close()
		return nil, fmt.Errorf("configure worker: %w", err)
	}
	return c, nil
}

func (c *childWorker) do(ctx context.Context, cmd command) (*Sample, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := json.NewEncoder(c.in).Encode(cmd); err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	var a answer
	if err := c.out.Decode(&a); err != nil {
		return nil, fmt.Errorf("worker answer: %w", err)
	}
	if a.Error != "" {
		return a.Sample, errors.New(a.Error)
	}
	return a.Sample, nil
}

func (c *childWorker) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = json.NewEncoder(c.in).Encode(command{Op: "close"})
	c.in.Close()
	return c.cmd.Wait()
}

// ServeWorker is the main loop of a worker child process: it reads its
// WorkerConfig and then commands from in, one JSON value each, and writes
// one answer per command to out, until "close" or the end of in.
func ServeWorker(ctx context.Context, in io.Reader, out io.Writer) error {
	dec := json.NewDecoder(bufio.NewReader(in))
	enc := json.NewEncoder(out)
	var cfg WorkerConfig
	if err := dec.Decode(&cfg); err != nil {
		return fmt.Errorf("worker config: %w", err)
	}
	w, err := NewWorker(cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	for {
		var c command
		if err := dec.Decode(&c); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if c.Op == "close" {
			return nil
		}
		s, err := w.do(ctx, c)
		a := answer{Sample: s}
		if err != nil {
			a.Error = err.Error()
		}
		if err := enc.Encode(a); err != nil {
			return err
		}
	}
}
