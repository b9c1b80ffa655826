package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"signalbox/app/service"
	"signalbox/signaling"
)

// emitted is one event the app sent to the window.
type emitted struct {
	at   time.Time
	name string
	data any
}

// recorder is the Emitter of the tests: it keeps every event and, for
// tests on real time, tells waiters about each.
type recorder struct {
	mu     sync.Mutex
	events []emitted
	notify chan struct{}
}

func newRecorder() *recorder { return &recorder{notify: make(chan struct{}, 1)} }

func (r *recorder) emit(name string, data ...any) {
	var d any
	if len(data) > 0 {
		d = data[0]
	}
	r.mu.Lock()
	r.events = append(r.events, emitted{time.Now(), name, d})
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// take returns and forgets the events named name (all when "").
func (r *recorder) take(name string) []emitted {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out, keep []emitted
	for _, e := range r.events {
		if name == "" || e.name == name {
			out = append(out, e)
		} else {
			keep = append(keep, e)
		}
	}
	r.events = keep
	return out
}

// testLink is a transport link that drops what it is sent: the watcher
// tests look at the hub, not at what peers receive.
type testLink struct{}

func (testLink) Wake()                  {}
func (testLink) Close(signaling.Reason) {}

func newHub(t testing.TB, capacity int) *signaling.Hub {
	t.Helper()
	h, err := signaling.New(signaling.Config{RoomCapacity: capacity, MaxPeersPerAddr: -1, MaxRoomsPerAddr: -1}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func join(t testing.TB, h *signaling.Hub, room, name, ua string) *signaling.Peer {
	t.Helper()
	p, err := h.Connect(signaling.ConnInfo{RemoteAddr: "192.0.2.7:5000", UserAgent: ua, Transport: "websocket"}, testLink{})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Join(p, room, name); err != nil {
		t.Fatalf("Join(%q, %q) = %v", room, name, err)
	}
	return p
}

const androidUA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"

// startWatcher runs a watcher over hub in the current synctest bubble and
// stops it when t ends.
func startWatcher(t *testing.T, rec *recorder, hub *signaling.Hub, status func() Status) {
	t.Helper()
	w := newWatcher(rec.emit, func() *signaling.Hub { return hub }, status, &eventLog{}, DefaultBatchInterval, DefaultStatsInterval)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func running() Status { return Status{State: StateRunning, Port: 7480, ServerName: "Lab"} }

func TestWatcherBatchesABurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hub := newHub(t, 32)
		rec := newRecorder()
		startWatcher(t, rec, hub, running)
		time.Sleep(DefaultBatchInterval) // the first view, of the empty hub
		synctest.Wait()
		if got := rec.take(EventRooms); len(got) != 1 {
			t.Fatalf("first views: %d, want 1", len(got))
		}
		rec.take("")

		start := time.Now()
		for i := range 200 {
			join(t, hub, fmt.Sprintf("room-%d", i%10), fmt.Sprintf("Ana %d", i), androidUA)
		}
		synctest.Wait()
		if got := rec.take(EventRooms); len(got) != 0 {
			t.Fatalf("%d views sent at once after a burst, want them held for the batch interval", len(got))
		}
		time.Sleep(DefaultBatchInterval - time.Nanosecond)
		synctest.Wait()
		if got := rec.take(EventRooms); len(got) != 0 {
			t.Fatalf("%d views before the batch interval ended", len(got))
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		views := rec.take(EventRooms)
		if len(views) != 1 || views[0].at.Sub(start) != DefaultBatchInterval {
			t.Fatalf("views after the interval: %d, want one at +%v", len(views), DefaultBatchInterval)
		}
		v := views[0].data.(View)
		if v.Stats.Peers != 200 || len(v.Rooms) != 10 || len(v.Rooms[0].Peers) != 20 {
			t.Errorf("view: %d peers, %d rooms, %d in the first; want 200, 10, 20", v.Stats.Peers, len(v.Rooms), len(v.Rooms[0].Peers))
		}
		p := v.Rooms[0].Peers[0]
		if p.Name != "Ana 0" || p.Address != "192.0.2.7" || p.Device != (Device{"Chrome", "Android", "phone"}) || p.Transport != "websocket" {
			t.Errorf("first peer = %+v", p)
		}
		logs := rec.take(EventLog)
		if len(logs) != 1 {
			t.Fatalf("log events: %d, want 1 per batch", len(logs))
		}
		entries := logs[0].data.([]LogEntry)
		if len(entries) != 210 { // 10 rooms opened, 200 joins
			t.Errorf("log entries: %d, want 210", len(entries))
		}
		if e := entries[1]; e.Kind != string(signaling.EventPeerJoined) || e.PeerName != "Ana 0" || e.Room != "room-0" {
			t.Errorf("second entry = %+v, want Ana 0 joining room-0", e)
		}
	})
}

func TestWatcherSendsAtMostOneViewPerInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hub := newHub(t, 2)
		rec := newRecorder()
		startWatcher(t, rec, hub, running)
		time.Sleep(DefaultBatchInterval)
		synctest.Wait()
		rec.take("")
		// A peer comes and goes every 10 ms for 2 s: 400 hub events.
		const period, total = 10 * time.Millisecond, 2 * time.Second
		for range total / period {
			p := join(t, hub, "busy", "Ben", "")
			hub.Disconnect(p)
			time.Sleep(period)
		}
		time.Sleep(DefaultBatchInterval)
		synctest.Wait()
		views := rec.take(EventRooms)
		if max := int((total+DefaultBatchInterval)/DefaultBatchInterval) + 1; len(views) > max || len(views) < max-2 {
			t.Errorf("%d views in %v of constant change, want about %d", len(views), total, max)
		}
		for i := 1; i < len(views); i++ {
			if gap := views[i].at.Sub(views[i-1].at); gap < DefaultBatchInterval {
				t.Errorf("views %d and %d only %v apart", i-1, i, gap)
			}
		}
		var lines int
		for _, e := range rec.take(EventLog) {
			for _, entry := range e.data.([]LogEntry) {
				if entry.Kind == string(signaling.EventPeerDisconnected) {
					t.Errorf("a plain disconnection was logged: %+v", entry)
				}
				lines++
			}
		}
		if want := 4 * int(total/period); lines != want { // room opened, joined, left, closed
			t.Errorf("%d log lines, want %d", lines, want)
		}
	})
}

func TestWatcherStats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hub := newHub(t, 2)
		rec := newRecorder()
		a := join(t, hub, "math", "Ana", "")
		join(t, hub, "math", "Ben", "")
		startWatcher(t, rec, hub, running)
		synctest.Wait()
		for range 30 {
			if err := hub.Broadcast(a, json.RawMessage(`{"chat":"hi"}`)); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(DefaultStatsInterval)
		synctest.Wait()
		stats := rec.take(EventStats)
		if len(stats) != 1 {
			t.Fatalf("%d stats events after one interval, want 1", len(stats))
		}
		if s := stats[0].data.(StatsView); s.MessagesPerSec != 30 || s.Peers != 2 || s.Rooms != 1 || s.Relayed != 30 {
			t.Errorf("stats = %+v, want 30 messages/s, 2 peers, 1 room", s)
		}
		time.Sleep(DefaultStatsInterval)
		synctest.Wait()
		if s := rec.take(EventStats)[0].data.(StatsView); s.MessagesPerSec != 0 {
			t.Errorf("rate in a quiet second = %v, want 0", s.MessagesPerSec)
		}
	})
}

func TestWatcherStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		st := running()
		status := func() Status { mu.Lock(); defer mu.Unlock(); return st }
		rec := newRecorder()
		startWatcher(t, rec, nil, status)
		synctest.Wait()
		if got := rec.take(EventStatus); len(got) != 1 || got[0].data.(Status).State != StateRunning {
			t.Fatalf("status events at start = %v, want one, running", got)
		}
		time.Sleep(3 * DefaultStatsInterval)
		synctest.Wait()
		if got := rec.take(EventStatus); len(got) != 0 {
			t.Errorf("%d status events while nothing changed, want 0", len(got))
		}
		mu.Lock()
		st = Status{State: StateError, ErrorCode: CodePortBusy, Error: "listen on :7480: port already in use", Port: 7480}
		st.MDNS.Code, st.MDNS.Error = "failed", "mdns: cannot advertise"
		mu.Unlock()
		time.Sleep(DefaultStatsInterval)
		synctest.Wait()
		if got := rec.take(EventStatus); len(got) != 1 || got[0].data.(Status).ErrorCode != CodePortBusy {
			t.Errorf("status events after a change = %v, want one, port-busy", got)
		}
		var kinds []string
		for _, e := range rec.take(EventLog) {
			for _, entry := range e.data.([]LogEntry) {
				kinds = append(kinds, entry.Kind+"/"+entry.Code)
			}
		}
		want := fmt.Sprint([]string{LogServerStarted + "/", LogServerError + "/" + CodePortBusy, LogMDNSError + "/failed"})
		if fmt.Sprint(kinds) != want {
			t.Errorf("log lines = %v, want %v", kinds, want)
		}
	})
}

func TestStatusEntries(t *testing.T) {
	run := Status{State: StateRunning, Port: 7480}
	tests := []struct {
		name     string
		old, new Status
		want     []string
	}{
		{"start", Status{State: StateStopped}, run, []string{LogServerStarted}},
		{"same", run, run, nil},
		{"restart on another port", run, Status{State: StateRunning, Port: 8000}, []string{LogServerStarted}},
		{"stop", run, Status{State: StateStopped}, []string{LogServerStopped}},
		{"fail", Status{State: StateStopped}, Status{State: StateError, Error: "x"}, []string{LogServerError}},
		{"advertising", run, Status{State: StateRunning, Port: 7480, MDNS: mdnsOn()}, []string{LogMDNSAdvertised}},
		{"https fails", run, Status{State: StateRunning, Port: 7480, TLS: service.TLSStatus{Enabled: true, Code: "failed", Error: "x"}}, []string{LogTLSError}},
		{"relay fails", run, Status{State: StateRunning, Port: 7480, Relay: service.RelayStatus{Enabled: true, Code: "failed", Error: "busy"}}, []string{LogRelayError}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range statusEntries(tt.old, tt.new) {
				got = append(got, e.Kind)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("statusEntries() = %v, want %v", got, tt.want)
			}
		})
	}
}

func mdnsOn() service.MDNSStatus {
	return service.MDNSStatus{Enabled: true, Advertising: true, Host: "signalbox.local."}
}
