package mdns

// Tests on lo inside one private network namespace (scripts/test-mdns.sh,
// first part): advertiser, browsers and listeners share the loopback link.

import (
	"errors"
	"log"
	"net"
	"slices"
	"strings"
	"testing"

	hmdns "github.com/hashicorp/mdns"
	"github.com/miekg/dns"
)

// fingerprint is a SHA-256 fingerprint in the usual colon-separated form.
var fingerprint = strings.TrimSuffix(strings.Repeat("3F:", 32), ":")

// startOnLoopback starts an Advertiser for cfg on lo (127.0.0.1 unless
// cfg.Addrs says otherwise) and shuts it down when t ends.
func startOnLoopback(t *testing.T, lo net.Interface, cfg Config) *Advertiser {
	t.Helper()
	cfg.Ifaces = []net.Interface{lo}
	if cfg.Addrs == nil {
		cfg.Addrs = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	a := New(cfg, testLogger(t))
	if err := a.Start(); err != nil {
		t.Fatalf("Start() = %v", err)
	}
	t.Cleanup(a.Shutdown)
	return a
}

func TestLoopbackDiscover(t *testing.T) {
	lo := loopback(t)
	cafe := Config{
		Instance: "Café Lab 2.0", Host: "signalbox", Port: 8443,
		Addrs: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		TXT:   TXT{Version: "1", Path: "/ws", Scheme: "https", Fingerprint: fingerprint, ID: "id-cafe"},
	}
	kitchen := Config{
		Instance: "Kitchen", Host: "kitchen.local.", Port: 8080,
		Addrs: []net.IP{net.IPv4(127, 0, 0, 2)},
		TXT:   TXT{Version: "1", Path: "/ws", Scheme: "http", ID: "id-kitchen"},
	}
	startOnLoopback(t, lo, cafe)
	startOnLoopback(t, lo, kitchen)

	servers, err := Discover(t.Context(), []net.Interface{lo}, discoverWait)
	if err != nil {
		t.Fatalf("Discover() = %v", err)
	}
	want := []struct {
		s    Server
		addr []string
		url  string
	}{
		{Server{Instance: cafe.Instance, Host: "signalbox.local.", Port: 8443, TXT: cafe.TXT},
			[]string{"127.0.0.1", "::1"}, "https://127.0.0.1:8443/"},
		{Server{Instance: kitchen.Instance, Host: "kitchen.local.", Port: 8080, TXT: kitchen.TXT},
			[]string{"127.0.0.2"}, "http://127.0.0.2:8080/"},
	}
	if len(servers) != len(want) {
		t.Fatalf("Discover() found %d servers, want %d: %+v", len(servers), len(want), servers)
	}
	for i, w := range want {
		got := servers[i]
		if got.Instance != w.s.Instance || got.Host != w.s.Host || got.Port != w.s.Port || got.TXT != w.s.TXT {
			t.Errorf("server %d = %+v, want %+v", i, got, w.s)
		}
		if a := ipStrings(got.Addrs); !slices.Equal(a, w.addr) {
			t.Errorf("server %d addrs = %q, want %q", i, a, w.addr)
		}
		if u := got.URL(); u != w.url {
			t.Errorf("server %d URL() = %q, want %q", i, u, w.url)
		}
	}
}

// TestLoopbackHashicorpClient checks the advertisement with a second,
// independent mDNS implementation.
func TestLoopbackHashicorpClient(t *testing.T) {
	lo := loopback(t)
	txt := TXT{Version: "1", Path: "/ws", Scheme: "http", ID: "id-bench"}
	// A dot and spaces in the name: on the wire the instance must stay one
	// label, which another implementation reads back escaped.
	startOnLoopback(t, lo, Config{Instance: "Lab Bench 2.0", Port: 9000, TXT: txt})

	entries := make(chan *hmdns.ServiceEntry, 16)
	err := hmdns.QueryContext(t.Context(), &hmdns.QueryParam{
		Service: ServiceType, Domain: domain, Timeout: discoverWait,
		Interface: &lo, Entries: entries, DisableIPv6: true,
		Logger: log.New(t.Output(), "hashicorp/mdns: ", 0),
	})
	if err != nil {
		t.Fatalf("hashicorp/mdns QueryContext() = %v", err)
	}
	close(entries)
	const name = `Lab\ Bench\ 2\.0._signalbox._tcp.local.`
	var got *hmdns.ServiceEntry
	for e := range entries {
		if e.Name == name {
			got = e
		}
	}
	if got == nil {
		t.Fatalf("hashicorp/mdns did not find %s", name)
	}
	if got.Host != DefaultHost || got.Port != 9000 || !got.AddrV4.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("hashicorp/mdns found host %q port %d addr %v, want %s 9000 127.0.0.1", got.Host, got.Port, got.AddrV4, DefaultHost)
	}
	if !slices.Equal(got.InfoFields, txt.Records()) {
		t.Errorf("hashicorp/mdns TXT = %q, want %q", got.InfoFields, txt.Records())
	}
}

// TestLoopbackHostName resolves the host name the ways resolvers ask: a
// one-shot query from another port (dig, Android) and a multicast query
// from port 5353 (avahi, Apple), for A and AAAA.
func TestLoopbackHostName(t *testing.T) {
	lo := loopback(t)
	startOnLoopback(t, lo, Config{Instance: "Resolver Test", Host: "signalbox.local", Port: 9001,
		Addrs: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, TXT: TXT{Version: "1"}})

	tests := []struct {
		qtype uint16
		want  []string
	}{
		{dns.TypeA, []string{"127.0.0.1"}},
		{dns.TypeAAAA, []string{"::1"}},
	}
	for _, tt := range tests {
		name := dns.TypeToString[tt.qtype]
		t.Run("legacy "+name, func(t *testing.T) {
			if got := queryHost(t, lo, false, "signalbox.local.", tt.qtype); !slices.Equal(got, tt.want) {
				t.Errorf("legacy query %s signalbox.local. = %q, want %q", name, got, tt.want)
			}
		})
		t.Run("multicast "+name, func(t *testing.T) {
			l := listenGroup(t, lo)
			q := new(dns.Msg)
			q.SetQuestion("signalbox.local.", tt.qtype)
			q.Id, q.RecursionDesired = 0, false
			l.send(t, q)
			// zeroconf's announcements carry the address records too, next
			// to the service's; an answer to this query holds only them.
			m := l.waitFor(t, "multicast answer for signalbox.local.", func(m *dns.Msg) bool {
				return m.Response && len(m.Answer) > 0 && len(hostAddrs(m.Answer, "signalbox.local.", true)) == len(m.Answer) &&
					m.Answer[0].Header().Rrtype == tt.qtype
			})
			if got := hostAddrs(m.Answer, "signalbox.local.", true); !slices.Equal(got, tt.want) {
				t.Errorf("multicast query %s signalbox.local. = %q, want %q", name, got, tt.want)
			}
		})
	}
}

func TestLoopbackUpdate(t *testing.T) {
	lo := loopback(t)
	a := startOnLoopback(t, lo, Config{Instance: "Roaming", Host: "roaming", Port: 9002, TXT: TXT{Version: "1"}})
	if got := queryHost(t, lo, false, "roaming.local.", dns.TypeA); !slices.Equal(got, []string{"127.0.0.1"}) {
		t.Fatalf("before Update: A roaming.local. = %q, want [127.0.0.1]", got)
	}

	l := listenGroup(t, lo)
	if err := a.Update([]net.IP{net.IPv4(127, 0, 0, 3)}); err != nil {
		t.Fatalf("Update() = %v", err)
	}
	l.waitFor(t, "goodbye for 127.0.0.1", func(m *dns.Msg) bool {
		return slices.Contains(hostAddrs(m.Answer, "roaming.local.", false), "127.0.0.1")
	})
	l.waitFor(t, "announcement of 127.0.0.3", func(m *dns.Msg) bool {
		return slices.Contains(hostAddrs(append(m.Answer, m.Extra...), "roaming.local.", true), "127.0.0.3")
	})
	if got := queryHost(t, lo, false, "roaming.local.", dns.TypeA); !slices.Equal(got, []string{"127.0.0.3"}) {
		t.Errorf("after Update: A roaming.local. = %q, want [127.0.0.3]", got)
	}

	if err := a.Update([]net.IP{net.IPv4(127, 0, 0, 3)}); err != nil {
		t.Errorf("Update(same addresses) = %v, want nil", err)
	}
	if err := a.Update(nil); !errors.Is(err, ErrConfig) {
		t.Errorf("Update(nil) = %v, want %v", err, ErrConfig)
	}
	// A refused Update leaves the advertisement as it was.
	if got := queryHost(t, lo, false, "roaming.local.", dns.TypeA); !slices.Equal(got, []string{"127.0.0.3"}) {
		t.Errorf("after refused Update: A roaming.local. = %q, want [127.0.0.3]", got)
	}
}

func TestLoopbackShutdownSendsGoodbye(t *testing.T) {
	lo := loopback(t)
	cfg := Config{Instance: "Leaving Soon", Host: "leaving", Port: 9003, TXT: TXT{Version: "1"}}
	a := startOnLoopback(t, lo, cfg)
	if err := a.Start(); !errors.Is(err, ErrStarted) {
		t.Errorf("second Start() = %v, want %v", err, ErrStarted)
	}

	l := listenGroup(t, lo)
	a.Shutdown()
	m := l.waitFor(t, "goodbye for Leaving Soon", func(m *dns.Msg) bool { return isGoodbye(m, cfg.Instance) })
	if got := hostAddrs(m.Answer, "leaving.local.", false); !slices.Equal(got, []string{"127.0.0.1"}) {
		t.Errorf("goodbye withdraws addresses %q, want [127.0.0.1]", got)
	}
	a.Shutdown() // a second call does nothing
	if err := a.Update([]net.IP{net.IPv4(127, 0, 0, 4)}); !errors.Is(err, ErrNotStarted) {
		t.Errorf("Update after Shutdown = %v, want %v", err, ErrNotStarted)
	}

	// The Advertiser can start again.
	if err := a.Start(); err != nil {
		t.Fatalf("Start after Shutdown = %v", err)
	}
	if got := queryHost(t, lo, false, "leaving.local.", dns.TypeA); !slices.Equal(got, []string{"127.0.0.1"}) {
		t.Errorf("after restart: A leaving.local. = %q, want [127.0.0.1]", got)
	}
}

func TestLoopbackStartFailsWithoutInterface(t *testing.T) {
	loopback(t)
	missing := net.Interface{Index: 4242, Name: "missing0", Flags: net.FlagUp | net.FlagMulticast}
	a := New(Config{Instance: "Nowhere", Port: 9004, Addrs: []net.IP{net.IPv4(127, 0, 0, 1)},
		Ifaces: []net.Interface{missing}}, testLogger(t))
	if err := a.Start(); !errors.Is(err, ErrAdvertise) {
		t.Fatalf("Start on a missing interface = %v, want %v", err, ErrAdvertise)
	}
	if _, err := Discover(t.Context(), []net.Interface{missing}, discoverWait); !errors.Is(err, ErrBrowse) {
		t.Errorf("Discover on a missing interface = %v, want %v", err, ErrBrowse)
	}
}
