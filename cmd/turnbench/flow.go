package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"signalbox/internal/steal"

	"github.com/pion/logging"
	"github.com/pion/turn/v4"
)

// The traffic of one flow: what a 1.5 Mbit/s video stream looks like on the
// wire, sent as frame bursts.
const (
	packetSize   = 1200
	flowBitrate  = 1_500_000 // bits per second
	framesPerSec = 30
	// probeEvery is how often an endpoint probes its partner before the
	// measured traffic, until one probe arrived each way (permissions are
	// in place); probeTimeout bounds that.
	probeEvery   = 50 * time.Millisecond
	probeTimeout = 10 * time.Second
	// drain is how long receivers wait for late packets after sending stops.
	drain = 500 * time.Millisecond
	// clockTick is the kernel's USER_HZ, the unit of /proc/PID/stat times.
	clockTick = 10 * time.Millisecond
)

// Packet kinds (first byte).
const (
	kindProbe = 1
	kindData  = 2
)

// Result is one step against one target.
type Result struct {
	Target        string        `json:"target"`
	Flows         int           `json:"flows"`
	OfferedMbps   float64       `json:"offeredMbps"`
	DeliveredMbps float64       `json:"deliveredMbps"`
	Sent          int64         `json:"sent"`
	Lost          int64         `json:"lost"`
	P50           time.Duration `json:"p50"`
	P99           time.Duration `json:"p99"`
	AddedP50      time.Duration `json:"addedP50"`
	AddedP99      time.Duration `json:"addedP99"`
	// QuietP99 is the p99 of the packets that crossed no window in which
	// the hypervisor stole processor time (package steal), QuietAddedP99
	// what the relay added to the baseline's at that; both 0 when fewer
	// than steal.MinSamples packets were steal-free. Steal is the share of
	// the step's windows that saw steal, Quiet the share of packets that
	// crossed none.
	QuietP99      time.Duration `json:"quietP99"`
	QuietAddedP99 time.Duration `json:"quietAddedP99"`
	Steal         float64       `json:"steal"`
	Quiet         float64       `json:"quiet"`
	CPUMsPerSec   float64       `json:"cpuMsPerSec"`
	CPUMsPerMbit  float64       `json:"cpuMsPerMbit"`
}

type stepConfig struct {
	flows    int
	duration time.Duration
	bind     net.IP
}

// endpoint is one side of a pair: it sends one flow and receives one.
type endpoint struct {
	conn  net.PacketConn // the relay conn (or the plain socket for the baseline)
	addr  net.Addr       // where the partner sends: the relayed address
	close func()

	sent      atomic.Int64
	received  atomic.Int64
	bytes     atomic.Int64
	probed    chan struct{} // closed on the first packet from the partner
	probeOnce sync.Once
	lat       []time.Duration // receiver only: one-way latency of each packet
	sentAt    []time.Duration // receiver only: when each was sent, since the step's start
}

// runStep runs cfg.flows flows through tg (nil: straight between sockets).
func runStep(ctx context.Context, cfg stepConfig, tg *target, log *slog.Logger) (Result, error) {
	eps := make([]*endpoint, 0, cfg.flows)
	defer func() {
		for _, e := range eps {
			e.close()
		}
	}()
	for i := range cfg.flows {
		e, err := newEndpoint(cfg.bind, tg, i)
		if err != nil {
			return Result{}, fmt.Errorf("client %d: %w", i, err)
		}
		eps = append(eps, e)
	}
	rec, err := steal.Start()
	if err != nil {
		return Result{}, err
	}
	defer rec.Stop()
	start := rec.Start()
	var wg sync.WaitGroup
	for _, e := range eps {
		wg.Go(func() { e.receive(start) })
	}
	partner := func(i int) *endpoint { return eps[i^1] }
	// Probe until every endpoint heard from its partner.
	probeCtx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var probes sync.WaitGroup
	for i, e := range eps {
		probes.Go(func() { e.probe(probeCtx, partner(i).addr) })
	}
	probes.Wait()
	for i, e := range eps {
		select {
		case <-e.probed:
		default:
			return Result{}, fmt.Errorf("client %d heard nothing from its partner within %v", i, probeTimeout)
		}
	}
	cpu0, err := cpuTime(tg)
	if err != nil {
		return Result{}, err
	}
	t0 := time.Now()
	sendCtx, stopSend := context.WithTimeout(ctx, cfg.duration)
	defer stopSend()
	var senders sync.WaitGroup
	for i, e := range eps {
		phase := time.Second / framesPerSec * time.Duration(i) / time.Duration(len(eps))
		senders.Go(func() { e.send(sendCtx, partner(i).addr, start, phase) })
	}
	senders.Wait()
	elapsed := time.Since(t0)
	cpu1, err := cpuTime(tg)
	if err != nil {
		return Result{}, err
	}
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	time.Sleep(drain) // late packets: a fixed wait for what may never come
	for _, e := range eps {
		e.close()
	}
	wg.Wait()
	tl := rec.Stop()
	done := eps
	eps = nil

	var r Result
	r.Flows = cfg.flows
	r.OfferedMbps = float64(cfg.flows) * flowBitrate / 1e6
	var all, quiet []time.Duration
	var bytes int64
	for _, e := range done {
		r.Sent += e.sent.Load()
		r.Lost += e.sent.Load() // less what its partner received, below
	}
	for _, e := range done {
		r.Lost -= e.received.Load()
		bytes += e.bytes.Load()
		all = append(all, e.lat...)
		for i, l := range e.lat {
			sent := start.Add(e.sentAt[i])
			if tl.Quiet(sent, sent.Add(l)) {
				quiet = append(quiet, l)
			}
		}
	}
	r.Lost = max(r.Lost, 0)
	r.DeliveredMbps = float64(bytes) * 8 / elapsed.Seconds() / 1e6
	slices.Sort(all)
	r.P50, r.P99 = percentile(all, 0.50), percentile(all, 0.99)
	slices.Sort(quiet)
	r.Steal = tl.Share()
	if len(quiet) >= steal.MinSamples {
		r.QuietP99 = percentile(quiet, 0.99)
	}
	if len(all) > 0 {
		r.Quiet = float64(len(quiet)) / float64(len(all))
	}
	if tg != nil {
		cpu := (cpu1 - cpu0).Seconds() * 1000
		r.CPUMsPerSec = cpu / elapsed.Seconds()
		if mbit := float64(bytes) * 8 / 1e6; mbit > 0 {
			r.CPUMsPerMbit = cpu / mbit
		}
	}
	log.Debug("step", "flows", cfg.flows, "elapsed", elapsed)
	return r, nil
}

// percentile returns the q-quantile of sorted (nearest rank); 0 if empty.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// newEndpoint opens client i's socket on bind and, with a target, its
// TURN allocation.
func newEndpoint(bind net.IP, tg *target, i int) (*endpoint, error) {
	sock, err := net.ListenPacket("udp4", net.JoinHostPort(bind.String(), "0"))
	if err != nil {
		return nil, err
	}
	e := &endpoint{probed: make(chan struct{})}
	if tg == nil {
		e.conn, e.addr, e.close = sock, sock.LocalAddr(), func() { _ = sock.Close() }
		return e, nil
	}
	cred, err := tg.credentialFor(i)
	if err != nil {
		_ = sock.Close()
		return nil, err
	}
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelError
	c, err := turn.NewClient(&turn.ClientConfig{
		STUNServerAddr: cred.addr, TURNServerAddr: cred.addr,
		Username: cred.username, Password: cred.password,
		Conn: sock, LoggerFactory: lf,
	})
	if err == nil {
		err = c.Listen()
	}
	var relay net.PacketConn
	if err == nil {
		relay, err = c.Allocate()
	}
	if err != nil {
		if c != nil {
			c.Close()
		}
		_ = sock.Close()
		cred.close()
		return nil, fmt.Errorf("allocate on %s: %w", cred.addr, err)
	}
	var once sync.Once
	e.conn, e.addr = relay, relay.LocalAddr()
	e.close = func() {
		once.Do(func() {
			_ = relay.Close()
			c.Close()
			_ = sock.Close()
			cred.close()
		})
	}
	return e, nil
}

// probe sends probes to the partner at to until one came back or ctx ends.
func (e *endpoint) probe(ctx context.Context, to net.Addr) {
	buf := make([]byte, 16)
	buf[0] = kindProbe
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for {
		_, _ = e.conn.WriteTo(buf, to)
		select {
		case <-e.probed:
			// One more, in case the partner is still waiting for ours.
			_, _ = e.conn.WriteTo(buf, to)
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// send sends the flow's frames to to until ctx ends, starting after phase
// (so the flows' bursts spread over a frame time, as unsynchronised
// cameras' do).
func (e *endpoint) send(ctx context.Context, to net.Addr, start time.Time, phase time.Duration) {
	select {
	case <-time.After(phase):
	case <-ctx.Done():
		return
	}
	buf := make([]byte, packetSize)
	buf[0] = kindData
	const frameBytes = flowBitrate / 8 / framesPerSec
	t := time.NewTicker(time.Second / framesPerSec)
	defer t.Stop()
	budget := 0
	for {
		budget += frameBytes
		for ; budget >= packetSize; budget -= packetSize {
			binary.BigEndian.PutUint64(buf[1:], uint64(time.Since(start)))
			if _, err := e.conn.WriteTo(buf, to); err == nil {
				e.sent.Add(1)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// receive reads until the conn is closed, recording each data packet's
// one-way latency.
func (e *endpoint) receive(start time.Time) {
	buf := make([]byte, 2048)
	for {
		n, _, err := e.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		if n < 9 {
			continue
		}
		e.probeOnce.Do(func() { close(e.probed) })
		if buf[0] != kindData {
			continue
		}
		sentAt := time.Duration(binary.BigEndian.Uint64(buf[1:9]))
		e.lat = append(e.lat, time.Since(start)-sentAt)
		e.sentAt = append(e.sentAt, sentAt)
		e.received.Add(1)
		e.bytes.Add(int64(n))
	}
}

// cpuTime returns the CPU time the target's process used so far (0 for the baseline).
func cpuTime(tg *target) (time.Duration, error) {
	if tg == nil {
		return 0, nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", tg.pid))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", tg.name, err)
	}
	// Fields after the command name (which may hold spaces) start at ")".
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("%s: short /proc stat", tg.name)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("%s: %w", tg.name, err)
	}
	return time.Duration(utime+stime) * clockTick, nil
}
