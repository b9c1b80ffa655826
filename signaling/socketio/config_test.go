package socketio_test

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"signalbox/signaling"
	"signalbox/signaling/socketio"
)

// The Engine.IO settings are checked against their bounds by New as by
// Validate; zero takes the hub's values.
func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  socketio.Config
		ok   bool
	}{
		{"zero: the hub's values", socketio.Config{}, true},
		{"shortest", socketio.Config{PingInterval: socketio.MinPingTime, PingTimeout: socketio.MinPingTime, MaxPayload: socketio.MinMaxPayload}, true},
		{"longest", socketio.Config{PingInterval: socketio.MaxPingTime, PingTimeout: socketio.MaxPingTime, MaxPayload: socketio.MaxMaxPayload}, true},
		{"interval too short", socketio.Config{PingInterval: time.Millisecond}, false},
		{"negative timeout", socketio.Config{PingTimeout: -time.Second}, false},
		{"timeout too long", socketio.Config{PingTimeout: socketio.MaxPingTime + 1}, false},
		{"payload too small", socketio.Config{MaxPayload: socketio.MinMaxPayload - 1}, false},
		{"payload too large", socketio.Config{MaxPayload: socketio.MaxMaxPayload + 1}, false},
	}
	hub, err := signaling.New(signaling.Config{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hub.Shutdown)
	for _, tc := range tests {
		err := tc.cfg.Validate()
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, socketio.ErrBadConfig)) {
			t.Errorf("%s: Validate() = %v, want ok %v", tc.name, err, tc.ok)
		}
		if _, err := socketio.New(hub, tc.cfg, nil); (err == nil) != tc.ok {
			t.Errorf("%s: New error %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}
