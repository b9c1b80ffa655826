package mdns

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// validConfig returns a Config that passes check; the cases below break one
// field each.
func validConfig() Config {
	return Config{
		Instance: "Kitchen",
		Host:     "signalbox.local.",
		Port:     8080,
		Addrs:    []net.IP{net.IPv4(192, 0, 2, 7)},
		Ifaces:   []net.Interface{{Index: 1, Name: "eth-test", Flags: net.FlagUp | net.FlagMulticast}},
		TXT:      TXT{Version: "1", Path: "/ws", Scheme: "https", Fingerprint: strings.Repeat("AB:", 31) + "AB", ID: "k3j4h5"},
	}
}

// TestStartRefusesBadConfig checks every refusal happens before a socket is
// opened, so it runs anywhere, and that a refused Start leaves the
// Advertiser stopped.
func TestStartRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
	}{
		{"empty instance", func(c *Config) { c.Instance = "" }},
		{"instance of 64 bytes", func(c *Config) { c.Instance = strings.Repeat("x", 64) }},
		{"instance with newline", func(c *Config) { c.Instance = "Kitchen\nEvil" }},
		{"instance not UTF-8", func(c *Config) { c.Instance = "Caf\xe9" }},
		{"instance ending in dot", func(c *Config) { c.Instance = "Kitchen." }},
		{"instance starting with dot", func(c *Config) { c.Instance = ".Kitchen" }},
		{"port 0", func(c *Config) { c.Port = 0 }},
		{"port 65536", func(c *Config) { c.Port = 65536 }},
		{"no address", func(c *Config) { c.Addrs = nil }},
		{"nil address", func(c *Config) { c.Addrs = []net.IP{nil} }},
		{"unspecified address", func(c *Config) { c.Addrs = []net.IP{net.IPv4zero} }},
		{"multicast address", func(c *Config) { c.Addrs = []net.IP{net.IPv4(224, 0, 0, 251)} }},
		{"no interface", func(c *Config) { c.Ifaces = nil }},
		{"host with underscore", func(c *Config) { c.Host = "signal_box.local" }},
		{"host with empty label", func(c *Config) { c.Host = "signal..local" }},
		{"host label of 64 bytes", func(c *Config) { c.Host = strings.Repeat("h", 64) }},
		{"host label with leading hyphen", func(c *Config) { c.Host = "-box.local" }},
		{"scheme ftp", func(c *Config) { c.TXT.Scheme = "ftp" }},
		{"fingerprint too long", func(c *Config) { c.TXT.Fingerprint = strings.Repeat("A", 253) }},
		{"path with quote", func(c *Config) { c.TXT.Path = `/ws"` }},
		{"id with backslash", func(c *Config) { c.TXT.ID = `a\065` }},
		{"id with non-ASCII", func(c *Config) { c.TXT.ID = "café" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig()
			tt.change(&cfg)
			a := New(cfg, nil)
			if err := a.Start(); !errors.Is(err, ErrConfig) {
				t.Fatalf("Start() = %v, want %v", err, ErrConfig)
			}
			if err := a.Update(cfg.Addrs); !errors.Is(err, ErrNotStarted) {
				t.Errorf("Update after refused Start = %v, want %v", err, ErrNotStarted)
			}
			a.Shutdown() // must be harmless
		})
	}
}

func TestValidConfigPassesCheck(t *testing.T) {
	cfg := validConfig()
	r, err := cfg.check(cfg.Addrs)
	if err != nil {
		t.Fatalf("check(validConfig) = %v", err)
	}
	if r.instance != "Kitchen" || r.host != "signalbox.local." || len(r.ips) != 1 || r.ips[0] != "192.0.2.7" {
		t.Errorf("check(validConfig) = %+v", r)
	}
	if len(r.txt) != 5 || r.txt[0] != "v=1" {
		t.Errorf("check(validConfig).txt = %q, want 5 records, v=1 first", r.txt)
	}
}

func TestNormalizeHost(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", DefaultHost},
		{".", DefaultHost},
		{"signalbox.local", "signalbox.local."},
		{"signalbox.local.", "signalbox.local."},
		{"Lab-2", "Lab-2.local."},
		{"room.box", "room.box.local."},
		{"box.LOCAL", "box.LOCAL."},
		{"mylocal", "mylocal.local."},
	}
	for _, tt := range tests {
		got, err := normalizeHost(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("normalizeHost(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestInstanceEscape checks that an instance name becomes exactly one DNS
// label on the wire and that unescape gives the name back.
func TestInstanceEscape(t *testing.T) {
	tests := []struct{ name, escaped string }{
		{"Kitchen", "Kitchen"},
		{"Lab 2.0", `Lab\ 2\.0`},
		{"Café", `Caf\195\169`},
		{`back\slash`, `back\\slash`},
		{`a(b);c@d"e`, `a\(b\)\;c\@d\"e`},
		{strings.Repeat("é", 31), strings.Repeat(`\195\169`, 31)},
	}
	for _, tt := range tests {
		got, err := escapeInstance(tt.name)
		if err != nil || got != tt.escaped {
			t.Errorf("escapeInstance(%q) = %q, %v, want %q", tt.name, got, err, tt.escaped)
			continue
		}
		fqdn := got + "." + ServiceType + "." + domain + "."
		if n := dns.CountLabel(fqdn); n != 4 {
			t.Errorf("CountLabel(%q) = %d, want 4", fqdn, n)
		}
		buf := make([]byte, 512)
		if _, err := dns.PackDomainName(fqdn, buf, 0, nil, false); err != nil {
			t.Errorf("PackDomainName(%q) = %v", fqdn, err)
		} else if label := string(buf[1 : 1+buf[0]]); label != tt.name {
			t.Errorf("first label of %q on the wire = %q, want %q", fqdn, label, tt.name)
		}
		if back := unescape(got); back != tt.name {
			t.Errorf("unescape(%q) = %q, want %q", got, back, tt.name)
		}
	}
}

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`a\.b`, "a.b"},
		{`\065\066`, "AB"},
		{`\999`, "999"},
		{`trailing\`, `trailing\`},
		{`\12`, "12"},
		{`x\\y`, `x\y`},
	}
	for _, tt := range tests {
		if got := unescape(tt.in); got != tt.want {
			t.Errorf("unescape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSameAddrs(t *testing.T) {
	a := net.ParseIP("192.0.2.1")
	b := net.ParseIP("2001:db8::1")
	tests := []struct {
		x, y []net.IP
		want bool
	}{
		{[]net.IP{a, b}, []net.IP{b, a}, true},
		{[]net.IP{a}, []net.IP{a.To4()}, true},
		{[]net.IP{a}, []net.IP{a, b}, false},
		{nil, []net.IP{a}, false},
	}
	for _, tt := range tests {
		if got := sameAddrs(tt.x, tt.y); got != tt.want {
			t.Errorf("sameAddrs(%v, %v) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
	}
}
