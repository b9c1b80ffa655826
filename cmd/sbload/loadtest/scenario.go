package loadtest

import (
	"context"
	"fmt"
	"time"
)

// The scenarios.
const (
	ScenarioRelay = "relay" // pairs relay at a fixed rate
	ScenarioKnee  = "knee"  // pairs relay at rising rates until latency or loss breaks
	ScenarioIdle  = "idle"  // pairs joined and held: memory per connection
	ScenarioChurn = "churn" // peers join, signal and leave continuously
)

// Defaults for Options.
const (
	// DefaultKneeP99 is the relay p99 a knee step must stay under.
	DefaultKneeP99 = 10 * time.Millisecond
	// DefaultSettle is how long an idle run waits, connected, before it
	// reads the server's memory, and again after closing.
	DefaultSettle = 5 * time.Second
)

// Options describe one scenario run.
type Options struct {
	Plan
	// Label names the server in reports ("signalbox", "node").
	Label    string
	Scenario string
	// Rate is each peer's payloads per second (relay); Rates the steps of
	// a knee search.
	Rate  float64
	Rates []float64
	// Duration is the length of a relay step or a churn run; Drain how
	// long to wait for payloads in flight afterwards.
	Duration time.Duration
	Drain    time.Duration
	// Settle is how long an idle run waits before reading memory; Hold
	// how long it then keeps the connections.
	Settle time.Duration
	Hold   time.Duration
	// KneeP99 is the latency bound of a good knee step.
	KneeP99 time.Duration
	// ChurnConcurrency is the number of churn loops per worker;
	// ChurnMessages the payloads each peer sends per cycle.
	ChurnConcurrency int
	ChurnMessages    int
}

// IdleCost is the server memory an idle run measured.
type IdleCost struct {
	Conns     uint64 `json:"conns"`
	BeforeKiB int64  `json:"beforeKiB"` // server RSS before connecting
	HeldKiB   int64  `json:"heldKiB"`   // with every connection joined, settled
	AfterKiB  int64  `json:"afterKiB"`  // after closing them all, settled
}

// PerConnKiB is the RSS each held connection added.
func (c IdleCost) PerConnKiB() float64 {
	if c.Conns == 0 {
		return 0
	}
	return float64(c.HeldKiB-c.BeforeKiB) / float64(c.Conns)
}

// Report is the outcome of one scenario run.
type Report struct {
	Label    string    `json:"label"`
	Scenario string    `json:"scenario"`
	Protocol string    `json:"protocol"`
	Date     time.Time `json:"date"`
	Pairs    int       `json:"pairs"`
	Workers  int       `json:"workers"`
	// Setup is the connecting phase; Steps the measured phases after it.
	Setup *Phase  `json:"setup,omitempty"`
	Steps []Phase `json:"steps"`
	// Baseline and Final are the server before the run and after it
	// closed its connections and settled.
	Baseline ProcSample `json:"baseline"`
	Final    ProcSample `json:"final"`
	Idle     *IdleCost  `json:"idle,omitempty"`
	// Knee is the highest total relay rate (payloads/s) of a knee step
	// with p99 within KneeP99 and nothing lost; KneeP99 that bound.
	Knee    float64       `json:"knee,omitempty"`
	KneeP99 time.Duration `json:"kneeP99,omitempty"`
}

// RunScenario runs o.Scenario and reports it. Errors of single connections
// are counted in the report, not returned.
func RunScenario(ctx context.Context, o Options) (*Report, error) {
	o.Drain = cmpOr(o.Drain, DefaultDrain)
	o.Settle = cmpOr(o.Settle, DefaultSettle)
	o.KneeP99 = cmpOr(o.KneeP99, DefaultKneeP99)
	rep := &Report{Label: o.Label, Scenario: o.Scenario, Protocol: o.Protocol, Date: time.Now().UTC(),
		Pairs: o.Pairs, Workers: max(o.Workers, 1)}
	if o.ServerPID != 0 {
		rep.Baseline, _ = ReadProc(o.ServerPID)
	}
	if o.Scenario == ScenarioChurn {
		o.Plan.Pairs = 0
	}
	run, err := Start(o.Plan)
	if err != nil {
		return nil, err
	}
	defer func() {
		if run != nil {
			run.Close()
		}
	}()
	if o.Scenario != ScenarioChurn {
		setup, err := run.Setup(ctx)
		rep.Setup = &setup
		if err != nil {
			return rep, fmt.Errorf("setup: %w", err)
		}
	}
	switch o.Scenario {
	case ScenarioRelay:
		p, err := run.Relay(ctx, o.Rate, o.Duration, o.Drain)
		rep.Steps = append(rep.Steps, p)
		if err != nil {
			return rep, err
		}
	case ScenarioKnee:
		rep.KneeP99 = o.KneeP99
		for _, rate := range o.Rates {
			p, err := run.Relay(ctx, rate, o.Duration, o.Drain)
			rep.Steps = append(rep.Steps, p)
			if err != nil {
				return rep, err
			}
			if !goodStep(p, o.KneeP99) {
				break
			}
			rep.Knee = rate * float64(p.Sample.Conns)
		}
	case ScenarioIdle:
		held := run.Hold(ctx, o.Settle)
		rep.Steps = append(rep.Steps, held)
		rep.Idle = &IdleCost{Conns: rep.Setup.Sample.Conns, BeforeKiB: rep.Baseline.RSSKiB, HeldKiB: held.Cost.After.RSSKiB}
		if o.Hold > 0 {
			rep.Steps = append(rep.Steps, run.Hold(ctx, o.Hold))
		}
	case ScenarioChurn:
		p, err := run.Churn(ctx, o.Duration, max(o.ChurnConcurrency, 1), cmpOr(o.ChurnMessages, DefaultChurnMessages))
		rep.Steps = append(rep.Steps, p)
		if err != nil {
			return rep, err
		}
	default:
		return rep, fmt.Errorf("unknown scenario %q", o.Scenario)
	}
	err = run.Close()
	run = nil
	if o.ServerPID != 0 {
		sleepCtx(ctx, o.Settle)
		rep.Final, _ = ReadProc(o.ServerPID)
		if rep.Idle != nil {
			rep.Idle.AfterKiB = rep.Final.RSSKiB
		}
	}
	return rep, err
}

// goodStep reports whether a relay step kept p99 within bound and lost
// nothing.
func goodStep(p Phase, bound time.Duration) bool {
	s := p.Sample
	return s.Lost == 0 && s.WrongRoom == 0 && s.SendErrors == 0 && s.Disconnects == 0 &&
		s.Relay.Count() > 0 && s.Relay.Quantile(99) <= bound
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
