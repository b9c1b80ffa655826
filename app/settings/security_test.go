package settings

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestSecurityDefaults: a new installation, and one whose settings file
// predates these keys, serve HTTPS and run the relay on the TURN port.
func TestSecurityDefaults(t *testing.T) {
	def := Default("Lab")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(`{"port": 8000, "mdns": false}`), 0o600); err != nil {
		t.Fatal(err)
	}
	old, err := Load(dir, def)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Settings{"new": def, "older file": old} {
		if !s.HTTPS || !s.TURN || s.TURNPort != DefaultTURNPort {
			t.Errorf("%s: https=%v turn=%v turnPort=%d, want on, on, %d", name, s.HTTPS, s.TURN, s.TURNPort, DefaultTURNPort)
		}
	}
}

func TestSecuritySettings(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*Settings)
		invalid bool
		restart bool
	}{
		{"https off", func(s *Settings) { s.HTTPS = false }, false, true},
		{"turn off", func(s *Settings) { s.TURN = false }, false, false},
		{"turn port", func(s *Settings) { s.TURNPort = 3479 }, false, false},
		{"turn port free", func(s *Settings) { s.TURNPort = 0 }, false, false},
		{"turn port too big", func(s *Settings) { s.TURNPort = 65536 }, true, false},
		{"turn port negative", func(s *Settings) { s.TURNPort = -1 }, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Default("Lab")
			b := a
			tt.change(&b)
			if err := b.Validate(); errors.Is(err, ErrInvalid) != tt.invalid {
				t.Errorf("Validate() = %v, want invalid %v", err, tt.invalid)
			}
			if got := NeedsRestart(a, b); got != tt.restart {
				t.Errorf("NeedsRestart() = %v, want %v", got, tt.restart)
			}
			if tt.invalid {
				return
			}
			st := b.ApplyTo(Settings{CertFile: "c.pem", KeyFile: "k.pem"})
			if st.HTTPS != b.HTTPS || st.TURN != b.TURN || st.TURNPort != b.TURNPort || st.CertFile != "c.pem" || st.KeyFile != "k.pem" {
				t.Errorf("ApplyTo() = %+v, want the stored https/turn and the base's certificate", st)
			}
		})
	}
}
