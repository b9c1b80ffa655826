package transport

import (
	"errors"
	"io"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"signalbox/signaling"
)

type nopLink struct{}

func (nopLink) Wake()                  {}
func (nopLink) Close(signaling.Reason) {}

func newPeer(t *testing.T, rate float64, burst int) *signaling.Peer {
	t.Helper()
	hub, err := signaling.New(signaling.Config{Rate: rate, Burst: burst}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := hub.Connect(signaling.ConnInfo{}, nopLink{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A steady flood is told "rate-limited" once, though the limiter lets a
// request through now and then; a flood after a quiet second is told
// again.
func TestFloodIsToldOncePerEpisode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPeer(t, 10, 5)
		g := NewGuard(&Policy{})
		flood := func(d time.Duration) (admitted, told int) {
			end := time.Now().Add(d)
			for time.Now().Before(end) {
				ok, tell := g.Admit(p)
				if ok {
					admitted++
				}
				if tell {
					told++
				}
				time.Sleep(time.Millisecond) // 1,000 requests/s, 100× the rate
			}
			return admitted, told
		}
		admitted, told := flood(5 * time.Second)
		if told != 1 {
			t.Errorf("a 5 s flood was told %d times, want once", told)
		}
		if admitted < 50 || admitted > 60 {
			t.Errorf("admitted %d requests in 5 s at 10/s with a burst of 5, want 50–60", admitted)
		}
		time.Sleep(FloodQuiet + time.Second) // the flood ends; the bucket refills
		if _, told := flood(2 * time.Second); told != 1 {
			t.Errorf("a second flood was told %d times, want once", told)
		}
	})
}

func TestStrikes(t *testing.T) {
	p := newPeer(t, 100, 100)
	bad := signaling.ErrBadField
	tests := []struct {
		name    string
		results []error
		want    []bool
	}{
		{"three in a row", []error{bad, bad, bad}, []bool{true, true, false}},
		{"a success resets", []error{bad, bad, nil, bad, bad}, []bool{true, true, true, true, true}},
		{"uncoded errors count too", []error{errors.New("bug"), bad, bad}, []bool{true, true, false}},
	}
	for _, tt := range tests {
		g := NewGuard(&Policy{MaxStrikes: 3, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		for i, err := range tt.results {
			if got := g.Done(p, "request", "x", err); got != tt.want[i] {
				t.Errorf("%s: Done #%d = %v, want %v", tt.name, i+1, got, tt.want[i])
			}
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"longer than that", 6, "longer…"},
		{"héllo", 2, "h…"}, // never cuts inside é
	}
	for _, tt := range tests {
		if got := Truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
