package service

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func testLogger(t *testing.T) *slog.Logger {
	t.Helper()
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// newService returns a stopped service on loopback with a free port, mDNS
// off, stopped when t ends.
func newService(t *testing.T, st Settings) *Service {
	t.Helper()
	if st.Addr == "" {
		st.Addr = "127.0.0.1:0"
	}
	client := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>client</title>")}}
	s := New(Config{Settings: st, Client: client, Version: "test"}, testLogger(t))
	t.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			t.Errorf("Stop() = %v", err)
		}
	})
	return s
}

func healthz(t *testing.T, port int) int {
	t.Helper()
	resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

func TestStartStop(t *testing.T) {
	s := newService(t, Settings{ServerName: "Lab"})
	if s.Running() || s.Port() != 0 || s.Hub() != nil || s.Joins() != nil || s.LocalURL() != "" {
		t.Fatalf("before Start: Running=%v Port=%d Hub=%v Joins=%v, want stopped", s.Running(), s.Port(), s.Hub(), s.Joins())
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start() = %v", err)
	}
	if err := s.Start(); !errors.Is(err, ErrRunning) {
		t.Errorf("second Start() = %v, want ErrRunning", err)
	}
	if !s.Running() || s.Hub() == nil || s.Err() != nil {
		t.Fatalf("after Start: Running=%v Hub=%v Err=%v", s.Running(), s.Hub(), s.Err())
	}
	port := s.Port()
	if code := healthz(t, port); code != http.StatusOK {
		t.Errorf("/healthz = %d, want 200", code)
	}
	want := "http://127.0.0.1:" + strconv.Itoa(port) + "/"
	if got := s.JoinURLs(); len(got) != 1 || got[0] != want {
		t.Errorf("JoinURLs() = %q, want [%q]", got, want)
	}
	if got := s.LocalURL(); got != want {
		t.Errorf("LocalURL() = %q, want %q", got, want)
	}
	stopped := s.Stopped()
	if err := s.Stop(context.Background()); err != nil {
		t.Fatalf("Stop() = %v", err)
	}
	<-stopped
	if s.Running() || s.Port() != 0 {
		t.Errorf("after Stop: Running=%v Port=%d", s.Running(), s.Port())
	}
	if _, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
		t.Errorf("port %d still accepts connections after Stop", port)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Errorf("second Stop() = %v", err)
	}
}

// busyPort holds a loopback port for the test and returns its number.
func busyPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

func TestPortBusyThenApply(t *testing.T) {
	port := busyPort(t)
	s := newService(t, Settings{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	err := s.Start()
	if !errors.Is(err, ErrPortBusy) {
		t.Fatalf("Start() on a busy port = %v, want ErrPortBusy", err)
	}
	if !errors.Is(s.Err(), ErrPortBusy) || s.Running() {
		t.Errorf("Err() = %v, Running() = %v; want ErrPortBusy, false", s.Err(), s.Running())
	}
	// The fix the window offers: another port. Apply starts a stopped service.
	restarted, err := s.Apply(context.Background(), Settings{Addr: "127.0.0.1:0"})
	if err != nil || restarted {
		t.Fatalf("Apply(free port) = %v, %v; want false, nil", restarted, err)
	}
	if !s.Running() || s.Err() != nil {
		t.Errorf("after Apply: Running=%v Err=%v", s.Running(), s.Err())
	}
}

func TestApply(t *testing.T) {
	tests := []struct {
		name        string
		change      func(*Settings)
		wantRestart bool
	}{
		{"nothing", func(*Settings) {}, false},
		{"mdns on", func(s *Settings) { s.MDNS = true }, false},
		{"server id", func(s *Settings) { s.ServerID = "other" }, false},
		{"name", func(s *Settings) { s.ServerName = "Room 101" }, true},
		{"capacity", func(s *Settings) { s.RoomCapacity = 4 }, true},
		{"interfaces", func(s *Settings) { s.Interfaces = []string{"lo"} }, true},
		{"origins", func(s *Settings) { s.AllowOrigins = []string{"wails://wails"} }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := Settings{Addr: "127.0.0.1:0", ServerName: "Lab", RoomCapacity: 2}
			s := newService(t, st)
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}
			hub := s.Hub()
			tt.change(&st)
			restarted, err := s.Apply(context.Background(), st)
			if err != nil {
				t.Fatalf("Apply() = %v", err)
			}
			if restarted != tt.wantRestart {
				t.Errorf("Apply() restarted = %v, want %v", restarted, tt.wantRestart)
			}
			if sameHub := s.Hub() == hub; sameHub == tt.wantRestart {
				t.Errorf("hub replaced = %v, want %v", !sameHub, tt.wantRestart)
			}
			if got := s.Hub().Config(); got.ServerName != st.ServerName || got.RoomCapacity != st.RoomCapacity {
				t.Errorf("hub config = %q/%d, want %q/%d", got.ServerName, got.RoomCapacity, st.ServerName, st.RoomCapacity)
			}
			if got := s.Settings(); got.MDNS != st.MDNS || got.ServerID != st.ServerID {
				t.Errorf("Settings() = %+v, want %+v", got, st)
			}
		})
	}
}

// TestInterfacesServeLoopbackOnly chooses interfaces that have no LAN
// address (loopback is never a LAN interface, and the other does not
// exist): the server then listens on 127.0.0.1 alone, never on a wildcard,
// and does not advertise.
func TestInterfacesServeLoopbackOnly(t *testing.T) {
	s := newService(t, Settings{Addr: ":0", Interfaces: []string{"lo", "no-such-if0"}, MDNS: true})
	if err := s.Start(); err != nil {
		t.Fatalf("Start() = %v", err)
	}
	s.mu.Lock()
	var addrs []string
	for _, ln := range s.lns {
		addrs = append(addrs, ln.Addr().String())
	}
	s.mu.Unlock()
	want := "127.0.0.1:" + strconv.Itoa(s.Port())
	if len(addrs) != 1 || addrs[0] != want {
		t.Errorf("listening on %q, want [%q]", addrs, want)
	}
	if m := s.MDNS(); m.Advertising || m.Code != "loopback-only" || !m.Enabled {
		t.Errorf("MDNS() = %+v, want enabled, not advertising, code loopback-only", m)
	}
}

func TestMDNSOff(t *testing.T) {
	s := newService(t, Settings{})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if m := s.MDNS(); m.Enabled || m.Advertising || m.Error != "" {
		t.Errorf("MDNS() = %+v, want all off", m)
	}
	// No .local join address is offered while mDNS is off: nothing
	// announces one (the window said "mDNS is off" beside vm.local).
	for _, mdnsOn := range []bool{false, true} {
		s.mu.Lock()
		s.settings.MDNS = mdnsOn
		alt := s.altHostLocked()
		s.mu.Unlock()
		if want := map[bool]string{false: "", true: "signalbox.local"}[mdnsOn]; alt != want {
			t.Errorf("with mDNS %v the .local join name is %q, want %q", mdnsOn, alt, want)
		}
	}
}

func TestJoinURLs(t *testing.T) {
	lan := LANAddrs(nil)
	var lanV4 []string
	for _, a := range lan {
		if a.IP.To4() != nil {
			lanV4 = append(lanV4, "http://"+net.JoinHostPort(a.IP.String(), "80")+"/")
		}
	}
	tests := []struct {
		name string
		ips  []net.IP
		want []string
	}{
		{"loopback v4", []net.IP{net.IPv4(127, 0, 0, 1)}, []string{"http://127.0.0.1:80/"}},
		{"loopback v6", []net.IP{net.IPv6loopback}, []string{"http://[::1]:80/"}},
		{"one address", []net.IP{net.ParseIP("10.9.8.7")}, []string{"http://10.9.8.7:80/"}},
		{"v4 wildcard", []net.IP{net.IPv4zero}, append(lanV4, "http://127.0.0.1:80/")},
		{"loopback and address", []net.IP{net.IPv4(127, 0, 0, 1), net.ParseIP("10.9.8.7")},
			[]string{"http://10.9.8.7:80/", "http://127.0.0.1:80/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, j := range joinURLs(tt.ips, 80, nil) {
				got = append(got, j.URL)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("joinURLs(%v) = %q, want %q", tt.ips, got, tt.want)
			}
		})
	}
}

func TestInstanceName(t *testing.T) {
	long := strings.Repeat("é", 40) // 80 bytes
	tests := []struct{ in, want string }{
		{"Signalbox on lab", "Signalbox on lab"},
		{long, strings.Repeat("é", 31)}, // 62 bytes: a rune is never cut
		{strings.Repeat("a", 70), strings.Repeat("a", 63)},
	}
	for _, tt := range tests {
		if got := instanceName(tt.in); got != tt.want {
			t.Errorf("instanceName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
