package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"signalbox/app/settings"
)

func TestFlagsOverrideStoredSettings(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      func(*settings.Settings)
		wantFixed []string
	}{
		{"no flags", nil, func(*settings.Settings) {}, []string{}},
		{"addr and name", []string{"--addr", "127.0.0.1:0", "--name", "Lab 2"},
			func(s *settings.Settings) { s.Addr, s.ServerName = "127.0.0.1:0", "Lab 2" }, []string{"port", "serverName"}},
		{"mdns off, interfaces", []string{"--mdns=false", "--interface", "eth0", "--interface", "wlan0"},
			func(s *settings.Settings) { s.MDNS, s.Interfaces = false, []string{"eth0", "wlan0"} }, []string{"interfaces", "mdns"}},
		{"room size", []string{"--room-size", "6"}, func(s *settings.Settings) { s.RoomCapacity = 6 }, []string{"roomCapacity"}},
		{"https, turn", []string{"--https=false", "--turn-port", "0", "--headless", "--log-level", "debug"},
			func(s *settings.Settings) { s.HTTPS, s.TURNPort = false, 0 }, []string{"https", "turnPort"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, &bytes.Buffer{})
			if err != nil {
				t.Fatalf("parseFlags(%q) = %v", tt.args, err)
			}
			stored := settings.Settings{Addr: ":8000", ServerName: "Stored", RoomCapacity: 3, MDNS: true, Interfaces: []string{}}
			got, want := stored, stored
			o.flags.Override(&got)
			tt.want(&want)
			if got.Addr != want.Addr || got.ServerName != want.ServerName || got.RoomCapacity != want.RoomCapacity ||
				got.MDNS != want.MDNS || !slices.Equal(got.Interfaces, want.Interfaces) || got.HTTPS != want.HTTPS || got.TURNPort != want.TURNPort {
				t.Errorf("override() = %+v, want %+v", got, want)
			}
			fixed := o.flags.Fixed()
			slices.Sort(fixed)
			if !slices.Equal(fixed, tt.wantFixed) {
				t.Errorf("fixed() = %q, want %q", fixed, tt.wantFixed)
			}
		})
	}
}

// run hands `discover` to its command and refuses what it does not know.
func TestArguments(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"discover", "extra"}, 2, `signalbox discover: unexpected argument "extra"`},
		{[]string{"discover", "--help"}, 0, "-interface"},
		{[]string{"extra"}, 2, `signalbox: unexpected argument "extra"`},
		{[]string{"--help"}, 0, "-turn-port"},
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
		if got := o.flags.Values().SocketIONoLogs; got != tt.noLogs {
			t.Errorf("parseFlags(%q): SocketIONoLogs = %v, want %v", tt.args, got, tt.noLogs)
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
	if v := o.flags.Values(); v.SocketIOPingInterval != 250*time.Millisecond || v.SocketIOPingTimeout != 2*time.Second || v.SocketIOMaxPayload != 1_000_000 {
		t.Errorf("socket.io settings = %v, %v, %d; want 250ms, 2s, 1000000", v.SocketIOPingInterval, v.SocketIOPingTimeout, v.SocketIOMaxPayload)
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
