package service

// The advertiser's bookkeeping (which interfaces, when to re-register,
// what the status says) is tested here with a recording Advertiser, since
// multicast may not touch a real interface; the real one runs end to end
// in scripts/test-mdns.sh, found by `signalbox discover` from another
// network namespace.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"signalbox/app/mdns"
)

// recorder is an Advertiser that records its calls in a shared journal.
type recorder struct {
	journal  *journal
	cfg      mdns.Config
	startErr error
}

type journal struct {
	mu    sync.Mutex
	lines []string
}

func (j *journal) add(format string, args ...any) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lines = append(j.lines, fmt.Sprintf(format, args...))
}

func (j *journal) take() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := j.lines
	j.lines = nil
	return out
}

func (r *recorder) Start() error {
	if r.startErr != nil {
		r.journal.add("start failed")
		return r.startErr
	}
	r.journal.add("start %s %v %s", names(r.cfg.Ifaces), r.cfg.Addrs, strings.Join(r.cfg.TXT.Records(), " "))
	return nil
}

func (r *recorder) Update(addrs []net.IP) error {
	r.journal.add("update %v", addrs)
	return nil
}

func (r *recorder) Shutdown() { r.journal.add("shutdown") }

func names(ifaces []net.Interface) string {
	var out []string
	for _, i := range ifaces {
		out = append(out, i.Name)
	}
	return strings.Join(out, ",")
}

func lanIf(name string, addrs ...string) mdns.LANInterface {
	l := mdns.LANInterface{Interface: net.Interface{Name: name}}
	for _, a := range addrs {
		l.Addrs = append(l.Addrs, net.ParseIP(a))
	}
	return l
}

// fakeLAN is the machine's interfaces, changed by the test.
type fakeLAN struct {
	mu  sync.Mutex
	lan []mdns.LANInterface
	err error
}

func (f *fakeLAN) set(err error, lan ...mdns.LANInterface) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lan, f.err = lan, err
}

func (f *fakeLAN) get() ([]mdns.LANInterface, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.lan), f.err
}

func newTestAdvertiser(t *testing.T, j *journal, lan *fakeLAN, failStart *atomic.Bool) *advertiser {
	return &advertiser{
		cfg: mdns.Config{Instance: "Lab", Host: mdns.DefaultHost, Port: 7480,
			TXT: mdns.TXT{Version: txtVersion, Path: txtPath, Scheme: txtScheme, ID: "abc"}},
		lan: lan.get,
		make: func(c mdns.Config, _ *slog.Logger) Advertiser {
			r := &recorder{journal: j, cfg: c}
			if failStart.Load() {
				r.startErr = fmt.Errorf("%w: no multicast", mdns.ErrAdvertise)
			}
			return r
		},
		log: testLogger(t),
	}
}

func TestAdvertiserFollowsInterfaces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		j := &journal{}
		lan := &fakeLAN{}
		lan.set(nil, lanIf("wlan0", "192.168.1.20"))
		var failStart atomic.Bool
		a := newTestAdvertiser(t, j, lan, &failStart)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { a.run(ctx, DefaultAddrPollInterval); close(done) }()

		step := func(name string, change func(), want ...string) {
			t.Helper()
			change()
			time.Sleep(DefaultAddrPollInterval)
			synctest.Wait()
			if got := j.take(); !slices.Equal(got, want) {
				t.Errorf("%s: calls %q, want %q", name, got, want)
			}
		}
		synctest.Wait()
		if got, want := j.take(), []string{"start wlan0 [192.168.1.20] v=1 path=/ws scheme=http id=abc"}; !slices.Equal(got, want) {
			t.Errorf("first calls %q, want %q", got, want)
		}
		if st := a.get(); !st.Advertising || !slices.Equal(st.Interfaces, []string{"wlan0"}) || !slices.Equal(st.Addrs, []string{"192.168.1.20"}) {
			t.Errorf("status = %+v, want advertising on wlan0 192.168.1.20", st)
		}
		step("unchanged", func() {}, "update [192.168.1.20]")
		step("new address", func() { lan.set(nil, lanIf("wlan0", "10.0.0.7")) }, "update [10.0.0.7]")
		step("new interface", func() { lan.set(nil, lanIf("wlan0", "10.0.0.7"), lanIf("eth0", "10.1.0.2")) },
			"shutdown", "start wlan0,eth0 [10.0.0.7 10.1.0.2] v=1 path=/ws scheme=http id=abc")
		step("network gone", func() { lan.set(nil) }, "shutdown")
		if st := a.get(); st.Advertising || st.Code != "no-lan" {
			t.Errorf("status without a LAN = %+v, want code no-lan", st)
		}
		step("still gone", func() {})
		failStart.Store(true)
		step("back but failing", func() { lan.set(nil, lanIf("wlan0", "10.0.0.8")) }, "start failed")
		if st := a.get(); st.Advertising || st.Code != "failed" || !strings.Contains(st.Error, "no multicast") {
			t.Errorf("status after a failed start = %+v, want code failed", st)
		}
		failStart.Store(false)
		step("retried", func() {}, "start wlan0 [10.0.0.8] v=1 path=/ws scheme=http id=abc")
		step("listing fails", func() { lan.set(errors.New("netlink: denied")) }, "shutdown")
		lan.set(nil, lanIf("wlan0", "10.0.0.8"))
		time.Sleep(DefaultAddrPollInterval)
		synctest.Wait()
		j.take()
		cancel()
		<-done
		if got := j.take(); !slices.Equal(got, []string{"shutdown"}) {
			t.Errorf("calls at the end = %q, want a shutdown (goodbyes)", got)
		}
	})
}

func TestAdvertiserFilter(t *testing.T) {
	lan := []mdns.LANInterface{
		lanIf("wlan0", "192.168.1.20", "fd00::20"),
		lanIf("eth0", "10.1.0.2"),
	}
	tests := []struct {
		name  string
		only  []string
		bound []net.IP
		want  string
	}{
		{"all", nil, nil, "wlan0=[192.168.1.20 fd00::20] eth0=[10.1.0.2]"},
		{"chosen", []string{"eth0"}, nil, "eth0=[10.1.0.2]"},
		{"bound to one address", nil, []net.IP{net.ParseIP("192.168.1.20"), net.IPv4(127, 0, 0, 1)}, "wlan0=[192.168.1.20]"},
		{"chosen but gone", []string{"usb0"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &advertiser{only: tt.only, bound: tt.bound}
			var got []string
			for _, l := range a.filter(lan) {
				got = append(got, fmt.Sprintf("%s=%v", l.Name, l.Addrs))
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("filter() = %q, want %q", strings.Join(got, " "), tt.want)
			}
		})
	}
}
