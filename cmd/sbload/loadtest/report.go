package loadtest

import (
	"fmt"
	"io"
	"strings"
	"time"

	"signalbox/internal/steal"
)

// WriteText writes a human summary of r.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s %s over %s: %d pairs, %d workers, %s\n", r.Label, r.Scenario, r.Protocol, r.Pairs, r.Workers, r.Date.Format(time.RFC3339))
	if r.Setup != nil {
		s := r.Setup.Sample
		fmt.Fprintf(w, "  setup: %d conns in %s (errors: connect %d, join %d); connect p50 %s p99 %s; join p50 %s p99 %s\n",
			s.Conns, r.Setup.Elapsed.Round(time.Millisecond), s.ConnectErrors, s.JoinErrors,
			ms(s.Connect.Quantile(50)), ms(s.Connect.Quantile(99)), ms(s.Join.Quantile(50)), ms(s.Join.Quantile(99)))
	}
	for _, p := range r.Steps {
		s := p.Sample
		fmt.Fprintf(w, "  %s", p.Name)
		if p.Rate > 0 {
			fmt.Fprintf(w, " %g/s per peer (%.0f/s total)", p.Rate, p.Rate*float64(s.Conns))
		}
		fmt.Fprintf(w, " in %s:", p.Elapsed.Round(time.Millisecond))
		if s.Relay.Count() > 0 || s.Sent > 0 {
			fmt.Fprintf(w, " relay p50 %s p90 %s p99 %s max %s; sent %d received %d lost %d out-of-order %d wrong-room %d; send errors %d, disconnects %d; generator lag p99 %s",
				ms(s.Relay.Quantile(50)), ms(s.Relay.Quantile(90)), ms(s.Relay.Quantile(99)), ms(s.Relay.Max()),
				s.Sent, s.Received, s.Lost, s.OutOfOrder, s.WrongRoom, s.SendErrors, s.Disconnects, ms(s.Lag.Quantile(99)))
			if s.Quiet != nil && s.Relay.Count() > 0 {
				fmt.Fprintf(w, "; steal in %.0f %% of windows, relay p99 steal-free %s (%.0f %% of payloads)",
					100*s.Steal, quietP99(s), 100*float64(s.Quiet.Count())/float64(s.Relay.Count()))
			}
			if s.Hop != nil {
				fmt.Fprintf(w, "; %s", s.Hop)
			}
		}
		if s.Cycles > 0 {
			fmt.Fprintf(w, "; %d cycles (%.0f/s), join p99 %s", s.Cycles, float64(s.Cycles)/p.Elapsed.Seconds(), ms(s.Join.Quantile(99)))
		}
		c := p.Cost
		if c.Before.RSSKiB > 0 {
			fmt.Fprintf(w, "; server RSS %s → peak %s → %s, CPU %.2f s", kib(c.Before.RSSKiB), kib(c.PeakRSSKiB), kib(c.After.RSSKiB), c.CPU().Seconds())
			if d := p.CPUPer1000(); d > 0 {
				fmt.Fprintf(w, " (%.1f ms per 1,000 payloads, %.1f in the kernel)", float64(d)/float64(time.Millisecond), float64(p.SystemPer1000())/float64(time.Millisecond))
			}
			if n := p.SyscallsPerMessage(); n > 0 {
				fmt.Fprintf(w, ", %.2f system calls per payload", n)
			}
		}
		fmt.Fprintln(w)
	}
	if r.Knee > 0 || r.Scenario == ScenarioKnee {
		fmt.Fprintf(w, "  knee: %.0f payloads/s with p99 ≤ %s and nothing lost\n", r.Knee, ms(r.KneeP99))
	}
	if r.Idle != nil {
		fmt.Fprintf(w, "  idle: %d conns; server RSS %s before, %s held, %s after: %.1f KiB per connection\n",
			r.Idle.Conns, kib(r.Idle.BeforeKiB), kib(r.Idle.HeldKiB), kib(r.Idle.AfterKiB), r.Idle.PerConnKiB())
	}
	if r.Final.RSSKiB > 0 {
		fmt.Fprintf(w, "  server after closing: RSS %s, %d threads\n", kib(r.Final.RSSKiB), r.Final.Threads)
	}
}

// ms formats d in milliseconds with two decimals.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// kib formats a size in KiB as MiB.
func kib(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/1024)
}

// Column is one server and protocol in a comparison table, with its
// reports by scenario.
type Column struct {
	Name    string
	Reports map[string]*Report
}

// row is one line of the comparison: a label and how to read its value
// from a column's reports ("" when the column lacks that scenario).
type row struct {
	label string
	value func(c Column) string
}

// WriteTable writes a Markdown table comparing cols, one row per metric.
func WriteTable(w io.Writer, cols []Column) {
	fmt.Fprintf(w, "| metric |")
	for _, c := range cols {
		fmt.Fprintf(w, " %s |", c.Name)
	}
	fmt.Fprintf(w, "\n|---|")
	for range cols {
		fmt.Fprintf(w, "---:|")
	}
	fmt.Fprintln(w)
	for _, r := range tableRows(cols) {
		fmt.Fprintf(w, "| %s |", r.label)
		for _, c := range cols {
			fmt.Fprintf(w, " %s |", r.value(c))
		}
		fmt.Fprintln(w)
	}
}

func tableRows(cols []Column) []row {
	title := func(scenario string) string {
		for _, c := range cols {
			if r := c.Reports[scenario]; r != nil {
				switch scenario {
				case ScenarioRelay:
					if len(r.Steps) > 0 {
						return fmt.Sprintf("relay %d pairs × %g msg/s", r.Pairs, r.Steps[0].Rate)
					}
				case ScenarioKnee:
					return fmt.Sprintf("knee at %d connections", 2*r.Pairs)
				case ScenarioIdle:
					return fmt.Sprintf("idle %d connections", 2*r.Pairs)
				case ScenarioChurn:
					return "churn"
				}
			}
		}
		return scenario
	}
	setup := func(sc string, f func(*Sample) string) func(Column) string {
		return func(c Column) string {
			r := c.Reports[sc]
			if r == nil || r.Setup == nil {
				return "–"
			}
			return f(r.Setup.Sample)
		}
	}
	step := func(sc string, f func(Phase) string) func(Column) string {
		return func(c Column) string {
			r := c.Reports[sc]
			if r == nil || len(r.Steps) == 0 {
				return "–"
			}
			return f(r.Steps[0])
		}
	}
	rep := func(sc string, f func(*Report) string) func(Column) string {
		return func(c Column) string {
			r := c.Reports[sc]
			if r == nil {
				return "–"
			}
			return f(r)
		}
	}
	q := func(h *Hist, p float64) string { return ms(h.Quantile(p)) }
	relay, knee, idle, churn := title(ScenarioRelay), title(ScenarioKnee), title(ScenarioIdle), title(ScenarioChurn)
	return []row{
		{"**" + relay + "**: connect p50 / p99", setup(ScenarioRelay, func(s *Sample) string { return q(s.Connect, 50) + " / " + q(s.Connect, 99) })},
		{"join p50 / p99", setup(ScenarioRelay, func(s *Sample) string { return q(s.Join, 50) + " / " + q(s.Join, 99) })},
		{"relay p50 / p90", step(ScenarioRelay, func(p Phase) string { return q(p.Sample.Relay, 50) + " / " + q(p.Sample.Relay, 90) })},
		{"relay **p99** / max", step(ScenarioRelay, func(p Phase) string { return "**" + q(p.Sample.Relay, 99) + "** / " + ms(p.Sample.Relay.Max()) })},
		{"relay p99 steal-free (share of payloads) / windows with steal", step(ScenarioRelay, quietCell)},
		{"sent / received", step(ScenarioRelay, func(p Phase) string { return fmt.Sprintf("%d / %d", p.Sample.Sent, p.Sample.Received) })},
		{"lost / out of order / wrong room", step(ScenarioRelay, lossCell)},
		{"server RSS before / peak / after", step(ScenarioRelay, rssCell)},
		{"server CPU per 1,000 messages (in the kernel)", step(ScenarioRelay, func(p Phase) string {
			return fmt.Sprintf("%.1f ms (%.1f)", float64(p.CPUPer1000())/float64(time.Millisecond), float64(p.SystemPer1000())/float64(time.Millisecond))
		})},
		{"server system calls per message", step(ScenarioRelay, func(p Phase) string {
			if p.Cost.Syscalls == 0 {
				return "–"
			}
			return fmt.Sprintf("%.2f", p.SyscallsPerMessage())
		})},
		{"load generator lag p99", step(ScenarioRelay, func(p Phase) string { return q(p.Sample.Lag, 99) })},
		{"**" + knee + "**: highest rate with p99 ≤ 10 ms, no loss", rep(ScenarioKnee, func(r *Report) string {
			return fmt.Sprintf("**%.0f msg/s**", r.Knee)
		})},
		{"steps: msg/s → p99 (lost)", rep(ScenarioKnee, kneeSteps)},
		{"**" + idle + "**: held", rep(ScenarioIdle, func(r *Report) string {
			if r.Idle == nil {
				return "–"
			}
			return fmt.Sprintf("%d", r.Idle.Conns)
		})},
		{"server RSS before / held / after", rep(ScenarioIdle, func(r *Report) string {
			if r.Idle == nil {
				return "–"
			}
			return kib(r.Idle.BeforeKiB) + " / " + kib(r.Idle.HeldKiB) + " / " + kib(r.Idle.AfterKiB)
		})},
		{"RSS **per connection**", rep(ScenarioIdle, func(r *Report) string {
			if r.Idle == nil {
				return "–"
			}
			return fmt.Sprintf("**%.1f KiB**", r.Idle.PerConnKiB())
		})},
		{"join p50 / **p99** (while filling)", setup(ScenarioIdle, func(s *Sample) string { return q(s.Join, 50) + " / **" + q(s.Join, 99) + "**" })},
		{"**" + churn + "**: cycles (per s)", step(ScenarioChurn, func(p Phase) string {
			return fmt.Sprintf("%d (%.0f/s)", p.Sample.Cycles, float64(p.Sample.Cycles)/p.Elapsed.Seconds())
		})},
		{"join p99 / relay p99", step(ScenarioChurn, func(p Phase) string { return q(p.Sample.Join, 99) + " / " + q(p.Sample.Relay, 99) })},
		{"lost / out of order / wrong room", step(ScenarioChurn, lossCell)},
		{"connect / join errors", step(ScenarioChurn, func(p Phase) string {
			return fmt.Sprintf("%d / %d", p.Sample.ConnectErrors, p.Sample.JoinErrors)
		})},
		{"server RSS before / peak / after", step(ScenarioChurn, rssCell)},
	}
}

func lossCell(p Phase) string {
	return fmt.Sprintf("%d / %d / %d", p.Sample.Lost, p.Sample.OutOfOrder, p.Sample.WrongRoom)
}

func rssCell(p Phase) string {
	c := p.Cost
	return kib(c.Before.RSSKiB) + " / " + kib(c.PeakRSSKiB) + " / " + kib(c.After.RSSKiB)
}

func kneeSteps(r *Report) string {
	var b strings.Builder
	for i, p := range r.Steps {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.0f → %.1f", p.Rate*float64(p.Sample.Conns), float64(p.Sample.Relay.Quantile(99))/float64(time.Millisecond))
		if p.Sample.Lost > 0 {
			fmt.Fprintf(&b, " (%d)", p.Sample.Lost)
		}
	}
	return b.String()
}

// WriteTargets writes a Markdown table checking the targets for
// col against base (the Node server), by ratio where the target is one.
func WriteTargets(w io.Writer, base, col Column) {
	fmt.Fprintf(w, "| target | %s | %s | ratio | met |\n|---|---:|---:|---:|:---:|\n", base.Name, col.Name)
	relayP99 := func(c Column) (time.Duration, bool) {
		r := c.Reports[ScenarioRelay]
		if r == nil || len(r.Steps) == 0 || r.Steps[0].Sample.Relay.Count() == 0 {
			return 0, false
		}
		return r.Steps[0].Sample.Relay.Quantile(99), true
	}
	mark := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	if b, ok1 := relayP99(base); ok1 {
		if c, ok2 := relayP99(col); ok2 {
			r := col.Reports[ScenarioRelay]
			fmt.Fprintf(w, "| relay %d pairs × %g msg/s: p99 ≤ 5 ms | %s | %s | %.0f× faster | %s |\n",
				r.Pairs, r.Steps[0].Rate, ms(b), ms(c), float64(b)/float64(max(c, 1)), mark(c <= 5*time.Millisecond && r.Steps[0].Sample.Lost == 0))
		}
	}
	if b, c := base.Reports[ScenarioKnee], col.Reports[ScenarioKnee]; b != nil && c != nil {
		ratio := c.Knee / max(b.Knee, 1)
		fmt.Fprintf(w, "| highest relay rate, p99 ≤ 10 ms, no loss: ≥ 5× Node | %.0f msg/s | %.0f msg/s | %.1f× | %s |\n",
			b.Knee, c.Knee, ratio, mark(ratio >= 5))
	}
	if b, c := base.Reports[ScenarioIdle], col.Reports[ScenarioIdle]; b != nil && c != nil && b.Idle != nil && c.Idle != nil {
		ratio := c.Idle.PerConnKiB() / b.Idle.PerConnKiB()
		fmt.Fprintf(w, "| idle RSS per connection ≤ ½ Node's (%d / %d held) | %.1f KiB | %.1f KiB | %.2f | %s |\n",
			b.Idle.Conns, c.Idle.Conns, b.Idle.PerConnKiB(), c.Idle.PerConnKiB(), ratio, mark(ratio <= 0.5 && c.Idle.Conns >= b.Idle.Conns))
	}
	for _, sc := range []string{ScenarioRelay, ScenarioIdle} {
		b, c := base.Reports[sc], col.Reports[sc]
		if b == nil || c == nil || b.Setup == nil || c.Setup == nil {
			continue
		}
		bj, cj := b.Setup.Sample.Join.Quantile(99), c.Setup.Sample.Join.Quantile(99)
		ratio := float64(cj) / float64(max(bj, 1))
		fmt.Fprintf(w, "| join p99 ≤ ⅕ Node's (%s, %d connections) | %s | %s | %.2f | %s |\n",
			sc, 2*c.Pairs, ms(bj), ms(cj), ratio, mark(ratio <= 0.2))
	}
}

// WriteFloorTargets writes a Markdown table checking the transport
// kernel's targets (issue 14) for col against base (PeerJS server): CPU per
// message at most half of base's, at most 3 system calls per relayed
// message, p99 ≤ 5 ms with nothing lost, at most 5 KiB per idle connection.
func WriteFloorTargets(w io.Writer, base, col Column) {
	fmt.Fprintf(w, "| target | %s | %s | ratio | met |\n|---|---:|---:|---:|:---:|\n", base.Name, col.Name)
	mark := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	relay := func(c Column) *Phase {
		r := c.Reports[ScenarioRelay]
		if r == nil || len(r.Steps) == 0 {
			return nil
		}
		return &r.Steps[0]
	}
	b, c := relay(base), relay(col)
	if b != nil && c != nil {
		bc, cc := b.CPUPer1000(), c.CPUPer1000()
		ratio := float64(cc) / float64(max(bc, 1))
		fmt.Fprintf(w, "| server CPU per message ≤ ½ PeerJS's | %s | %s | %.2f | %s |\n", perMessage(b), perMessage(c), ratio, mark(ratio <= 0.5))
		if c.Cost.Syscalls > 0 {
			bs := "–"
			if b.Cost.Syscalls > 0 {
				bs = fmt.Sprintf("%.2f", b.SyscallsPerMessage())
			}
			fmt.Fprintf(w, "| system calls per relayed message ≤ 3 | %s | %.2f | | %s |\n", bs, c.SyscallsPerMessage(), mark(c.SyscallsPerMessage() <= 3))
		}
		p99 := c.Sample.Relay.Quantile(99)
		fmt.Fprintf(w, "| relay p99 ≤ 5 ms, nothing lost | %s | %s (lost %d) | | %s |\n",
			ms(b.Sample.Relay.Quantile(99)), ms(p99), c.Sample.Lost, mark(p99 <= 5*time.Millisecond && c.Sample.Lost == 0))
	}
	if bi, ci := base.Reports[ScenarioIdle], col.Reports[ScenarioIdle]; bi != nil && ci != nil && bi.Idle != nil && ci.Idle != nil {
		fmt.Fprintf(w, "| idle RSS per connection ≤ 5 KiB | %.1f KiB | %.1f KiB | | %s |\n",
			bi.Idle.PerConnKiB(), ci.Idle.PerConnKiB(), mark(ci.Idle.PerConnKiB() <= 5))
	}
}

// perMessage is a relay phase's server CPU per message in µs, with the
// kernel's part of it.
func perMessage(p *Phase) string {
	us := func(per1000 time.Duration) float64 { return float64(per1000) / float64(time.Microsecond) / 1000 }
	return fmt.Sprintf("%.1f µs (kernel %.1f)", us(p.CPUPer1000()), us(p.SystemPer1000()))
}

// quietCell is the relay p99 of the payloads that crossed no steal, the
// share of payloads that is, and the share of windows with steal.
func quietCell(p Phase) string {
	s := p.Sample
	if s.Quiet == nil || s.Relay.Count() == 0 {
		return "–"
	}
	return fmt.Sprintf("%s (%.0f %%) / %.0f %%", quietP99(s), 100*float64(s.Quiet.Count())/float64(s.Relay.Count()), 100*s.Steal)
}

// String says what the hop adds: the local and split pairs' p50 and p99,
// over all payloads and steal-free, and the differences.
func (h *HopSample) String() string {
	added := func(split, local *Hist, q float64) string {
		if split.Count() < steal.MinSamples || local.Count() < steal.MinSamples {
			return "–"
		}
		return fmt.Sprintf("%+.2f ms", float64(split.Quantile(q)-local.Quantile(q))/float64(time.Millisecond))
	}
	p := func(x *Hist, q float64) string {
		if x.Count() < steal.MinSamples {
			return "–"
		}
		return ms(x.Quantile(q))
	}
	l, sp := h.Local, h.Split
	return fmt.Sprintf("hop: local pairs p50 %s p99 %s steal-free p99 %s, split pairs p50 %s p99 %s steal-free p99 %s; added by the hop p50 %s p99 %s steal-free p99 %s",
		p(l.All, 50), p(l.All, 99), p(l.Quiet, 99), p(sp.All, 50), p(sp.All, 99), p(sp.Quiet, 99),
		added(sp.All, l.All, 50), added(sp.All, l.All, 99), added(sp.Quiet, l.Quiet, 99))
}

// quietP99 is the steal-free p99, or "–" when too few payloads were
// steal-free to say.
func quietP99(s *Sample) string {
	if s.Quiet.Count() < steal.MinSamples {
		return "–"
	}
	return ms(s.Quiet.Quantile(99))
}
