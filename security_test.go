package main

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"

	"signalbox/app/banner"
	"signalbox/app/service"
)

func TestSecurityFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      func(*service.Settings)
		wantFixed []string
	}{
		{"defaults keep the stored settings", nil, func(*service.Settings) {}, nil},
		{"https and turn off", []string{"--https=false", "--turn=false"},
			func(s *service.Settings) { s.HTTPS, s.TURN = false, false }, []string{"https", "turn"}},
		{"turn port", []string{"--turn-port", "0"}, func(s *service.Settings) { s.TURNPort = 0 }, []string{"turnPort"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, &bytes.Buffer{})
			if err != nil {
				t.Fatalf("parseFlags(%q) = %v", tt.args, err)
			}
			stored := service.Settings{HTTPS: true, TURN: true, TURNPort: 3479}
			got, want := stored, stored
			o.override(&got)
			tt.want(&want)
			if got.HTTPS != want.HTTPS || got.TURN != want.TURN || got.TURNPort != want.TURNPort {
				t.Errorf("override() = %+v, want %+v", got, want)
			}
			fixed := o.fixed()
			slices.Sort(fixed)
			if !slices.Equal(fixed, tt.wantFixed) {
				t.Errorf("fixed() = %q, want %q", fixed, tt.wantFixed)
			}
		})
	}
	o, err := parseFlags([]string{"--cert", "c.pem", "--key", "k.pem"}, &bytes.Buffer{})
	if err != nil || o.flags.CertFile != "c.pem" || o.flags.KeyFile != "k.pem" || !o.flags.HTTPS || !o.flags.TURN || o.flags.TURNPort != service.DefaultTURNPort {
		t.Errorf("parseFlags(--cert, --key) = %+v, %v", o.flags, err)
	}
}

// TestPrintSecurityInfo runs a service on loopback with HTTPS and the relay
// and checks what the headless output tells: the fingerprint, the /trust
// URL and the relay's port; and what it says when HTTPS cannot start.
func TestPrintSecurityInfo(t *testing.T) {
	tests := []struct {
		name string
		st   service.Settings
		dir  string
		want []string
	}{
		{"https and relay", service.Settings{HTTPS: true, TURN: true}, t.TempDir(), []string{
			`fingerprint \(SHA-256\):\n  ([0-9A-F]{2}:){31}[0-9A-F]{2}\n`,
			`Trust it once on each device \(or accept the browser's warning\): http://127\.0\.0\.1:\d+/trust\n`,
			`Relay \(TURN\) for networks that block direct calls: 127\.0\.0\.1, UDP and TCP port \d+\n`,
		}},
		{"no config folder", service.Settings{HTTPS: true}, "", []string{
			`HTTPS is off \(no configuration folder for the certificates\): other devices get no camera over plain HTTP\.\n`,
		}},
		{"all off", service.Settings{}, "", []string{`^\nSignalbox \S+ is running: ""\n`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.st.Addr = "127.0.0.1:0"
			svc := service.New(service.Config{Settings: tt.st, ConfigDir: tt.dir}, slog.New(slog.DiscardHandler))
			if err := svc.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := svc.Stop(context.Background()); err != nil {
					t.Errorf("Stop() = %v", err)
				}
			})
			var out strings.Builder
			printJoinInfo(banner.NewTerminal(&out, &out), svc, slog.New(slog.DiscardHandler))
			if strings.Contains(out.String(), "HTTPS") != tt.st.HTTPS {
				t.Errorf("output %q: HTTPS lines present = %v, want %v", out.String(), !tt.st.HTTPS, tt.st.HTTPS)
			}
			for _, re := range tt.want {
				if !regexp.MustCompile(re).MatchString(out.String()) {
					t.Errorf("output %q does not match %q", out.String(), re)
				}
			}
			if strings.Contains(out.String(), "Relay") != tt.st.TURN {
				t.Errorf("output %q: relay line present = %v, want %v", out.String(), !tt.st.TURN, tt.st.TURN)
			}
		})
	}
}
