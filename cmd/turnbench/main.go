// Command turnbench measures what relaying a classroom's video costs a TURN
// server: N one-way flows of video-like traffic (1,200-byte UDP packets at
// 1.5 Mbit/s each, sent in frame bursts at 30 frames a second), each from a
// pion/turn client through its own allocation to the allocation of its
// partner, as a call between two students behind AP isolation goes
// (relay candidate to relay candidate). Flows come in pairs, one each way.
//
// For each step of N it runs the same traffic straight from socket to
// socket (the baseline), then through each target server, and prints per
// target: the server's CPU per Mbit/s (from /proc/PID/stat), one-way
// latency p50/p99 and what the relay added over the baseline, and loss.
//
//	turnbench -flows 10,30,60 -duration 10s -bind 10.99.0.1 \
//	  -target 'Signalbox=signalbox:ws://10.99.0.1:7480/ws:PID' \
//	  -target 'coturn=secret:10.99.0.1:3479:SECRET:PID'
//
// A "signalbox" target takes its TURN server and credentials from the
// welcome of a native WebSocket connection (one per client, joined to a room
// with its partner, as the relay serves only peers that hold a seat, and
// held open for the step); a "secret" target (coturn with use-auth-secret) gets
// credentials made from the shared secret with the same TURN REST scheme.
//
// It refuses any address outside 127.0.0.0/8 and 10.0.0.0/8: it is meant
// for loopback and private network namespaces (scripts/bench-turn.sh).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// targetFlag collects repeated -target flags.
type targetFlag []target

func (t *targetFlag) String() string { return fmt.Sprint(len(*t)) }

func (t *targetFlag) Set(v string) error {
	tg, err := parseTarget(v)
	if err != nil {
		return err
	}
	*t = append(*t, tg)
	return nil
}

func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fs := flag.NewFlagSet("turnbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var targets targetFlag
	flows := fs.String("flows", "10,30,60", "comma-separated numbers of one-way flows (even)")
	duration := fs.Duration("duration", 10*time.Second, "how long each step sends")
	bind := fs.String("bind", "127.0.0.1", "local address of the clients' sockets")
	jsonOut := fs.String("json", "", "also write the results as JSON to this file")
	fs.Var(&targets, "target", "NAME=signalbox:WSURL:PID or NAME=secret:HOST:PORT:SECRET:PID (repeatable)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	steps, err := parseFlows(*flows)
	if err == nil && len(targets) == 0 {
		err = errors.New("at least one -target is needed")
	}
	bindIP := net.ParseIP(*bind)
	if err == nil && !allowedIP(bindIP) {
		err = fmt.Errorf("-bind %q: only 127.0.0.0/8 and 10.0.0.0/8 are allowed", *bind)
	}
	if err != nil {
		fmt.Fprintln(stderr, "turnbench:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var results []Result
	for _, n := range steps {
		base, err := runStep(ctx, stepConfig{flows: n, duration: *duration, bind: bindIP}, nil, log)
		if err != nil {
			fmt.Fprintln(stderr, "turnbench: baseline:", err)
			return 1
		}
		base.Target = "direct"
		results = append(results, base)
		log.Info("step done", "target", "direct", "flows", n, "p50", base.P50, "p99", base.P99, "quietP99", base.QuietP99, "steal", base.Steal, "lost", base.Lost)
		for i := range targets {
			r, err := runStep(ctx, stepConfig{flows: n, duration: *duration, bind: bindIP}, &targets[i], log)
			if err != nil {
				fmt.Fprintf(stderr, "turnbench: %s, %d flows: %v\n", targets[i].name, n, err)
				return 1
			}
			r.Target = targets[i].name
			r.AddedP50 = r.P50 - base.P50
			r.AddedP99 = r.P99 - base.P99
			if r.QuietP99 > 0 && base.QuietP99 > 0 {
				r.QuietAddedP99 = r.QuietP99 - base.QuietP99
			}
			results = append(results, r)
			log.Info("step done", "target", r.Target, "flows", n, "p50", r.P50, "p99", r.P99, "quietP99", r.QuietP99, "steal", r.Steal, "lost", r.Lost, "cpuMsPerMbit", r.CPUMsPerMbit)
		}
	}
	writeTable(stdout, results, targets)
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(results, "", "  ")
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			fmt.Fprintln(stderr, "turnbench:", err)
			return 1
		}
	}
	return 0
}

// parseFlows reads "10,30,60".
func parseFlows(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 2 || n%2 != 0 {
			return nil, fmt.Errorf("-flows: %q is not an even number >= 2", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// allowedIP reports whether ip is loopback or in 10.0.0.0/8.
func allowedIP(ip net.IP) bool {
	if ip == nil {
		return false
	}
	_, ten, _ := net.ParseCIDR("10.0.0.0/8")
	return ip.IsLoopback() || ten.Contains(ip)
}

// writeTable prints a Markdown table: one row per step and target, and the
// CPU ratio of each target to the last one (the anchor) at each step.
func writeTable(w io.Writer, rs []Result, targets []target) {
	fmt.Fprintln(w, "| flows | offered Mbit/s | target | delivered Mbit/s | relay CPU (ms/s) | CPU ms per Mbit | p50 one-way | p99 one-way | added p50 | added p99 | steal windows | added p99, steal-free (packets) | lost / sent |")
	fmt.Fprintln(w, "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, r := range rs {
		cpu, per := "—", "—"
		if r.Target != "direct" {
			cpu = fmt.Sprintf("%.0f", r.CPUMsPerSec)
			per = fmt.Sprintf("%.2f", r.CPUMsPerMbit)
		}
		added50, added99, quiet := "—", "—", "p99 "+ms(r.QuietP99)
		if r.Target != "direct" {
			added50, added99, quiet = ms(r.AddedP50), ms(r.AddedP99), ms(r.QuietAddedP99)
		}
		if r.QuietP99 == 0 || (r.Target != "direct" && r.QuietAddedP99 == 0) {
			quiet = "—" // too few steal-free packets, here or in the baseline
		}
		quiet += fmt.Sprintf(" (%.0f %%)", 100*r.Quiet)
		fmt.Fprintf(w, "| %d | %.0f | %s | %.1f | %s | %s | %s | %s | %s | %s | %.0f %% | %s | %d / %d |\n",
			r.Flows, r.OfferedMbps, r.Target, r.DeliveredMbps, cpu, per, ms(r.P50), ms(r.P99), added50, added99, 100*r.Steal, quiet, r.Lost, r.Sent)
	}
	if len(targets) < 2 {
		return
	}
	anchor := targets[len(targets)-1].name
	fmt.Fprintln(w)
	for _, r := range rs {
		if r.Target == "direct" || r.Target == anchor {
			continue
		}
		for _, a := range rs {
			if a.Target == anchor && a.Flows == r.Flows && a.CPUMsPerMbit > 0 {
				fmt.Fprintf(w, "- %d flows: %s uses %.2f× the CPU per Mbit/s of %s\n", r.Flows, r.Target, r.CPUMsPerMbit/a.CPUMsPerMbit, anchor)
			}
		}
	}
}

// ms formats a duration in milliseconds with two decimals.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
