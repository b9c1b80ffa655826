package engineio

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// The heartbeat's deadline is decided by the clock: a poll arriving at
// exactly pingInterval + pingTimeout finds the session gone (400, unknown
// sid), whichever of the timer and the request runs first at that
// instant; one a nanosecond earlier gets the ping. Each case runs many
// times on a fake clock so that both orders occur.
func TestHeartbeatExpiryIsDeterministic(t *testing.T) {
	const interval, timeout = 50 * time.Millisecond, 30 * time.Millisecond
	tests := []struct {
		name       string
		at         time.Duration // after the ping
		wantStatus int
		wantBody   string
	}{
		{"just before the deadline", timeout - time.Nanosecond, http.StatusOK, "2"},
		{"at the deadline", timeout, http.StatusBadRequest, `{"code":1,"message":"Session ID unknown"}`},
		{"after the deadline", timeout + time.Millisecond, http.StatusBadRequest, `{"code":1,"message":"Session ID unknown"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for range 50 {
				synctest.Test(t, func(t *testing.T) {
					rec := newRecorder(false)
					srv, err := New(Config{PingInterval: interval, PingTimeout: timeout}, rec, slog.New(slog.DiscardHandler))
					if err != nil {
						t.Fatal(err)
					}
					s := openForTest(t, srv)
					time.Sleep(interval) // the ping is queued
					time.Sleep(tc.at)
					w := httptest.NewRecorder()
					srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, Path+"?EIO=4&transport=polling&sid="+s.ID(), nil))
					if w.Code != tc.wantStatus || strings.TrimSpace(w.Body.String()) != tc.wantBody {
						t.Fatalf("poll = %d %q, want %d %q", w.Code, w.Body, tc.wantStatus, tc.wantBody)
					}
					if tc.wantStatus != http.StatusOK {
						if ev := <-rec.closed; ev.reason != ReasonPingTimeout {
							t.Errorf("Handler.Close reason %q, want %q", ev.reason, ReasonPingTimeout)
						}
					}
					s.Close()
					synctest.Wait()
				})
			}
		})
	}
}

// A pong that arrives at the deadline is too late, too.
func TestLatePongExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(false)
		srv, err := New(Config{PingInterval: time.Second, PingTimeout: time.Second}, rec, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		s := openForTest(t, srv)
		time.Sleep(2 * time.Second)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest(http.MethodPost, Path+"?EIO=4&transport=polling&sid="+s.ID(), strings.NewReader("3")))
		if w.Code != http.StatusBadRequest {
			t.Errorf("late pong = %d %q, want 400", w.Code, w.Body)
		}
		if ev := <-rec.closed; ev.reason != ReasonPingTimeout {
			t.Errorf("Handler.Close reason %q, want %q", ev.reason, ReasonPingTimeout)
		}
	})
}

// openForTest does a polling handshake on srv without a network and
// returns the session.
func openForTest(t *testing.T, srv *Server) *Session {
	t.Helper()
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, Path+"?EIO=4&transport=polling", nil))
	var hs handshake
	if body := w.Body.String(); w.Code != http.StatusOK || !strings.HasPrefix(body, "0") || json.Unmarshal([]byte(body[1:]), &hs) != nil {
		t.Fatalf("handshake = %d %q", w.Code, body)
	}
	s := srv.session(hs.SID)
	if s == nil {
		t.Fatal("no session after the handshake")
	}
	return s
}
