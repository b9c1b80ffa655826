package headless

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"signalbox/app/banner"
	"signalbox/app/service"
	"signalbox/app/settings"
)

// TestPrintSecurityInfo runs a service on loopback with HTTPS and the relay
// and checks what the headless output tells: the fingerprint, the /trust
// URL and the relay's port; and what it says when HTTPS cannot start.
func TestPrintSecurityInfo(t *testing.T) {
	tests := []struct {
		name string
		st   settings.Settings
		dir  string
		want []string
	}{
		{"https and relay", settings.Settings{HTTPS: true, TURN: true}, t.TempDir(), []string{
			`fingerprint \(SHA-256\):\n  ([0-9A-F]{2}:){31}[0-9A-F]{2}\n`,
			`Trust it once on each device \(or accept the browser's warning\): http://127\.0\.0\.1:\d+/trust\n`,
			`Relay \(TURN\) for networks that block direct calls: 127\.0\.0\.1, UDP and TCP port \d+\n`,
		}},
		{"no config folder", settings.Settings{HTTPS: true}, "", []string{
			`HTTPS is off \(no configuration folder for the certificates\): other devices get no camera over plain HTTP\.\n`,
		}},
		{"all off", settings.Settings{}, "", []string{`^\nSignalbox \S+ is running: ""\n`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := startService(t, tt.st, tt.dir)
			var out strings.Builder
			PrintJoinInfo(banner.NewTerminal(&out, &out), svc, "v9", slog.New(slog.DiscardHandler))
			if strings.Contains(out.String(), "HTTPS") != tt.st.HTTPS {
				t.Errorf("output %q: HTTPS lines present = %v, want %v", out.String(), !tt.st.HTTPS, tt.st.HTTPS)
			}
			matchAll(t, out.String(), tt.want)
			if strings.Contains(out.String(), "Relay") != tt.st.TURN {
				t.Errorf("output %q: relay line present = %v, want %v", out.String(), !tt.st.TURN, tt.st.TURN)
			}
		})
	}
}

// The banner names the server and its version, the join URL and its QR
// code.
func TestPrintJoinInfo(t *testing.T) {
	svc := startService(t, settings.Settings{ServerName: "Lab"}, "")
	var out strings.Builder
	PrintJoinInfo(banner.NewTerminal(&out, &out), svc, "v9", slog.New(slog.DiscardHandler))
	matchAll(t, out.String(), []string{
		`^\nSignalbox v9 is running: "Lab"\n`,
		`Join from any device on this network: http://127\.0\.0\.1:\d+/\n`,
		`\n\x1b\[30;107m[█▀▄ ]+\x1b\[0m\n`, // the QR code, in half blocks
	})
}

// startService runs a service with st on a free loopback port, stopped at
// the end of the test; dir is its configuration folder.
func startService(t *testing.T, st settings.Settings, dir string) *service.Service {
	t.Helper()
	st.Addr = "127.0.0.1:0"
	svc := service.New(service.Config{Settings: st, ConfigDir: dir}, slog.New(slog.DiscardHandler))
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := svc.Stop(context.Background()); err != nil {
			t.Errorf("Stop() = %v", err)
		}
	})
	return svc
}

// matchAll checks out against every regular expression in want.
func matchAll(t *testing.T, out string, want []string) {
	t.Helper()
	for _, re := range want {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output %q does not match %q", out, re)
		}
	}
}
