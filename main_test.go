package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"signalbox/app/service"
	"signalbox/signaling/httpserver"
)

func TestFlagsOverrideStoredSettings(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      func(*service.Settings)
		wantFixed []string
	}{
		{"no flags", nil, func(*service.Settings) {}, nil},
		{"addr and name", []string{"--addr", "127.0.0.1:0", "--name", "Lab 2"},
			func(s *service.Settings) { s.Addr, s.ServerName = "127.0.0.1:0", "Lab 2" }, []string{"port", "serverName"}},
		{"mdns off, interfaces", []string{"--mdns=false", "--interface", "eth0", "--interface", "wlan0"},
			func(s *service.Settings) { s.MDNS, s.Interfaces = false, []string{"eth0", "wlan0"} }, []string{"interfaces", "mdns"}},
		{"room size", []string{"--room-size", "6"}, func(s *service.Settings) { s.RoomCapacity = 6 }, []string{"roomCapacity"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, &bytes.Buffer{})
			if err != nil {
				t.Fatalf("parseFlags(%q) = %v", tt.args, err)
			}
			stored := service.Settings{Addr: ":8000", ServerName: "Stored", RoomCapacity: 3, MDNS: true, Interfaces: []string{}}
			got, want := stored, stored
			o.override(&got)
			tt.want(&want)
			if got.Addr != want.Addr || got.ServerName != want.ServerName || got.RoomCapacity != want.RoomCapacity ||
				got.MDNS != want.MDNS || !slices.Equal(got.Interfaces, want.Interfaces) {
				t.Errorf("override() = %+v, want %+v", got, want)
			}
			fixed := o.fixed()
			slices.Sort(fixed)
			if !slices.Equal(fixed, tt.wantFixed) {
				t.Errorf("fixed() = %q, want %q", fixed, tt.wantFixed)
			}
		})
	}
}

func TestDiscoverArguments(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"discover", "--interface", "no-such-if0"}, 2, `interface "no-such-if0"`},
		{[]string{"discover", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"discover", "--wait", "soon"}, 2, "invalid value"},
		{[]string{"discover", "--help"}, 0, "-interface"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(tt.args, &stdout, &stderr); code != tt.wantCode || !strings.Contains(stderr.String(), tt.wantErr) {
			t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.wantCode, tt.wantErr)
		}
	}
}

// The socket.io logs are on unless --socketio-logs=false says otherwise.
func TestSocketIOLogsFlag(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		noLogs bool
	}{{nil, false}, {[]string{"--socketio-logs=false"}, true}, {[]string{"--socketio-logs"}, false}} {
		o, err := parseFlags(tt.args, &bytes.Buffer{})
		if err != nil {
			t.Fatalf("parseFlags(%q) = %v", tt.args, err)
		}
		if o.flags.SocketIONoLogs != tt.noLogs {
			t.Errorf("parseFlags(%q): SocketIONoLogs = %v, want %v", tt.args, o.flags.SocketIONoLogs, tt.noLogs)
		}
	}
}

// The socket.io Engine.IO settings are taken from their flags, checked,
// and reach the service settings.
func TestSocketIOEngineFlags(t *testing.T) {
	o, err := parseFlags([]string{"--socketio-ping-interval", "250ms", "--socketio-ping-timeout", "2s", "--socketio-max-http-buffer-size", "1000000"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := httpserver.SocketIOSettings{PingInterval: 250 * time.Millisecond, PingTimeout: 2 * time.Second, MaxPayload: 1_000_000}
	if o.flags.SocketIO != want {
		t.Errorf("SocketIO = %+v, want %+v", o.flags.SocketIO, want)
	}
	for _, args := range [][]string{
		{"--socketio-ping-interval", "1ms"},
		{"--socketio-ping-timeout", "2h"},
		{"--socketio-ping-interval", "-1s"},
		{"--socketio-max-http-buffer-size", "10"},
		{"--socketio-max-http-buffer-size", "1000000000"},
	} {
		var stderr bytes.Buffer
		if code := run(args, &bytes.Buffer{}, &stderr); code != 2 || !strings.Contains(stderr.String(), "must be between") {
			t.Errorf("run(%q) = %d, stderr %q; want 2 and the allowed range", args, code, stderr.String())
		}
	}
}
