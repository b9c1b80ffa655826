package origin

import (
	"net/http/httptest"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		host    string
		origin  string
		allowed []string
		want    bool
	}{
		{"no origin header", "10.0.0.2:7480", "", nil, true},
		{"same origin", "10.0.0.2:7480", "http://10.0.0.2:7480", nil, true},
		{"same origin https", "10.0.0.2:7480", "https://10.0.0.2:7480", nil, true},
		{"case differs", "Signalbox.local:7480", "http://signalbox.LOCAL:7480", nil, true},
		{"other host", "10.0.0.2:7480", "http://evil.example", nil, false},
		{"other port", "10.0.0.2:7480", "http://10.0.0.2:8080", nil, false},
		{"null origin", "10.0.0.2:7480", "null", nil, false},
		{"allowlisted", "10.0.0.2:7480", "wails://wails", []string{"wails://wails"}, true},
		{"allowlist is exact", "10.0.0.2:7480", "wails://wails.evil", []string{"wails://wails"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://"+tt.host+"/ws", nil)
			r.Host = tt.host
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if got := (Policy{Allowed: tt.allowed}).Check(r); got != tt.want {
				t.Errorf("Check(host %q, origin %q) = %v, want %v", tt.host, tt.origin, got, tt.want)
			}
		})
	}
}
