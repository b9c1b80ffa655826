package mdns

// Helpers for the tests that multicast. They run only inside the private
// network namespaces scripts/test-mdns.sh makes, never on a real interface.

import (
	"errors"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
)

const (
	// envNetns is set to 1 by scripts/test-mdns.sh inside a namespace.
	envNetns = "SIGNALBOX_NETNS"
	// envOuterNetns names the network namespace scripts/test-mdns.sh was
	// started in (readlink /proc/self/ns/net), where tests must not run.
	envOuterNetns = "SIGNALBOX_OUTER_NETNS"
	// discoverWait is how long Discover and the hashicorp/mdns client listen
	// in tests. Answers inside a namespace arrive in about a millisecond;
	// the rest is headroom for a loaded machine under the race detector.
	discoverWait = time.Second
	// answerWait is the deadline for one expected packet.
	answerWait = 5 * time.Second
)

// requireNetns skips t unless scripts/test-mdns.sh runs it, and fails if it
// would multicast in the network namespace the script was started in (given
// as envOuterNetns) or, failing that, the one of pid 1.
func requireNetns(t *testing.T) {
	t.Helper()
	if os.Getenv(envNetns) != "1" {
		t.Skip("multicast test: run scripts/test-mdns.sh (root, network namespaces)")
	}
	self, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	outer := os.Getenv(envOuterNetns)
	if outer == "" {
		if outer, err = os.Readlink("/proc/1/ns/net"); err != nil {
			t.Fatalf("%s is not set and %v: cannot tell whether this is a private network namespace", envOuterNetns, err)
		}
	}
	if self == outer {
		t.Fatalf("%s=1 but this is the outer network namespace (%s): refusing to multicast", envNetns, self)
	}
}

// loopback returns lo after checking the namespace holds nothing else and
// lo carries multicast, as scripts/test-mdns.sh sets it up.
func loopback(t *testing.T) net.Interface {
	t.Helper()
	requireNetns(t)
	ifaces, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	if len(ifaces) != 1 || ifaces[0].Name != "lo" {
		t.Fatalf("namespace has interfaces %q, want only lo", ifaceNames(ifaces))
	}
	lo := ifaces[0]
	if lo.Flags&net.FlagUp == 0 || lo.Flags&net.FlagMulticast == 0 {
		t.Fatalf("lo flags %v: want up and multicast (ip link set lo up multicast on; ip route add 224.0.0.0/4 dev lo)", lo.Flags)
	}
	return lo
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// groupListener receives every IPv4 mDNS packet on one interface, the way
// any other responder or browser on the link would.
type groupListener struct {
	p    *ipv4.PacketConn
	ifi  net.Interface
	msgs chan *dns.Msg
	done chan struct{}
}

func listenGroup(t *testing.T, ifi net.Interface) *groupListener {
	t.Helper()
	udp, err := net.ListenUDP("udp4", groupV4())
	if err != nil {
		t.Fatal(err)
	}
	p := ipv4.NewPacketConn(udp)
	if err := errors.Join(p.JoinGroup(&ifi, groupV4()), p.SetMulticastInterface(&ifi), p.SetMulticastLoopback(true)); err != nil {
		_ = p.Close()
		t.Fatal(err)
	}
	l := &groupListener{p: p, ifi: ifi, msgs: make(chan *dns.Msg, 64), done: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, maxPacket)
		for {
			n, _, _, err := p.ReadFrom(buf)
			if err != nil {
				return
			}
			m := new(dns.Msg)
			if m.Unpack(buf[:n]) != nil {
				continue
			}
			select {
			case l.msgs <- m:
			case <-l.done:
				return
			}
		}
	})
	t.Cleanup(func() {
		close(l.done)
		_ = p.Close()
		wg.Wait()
	})
	return l
}

// send multicasts m from port 5353, as a full mDNS querier does.
func (l *groupListener) send(t *testing.T, m *dns.Msg) {
	t.Helper()
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.p.WriteTo(b, &ipv4.ControlMessage{IfIndex: l.ifi.Index}, groupV4()); err != nil {
		t.Fatal(err)
	}
}

// waitFor returns the first packet that satisfies match, failing t after
// answerWait.
func (l *groupListener) waitFor(t *testing.T, what string, match func(*dns.Msg) bool) *dns.Msg {
	t.Helper()
	deadline := time.NewTimer(answerWait)
	defer deadline.Stop()
	for {
		select {
		case m := <-l.msgs:
			if match(m) {
				return m
			}
		case <-deadline.C:
			t.Fatalf("no %s within %v", what, answerWait)
		}
	}
}

// queryHost sends a one-shot (legacy unicast) query for name from an
// ephemeral port, as `dig -p 5353 @224.0.0.251` does, and returns the
// addresses in the answer. v6 sends to ff02::fb instead of 224.0.0.251.
func queryHost(t *testing.T, ifi net.Interface, v6 bool, name string, qtype uint16) []string {
	t.Helper()
	var conn *net.UDPConn
	var dst *net.UDPAddr
	var err error
	if v6 {
		conn, err = net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6unspecified})
		dst = &net.UDPAddr{IP: groupV6().IP, Port: mdnsPort, Zone: ifi.Name}
	} else {
		conn, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4zero})
		if err == nil {
			err = ipv4.NewPacketConn(conn).SetMulticastInterface(&ifi)
		}
		dst = groupV4()
	}
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	q.RecursionDesired = false
	b, err := q.Pack()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.WriteTo(b, dst); err != nil {
		t.Fatal(err)
	}
	if err := conn.SetReadDeadline(time.Now().Add(answerWait)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, maxPacket)
	for {
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			t.Fatalf("query %s %s: no answer: %v", dns.TypeToString[qtype], name, err)
		}
		var r dns.Msg
		if r.Unpack(buf[:n]) != nil || !r.Response || r.Id != q.Id {
			continue
		}
		return hostAddrs(r.Answer, name, true)
	}
}

// hostAddrs returns the addresses of the A and AAAA records for name in
// rrs, those with a TTL above 0 when live is true, else the goodbyes.
func hostAddrs(rrs []dns.RR, name string, live bool) []string {
	var out []string
	for _, rr := range rrs {
		h := rr.Header()
		if !strings.EqualFold(h.Name, name) || (h.Ttl > 0) != live {
			continue
		}
		switch r := rr.(type) {
		case *dns.A:
			out = append(out, r.A.String())
		case *dns.AAAA:
			out = append(out, r.AAAA.String())
		}
	}
	return out
}

// isGoodbye reports whether m withdraws the service instance: its PTR and
// SRV records with a TTL of 0.
func isGoodbye(m *dns.Msg, instance string) bool {
	esc, err := escapeInstance(instance)
	if err != nil {
		return false
	}
	fqdn := esc + "." + ServiceType + "." + domain + "."
	var ptr, srv bool
	for _, rr := range m.Answer {
		switch r := rr.(type) {
		case *dns.PTR:
			ptr = ptr || strings.EqualFold(r.Ptr, fqdn) && r.Hdr.Ttl == 0
		case *dns.SRV:
			srv = srv || strings.EqualFold(r.Hdr.Name, fqdn) && r.Hdr.Ttl == 0
		}
	}
	return m.Response && ptr && srv
}
