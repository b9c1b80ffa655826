package httpserver

import (
	"net"
	"testing"
)

func TestHostGuard(t *testing.T) {
	g := newHostGuard(HostPolicy{
		Names: []string{"signalbox.local", "Lab.Example"},
		IPs:   func() []net.IP { return []net.IP{net.ParseIP("192.168.1.20"), net.ParseIP("fd00::20")} },
	})
	tests := []struct {
		host string
		ok   bool
	}{
		{"192.168.1.20:7480", true},
		{"192.168.1.20", true},
		{"[fd00::20]:7480", true},
		{"127.0.0.1:7480", true},
		{"127.9.9.9", true},
		{"[::1]:7480", true},
		{"localhost:7480", true},
		{"wails.localhost", true},
		{"signalbox.local:7480", true},
		{"SIGNALBOX.LOCAL.", true},
		{"lab.example", true},
		{"192.168.1.21:7480", false},
		{"10.0.0.1", false},
		{"rebind.evil.example:7480", false},
		{"signalbox.local.evil.example", false},
		{"localhost.evil.example", false},
		{"", false},
		{"[fe80::1%25eth0]:7480", false},
	}
	for _, tt := range tests {
		if got := g.allowed(tt.host); got != tt.ok {
			t.Errorf("allowed(%q) = %v, want %v", tt.host, got, tt.ok)
		}
	}
}

func TestHasDotDot(t *testing.T) {
	for p, want := range map[string]bool{
		"/": false, "/assets/app.js": false, "/r/math..x": false, "/..": true,
		"/foo/../window.html": true, "/r/..\\window.html": true, "/a/../../b": true,
	} {
		if got := hasDotDot(p); got != want {
			t.Errorf("hasDotDot(%q) = %v, want %v", p, got, want)
		}
	}
}
