package main

import (
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestParseFlows(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"10,30,60", []int{10, 30, 60}, false},
		{" 2 ", []int{2}, false},
		{"3", nil, true},
		{"0", nil, true},
		{"10,x", nil, true},
	} {
		got, err := parseFlows(tc.in)
		if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
			t.Errorf("parseFlows(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestParseTarget(t *testing.T) {
	pid := strconv.Itoa(os.Getpid())
	for _, tc := range []struct {
		in      string
		want    target
		wantErr bool
	}{
		{"S=signalbox:ws://10.99.0.1:7480/ws:" + pid, target{name: "S", wsURL: "ws://10.99.0.1:7480/ws", pid: os.Getpid()}, false},
		{"c=secret:127.0.0.1:3479:s3cr:et:" + pid, target{name: "c", addr: "127.0.0.1:3479", secret: "s3cr:et", pid: os.Getpid()}, false},
		{"S=signalbox:ws://192.168.1.2:7480/ws:" + pid, target{}, true}, // a real LAN address
		{"c=secret:8.8.8.8:3478:x:" + pid, target{}, true},
		{"S=signalbox:http://10.99.0.1/ws:" + pid, target{}, true},
		{"S=other:x:" + pid, target{}, true},
		{"S=signalbox:ws://10.99.0.1/ws:notapid", target{}, true},
		{"nothing", target{}, true},
	} {
		got, err := parseTarget(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parseTarget(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := percentile(d, tc.q); got != tc.want {
			t.Errorf("percentile(1..100 ms, %v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile(nil) = %v, want 0", got)
	}
}

// TestDirectStep runs one short step of the baseline (no relay) on
// loopback: every packet arrives and the numbers add up.
func TestDirectStep(t *testing.T) {
	r, err := runStep(t.Context(), stepConfig{flows: 2, duration: 300 * time.Millisecond, bind: net.IPv4(127, 0, 0, 1)}, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent == 0 || r.Lost != 0 || r.P50 <= 0 || r.P99 < r.P50 || r.DeliveredMbps <= 0 {
		t.Errorf("runStep = %+v, want packets sent, none lost, latencies and a rate", r)
	}
}
