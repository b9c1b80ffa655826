package turnrelay

import (
	"errors"
	"io"
	"maps"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/pion/turn/v4"
)

// relayBothWays sends a datagram from the client through its relay to a UDP
// peer and one back, and checks what each side sees.
func relayBothWays(t *testing.T, relay, peer net.PacketConn) {
	t.Helper()
	if _, err := relay.WriteTo([]byte("to peer"), peer.LocalAddr()); err != nil {
		t.Fatalf("relay write: %v", err)
	}
	got, from := readFrom(t, peer)
	if got != "to peer" {
		t.Errorf("peer got %q, want %q", got, "to peer")
	}
	if from.String() != relay.LocalAddr().String() {
		t.Errorf("peer got it from %v, want the relay address %v", from, relay.LocalAddr())
	}
	if _, err := peer.WriteTo([]byte("to client"), from); err != nil {
		t.Fatalf("peer write: %v", err)
	}
	got, from = readFrom(t, relay)
	if got != "to client" {
		t.Errorf("client got %q, want %q", got, "to client")
	}
	if from.String() != peer.LocalAddr().String() {
		t.Errorf("client got it from %v, want the peer %v", from, peer.LocalAddr())
	}
}

func TestAllocateAndRelay(t *testing.T) {
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			changes := make(chan Stats, 16)
			s, _ := startTest(t, Config{AllowPeer: allowLoopback, OnChange: func(st Stats) { changes <- st }})
			username, password, _ := s.Credentials("peer-1")
			client := newClient(t, s, transport, username, password)
			relay, err := client.Allocate()
			if err != nil {
				t.Fatalf("Allocate: %v", err)
			}
			relayAddr := relay.LocalAddr().(*net.UDPAddr)
			if !relayAddr.IP.Equal(net.IPv4(127, 0, 0, 1)) || relayAddr.Port == 0 {
				t.Errorf("relay address %v, want 127.0.0.1:<port>", relayAddr)
			}
			wantTCP := 0
			if transport == "tcp" {
				wantTCP = 1
			}
			waitStats(t, changes, Stats{ActiveAllocations: 1, ActiveTCP: wantTCP, TotalAllocations: 1})

			relayBothWays(t, relay, listenPeer(t, "127.0.0.2"))
			if got, want := s.Stats().RelayedBytes, uint64(len("to peer")+len("to client")); got != want {
				t.Errorf("RelayedBytes = %d, want %d", got, want)
			}
			if got, want := s.PeerBytes(), map[string]uint64{"peer-1": 16}; !maps.Equal(got, want) {
				t.Errorf("PeerBytes() = %v, want %v", got, want)
			}

			if err := relay.Close(); err != nil {
				t.Fatalf("relay close: %v", err)
			}
			waitStats(t, changes, Stats{ActiveAllocations: 0, TotalAllocations: 1, RelayedBytes: 16})
			if got := s.PeerBytes(); len(got) != 0 {
				t.Errorf("PeerBytes() after the allocation closed = %v, want none", got)
			}
		})
	}
}

// waitStats reads OnChange reports until one matches want (RelayedBytes is
// compared only when want sets it).
func waitStats(t *testing.T, changes <-chan Stats, want Stats) {
	t.Helper()
	timeout := time.After(ioTimeout)
	for {
		select {
		case got := <-changes:
			if want.RelayedBytes == 0 {
				got.RelayedBytes = 0
			}
			if got == want {
				return
			}
		case <-timeout:
			t.Fatalf("no Stats %+v reported", want)
		}
	}
}

func TestRelayToRelayWithDefaultPeerFilter(t *testing.T) {
	// Two clients both behind the relay: each one's peer is the other's
	// relay address, allowed although it is loopback here.
	s, _ := startTest(t, Config{})
	var clients [2]*turn.Client
	var relays [2]net.PacketConn
	for i := range relays {
		username, password, _ := s.Credentials("peer-" + strconv.Itoa(i))
		clients[i] = newClient(t, s, "udp", username, password)
		relay, err := clients[i].Allocate()
		if err != nil {
			t.Fatalf("Allocate %d: %v", i, err)
		}
		t.Cleanup(func() { _ = relay.Close() })
		relays[i] = relay
	}
	// Each allocation lets in only peers it has a permission for; ICE
	// checks in both directions create them in a browser.
	for i, client := range clients {
		if err := client.CreatePermission(relays[1-i].LocalAddr()); err != nil {
			t.Fatalf("CreatePermission %d: %v", i, err)
		}
	}
	for i, from := range relays {
		to := relays[1-i]
		msg := "hello " + strconv.Itoa(1-i)
		if _, err := from.WriteTo([]byte(msg), to.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		if got, src := readFrom(t, to); got != msg || src.String() != from.LocalAddr().String() {
			t.Errorf("relay %d got %q from %v, want %q from %v", 1-i, got, src, msg, from.LocalAddr())
		}
	}
	// Each relay socket sent 7 bytes and received 7: a relayed call counts
	// for both of its peers.
	if got, want := s.PeerBytes(), map[string]uint64{"peer-0": 14, "peer-1": 14}; !maps.Equal(got, want) {
		t.Errorf("PeerBytes() = %v, want %v", got, want)
	}
}

func TestPeerFilter(t *testing.T) {
	// The served network is 192.168.1.0/24: another private network, a
	// link-local address (cloud metadata) and loopback are refused.
	_, lan, _ := net.ParseCIDR("192.168.1.0/24")
	_, wide, _ := net.ParseCIDR("169.254.0.0/16")
	s, _ := startTest(t, Config{PeerNets: []*net.IPNet{lan, wide}})
	username, password, _ := s.Credentials("peer-1")
	client := newClient(t, s, "udp", username, password)
	relay, err := client.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = relay.Close() })
	// CreatePermission sends nothing to the peer; it only asks the server.
	tests := []struct {
		peer string
		ok   bool
	}{
		{"192.168.1.7", true},
		{"192.168.2.7", false},
		{"10.0.0.7", false},
		{"172.17.0.1", false},
		{"169.254.1.1", false},     // link-local even when a served net holds it
		{"169.254.169.254", false}, // cloud metadata
		{"127.0.0.1", true},        // the relay address itself (its relay ports only)
		{"127.0.0.2", false},
		{"8.8.8.8", false},
		{"0.0.0.0", false},
		{"224.0.0.251", false},
	}
	for _, tt := range tests {
		err := client.CreatePermission(&net.UDPAddr{IP: net.ParseIP(tt.peer), Port: 9})
		if (err == nil) != tt.ok {
			t.Errorf("CreatePermission(%s) err = %v, want ok = %v", tt.peer, err, tt.ok)
		}
	}
	// And data to a refused loopback peer never leaves.
	peer := listenPeer(t, "127.0.0.2")
	if _, err := relay.WriteTo([]byte("x"), peer.LocalAddr()); err == nil {
		t.Error("relay write to a refused peer succeeded")
	}
}

func TestAllowNets(t *testing.T) {
	_, lan, _ := net.ParseCIDR("192.168.0.0/16")
	_, v6, _ := net.ParseCIDR("fd00::/64")
	_, ll, _ := net.ParseCIDR("169.254.0.0/16")
	nets := []*net.IPNet{lan, v6, ll}
	tests := []struct {
		ip string
		ok bool
	}{
		{"192.168.0.1", true}, {"fd00::1", true},
		{"10.1.2.3", false}, {"172.16.0.1", false}, {"169.254.0.1", false}, {"169.254.169.254", false},
		{"fe80::1", false}, {"127.0.0.1", false}, {"::1", false}, {"8.8.8.8", false},
		{"0.0.0.0", false}, {"255.255.255.255", false}, {"224.0.0.1", false},
	}
	for _, tt := range tests {
		if got := allowNets(nets, net.ParseIP(tt.ip)); got != tt.ok {
			t.Errorf("allowNets(%s) = %v, want %v", tt.ip, got, tt.ok)
		}
	}
	if DefaultAllowPeer(net.ParseIP("192.168.0.1")) {
		t.Error("DefaultAllowPeer allows a peer")
	}
}

func TestListensOnUDPAndTCP(t *testing.T) {
	s, _ := startTest(t, Config{})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port()))
	if ln, err := net.Listen("tcp", addr); err == nil {
		_ = ln.Close()
		t.Errorf("TCP %s is free; the server should hold it", addr)
	}
	if pc, err := net.ListenPacket("udp", addr); err == nil {
		_ = pc.Close()
		t.Errorf("UDP %s is free; the server should hold it", addr)
	}
}

func TestBindErrorsSurface(t *testing.T) {
	udp := listenPeer(t, "127.0.0.1")
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tcp.Close() })
	for name, port := range map[string]int{
		"udp taken": udp.LocalAddr().(*net.UDPAddr).Port,
		"tcp taken": tcp.Addr().(*net.TCPAddr).Port,
	} {
		s, err := Start(Config{ListenIP: net.IPv4(127, 0, 0, 1), Port: port}, testLogger(t))
		if err == nil {
			_ = s.Close()
			t.Errorf("%s: Start on port %d succeeded", name, port)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	lo := net.IPv4(127, 0, 0, 1)
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"no relay address", Config{}, ErrNoRelayIP},
		{"unspecified listen", Config{ListenIP: net.IPv4zero}, ErrNoRelayIP},
		{"IPv6 listen only", Config{ListenIP: net.IPv6loopback}, ErrNoRelayIP},
		{"IPv6 relay", Config{ListenIP: lo, RelayIP: net.ParseIP("fd00::1")}, ErrNoRelayIP},
		{"negative port", Config{ListenIP: lo, Port: -1}, ErrBadConfig},
		{"port too large", Config{ListenIP: lo, Port: 65536}, ErrBadConfig},
		{"negative TTL", Config{ListenIP: lo, CredentialTTL: -time.Second}, ErrBadConfig},
	}
	for _, tt := range tests {
		if s, err := Start(tt.cfg, nil); !errors.Is(err, tt.want) {
			if s != nil {
				_ = s.Close()
			}
			t.Errorf("%s: Start err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestIPv6ControlWithIPv4Relay(t *testing.T) {
	probe, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	_ = probe.Close()
	s, _ := startTest(t, Config{ListenIP: net.IPv6loopback, RelayIP: net.IPv4(127, 0, 0, 1), AllowPeer: allowLoopback})
	conn, err := net.Dial("tcp", net.JoinHostPort("::1", strconv.Itoa(s.Port())))
	if err != nil {
		t.Fatal(err)
	}
	username, password, _ := s.Credentials("peer-6")
	client, err := turn.NewClient(&turn.ClientConfig{
		TURNServerAddr: "127.0.0.1:1", // unused: a STUNConn writes to its TCP peer
		Conn:           turn.NewSTUNConn(conn),
		Username:       username,
		Password:       password,
		LoggerFactory:  pionLoggers{log: testLogger(t)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); _ = conn.Close() })
	relay, err := client.Allocate()
	if err != nil {
		t.Fatalf("Allocate over [::1]: %v", err)
	}
	t.Cleanup(func() { _ = relay.Close() })
	relayBothWays(t, relay, listenPeer(t, "127.0.0.2"))
}

// eofConn reports on ended when a Read fails, that is when the server
// closed the connection.
type eofConn struct {
	net.Conn
	ended chan error
}

func (c *eofConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		select {
		case c.ended <- err:
		default:
		}
	}
	return n, err
}

func TestCloseDropsTCPClients(t *testing.T) {
	s, _ := startTest(t, Config{})
	raw, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = raw.Close() })
	conn := &eofConn{Conn: raw, ended: make(chan error, 1)}
	username, password, _ := s.Credentials("peer-1")
	client, err := turn.NewClient(&turn.ClientConfig{
		TURNServerAddr: "127.0.0.1:1", // unused: a STUNConn writes to its TCP peer
		Conn:           turn.NewSTUNConn(conn),
		Username:       username,
		Password:       password,
		LoggerFactory:  pionLoggers{log: testLogger(t)},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	if err := client.Listen(); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Allocate(); err != nil { // the server has accepted the connection
		t.Fatalf("Allocate: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-conn.ended:
		if !errors.Is(err, io.EOF) {
			t.Errorf("client read after Close: err = %v, want io.EOF", err)
		}
	case <-time.After(ioTimeout):
		t.Fatal("the server kept the TCP connection open after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
