package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"signalbox/cmd/sbload/loadtest"
	"signalbox/internal/rlimit"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if err := rlimit.RaiseOpenFiles(); err != nil {
		fmt.Fprintln(stderr, "sbload: cannot raise the open-file limit:", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) > 0 && args[0] == "table" {
		return table(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "-worker" {
		if err := loadtest.ServeWorker(ctx, os.Stdin, stdout); err != nil {
			fmt.Fprintln(stderr, "sbload worker:", err)
			return 1
		}
		return 0
	}
	o, jsonPath, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "sbload:", err)
		return 2
	}
	rep, err := loadtest.RunScenario(ctx, o)
	if rep != nil {
		rep.WriteText(stdout)
		if jsonPath != "" {
			if werr := writeJSON(jsonPath, rep); werr != nil {
				fmt.Fprintln(stderr, "sbload:", werr)
				return 1
			}
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "sbload:", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (loadtest.Options, string, error) {
	var o loadtest.Options
	var rates, localIPs, jsonPath string
	var spread int
	fs := flag.NewFlagSet("sbload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:7480", "server host:port (loopback only)")
	fs.StringVar(&o.Addr2, "addr2", "", "second server of a cluster, host:port: the second peer of every pair connects there, so every relay crosses the cluster")
	fs.BoolVar(&o.Mixed, "mixed", false, "with -addr2: split only every other pair over the two servers and put the rest on one, and report what the hop adds (local vs split pairs in one phase)")
	fs.StringVar(&o.Protocol, "protocol", "native", "native, socketio or peerjs")
	fs.BoolVar(&o.TLS, "tls", false, "connect with wss:// (HTTPS), not checking the server's certificate")
	fs.StringVar(&o.Scenario, "scenario", loadtest.ScenarioRelay, "relay, knee, idle or churn")
	fs.StringVar(&o.Label, "label", "server", "name of the server in reports")
	fs.IntVar(&o.Pairs, "pairs", 100, "rooms of two to fill (relay, knee, idle)")
	fs.Float64Var(&o.Rate, "rate", 5, "payloads per second each peer sends (relay)")
	fs.StringVar(&rates, "rates", "2,4,8,12,16,20,24,28,32,40,48", "per-peer rates of the knee steps")
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "length of a relay step or of the churn run")
	fs.DurationVar(&o.Drain, "drain", loadtest.DefaultDrain, "wait for payloads in flight after a step")
	fs.DurationVar(&o.Settle, "settle", loadtest.DefaultSettle, "idle: wait before reading memory")
	fs.DurationVar(&o.Hold, "hold", 0, "idle: keep the connections this much longer")
	fs.DurationVar(&o.KneeP99, "knee-p99", loadtest.DefaultKneeP99, "knee: p99 bound of a good step")
	fs.IntVar(&o.ChurnConcurrency, "churn-concurrency", 20, "churn: loops per worker")
	fs.IntVar(&o.ChurnMessages, "churn-messages", loadtest.DefaultChurnMessages, "churn: payloads per peer per cycle")
	fs.IntVar(&o.PayloadSize, "payload", loadtest.DefaultPayloadSize, "payload size in bytes")
	fs.IntVar(&o.ConnectConcurrency, "connect-concurrency", loadtest.DefaultConnectConcurrency, "pairs set up at once per worker")
	fs.Float64Var(&o.ConnectRate, "connect-rate", 0, "pace the setup to this many pairs per second (0: as fast as -connect-concurrency allows)")
	fs.IntVar(&o.Workers, "workers", 1, "worker processes (1: in this process)")
	fs.StringVar(&localIPs, "local-ips", "", "comma-separated loopback source addresses, one per worker in turn")
	fs.IntVar(&spread, "spread-ips", 0, "use N source addresses 127.0.0.10, 127.0.0.11, …")
	fs.IntVar(&o.ServerPID, "server-pid", 0, "server process to measure from /proc (0: none)")
	fs.BoolVar(&o.CountSyscalls, "syscalls", false, "count the server's system calls during relay steps with perf stat (needs -server-pid)")
	fs.StringVar(&jsonPath, "json", "", "also write the report as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return o, "", err
	}
	if err := checkLoopback(o.Addr); err != nil {
		return o, "", err
	}
	if o.Addr2 != "" {
		if err := checkLoopback(o.Addr2); err != nil {
			return o, "", err
		}
	} else if o.Mixed {
		return o, "", errors.New("-mixed needs -addr2")
	}
	for _, f := range strings.Split(rates, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return o, "", fmt.Errorf("-rates: %w", err)
		}
		o.Rates = append(o.Rates, r)
	}
	if localIPs != "" {
		o.LocalIPs = strings.Split(localIPs, ",")
	}
	for i := range spread {
		o.LocalIPs = append(o.LocalIPs, fmt.Sprintf("127.0.0.%d", 10+i))
	}
	for _, ip := range o.LocalIPs {
		if p := net.ParseIP(ip); p == nil || !p.IsLoopback() {
			return o, "", fmt.Errorf("source address %q is not a loopback address", ip)
		}
	}
	if o.Workers > 1 {
		exe, err := os.Executable()
		if err != nil {
			return o, "", err
		}
		o.Spawn = func(int) *exec.Cmd {
			cmd := exec.Command(exe, "-worker")
			cmd.Stderr = stderr
			return cmd
		}
	}
	return o, jsonPath, nil
}

// checkLoopback refuses targets outside this machine: this tool floods.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %s: only loopback targets are allowed", addr)
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// table prints a Markdown comparison of saved reports: each -col is
// NAME=DIR, DIR holding relay.json, knee.json, idle.json and churn.json
// (any may be missing). With -targets, it then checks the targets
// of every other column against the first.
func table(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sbload table", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cols []loadtest.Column
	fs.Func("col", "NAME=DIR of saved reports (repeatable)", func(v string) error {
		name, dir, ok := strings.Cut(v, "=")
		if !ok {
			return fmt.Errorf("want NAME=DIR, got %q", v)
		}
		c := loadtest.Column{Name: name, Reports: map[string]*loadtest.Report{}}
		for _, sc := range []string{loadtest.ScenarioRelay, loadtest.ScenarioKnee, loadtest.ScenarioIdle, loadtest.ScenarioChurn} {
			b, err := os.ReadFile(filepath.Join(dir, sc+".json"))
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			var r loadtest.Report
			if err := json.Unmarshal(b, &r); err != nil {
				return fmt.Errorf("%s: %w", filepath.Join(dir, sc+".json"), err)
			}
			c.Reports[sc] = &r
		}
		cols = append(cols, c)
		return nil
	})
	targets := fs.Bool("targets", false, "also check the targets of the other columns against the first, and of Signalbox columns against a PeerJS column")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	loadtest.WriteTable(stdout, cols)
	if *targets && len(cols) >= 2 {
		var peerjs *loadtest.Column
		for i, c := range cols {
			if strings.HasPrefix(c.Name, "PeerJS") {
				peerjs = &cols[i]
			}
		}
		for _, c := range cols[1:] {
			fmt.Fprintln(stdout)
			loadtest.WriteTargets(stdout, cols[0], c)
		}
		for _, c := range cols {
			if peerjs != nil && strings.HasPrefix(c.Name, "Signalbox") {
				fmt.Fprintln(stdout)
				loadtest.WriteFloorTargets(stdout, *peerjs, c)
			}
		}
	}
	return 0
}
