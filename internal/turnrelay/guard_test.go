package turnrelay

import (
	"sync/atomic"
	"testing"
	"time"

	"signalbox/internal/testwait"
)

func TestAllocationQuotas(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		peers int // credentials, one allocation each round
		tries int
		want  int
	}{
		{"per peer", Config{MaxAllocationsPerPeer: 3}, 1, 6, 3},
		{"per address", Config{MaxAllocationsPerAddr: 4}, 3, 3, 4},
		{"per server", Config{MaxAllocations: 5}, 4, 3, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := startTest(t, tt.cfg)
			granted := 0
			for i := range tt.tries * tt.peers {
				user, pass, _ := s.Credentials("peer-" + string(rune('a'+i%tt.peers)))
				c := newClient(t, s, "udp", user, pass)
				if r, err := c.Allocate(); err == nil {
					granted++
					t.Cleanup(func() { _ = r.Close() })
				}
			}
			if granted != tt.want {
				t.Errorf("granted %d allocations, want %d", granted, tt.want)
			}
			if st := s.Stats(); st.RefusedAllocations != uint64(tt.tries*tt.peers-tt.want) {
				t.Errorf("RefusedAllocations = %d, want %d", st.RefusedAllocations, tt.tries*tt.peers-tt.want)
			}
		})
	}
}

func TestCredentialsFollowPeerAndRevoke(t *testing.T) {
	var active atomic.Bool
	active.Store(true)
	s, _ := startTest(t, Config{AllowPeer: allowLoopback, PeerActive: func(string) bool { return active.Load() }})
	user, pass, _ := s.Credentials("peer-1")
	c := newClient(t, s, "udp", user, pass)
	relay, err := c.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = relay.Close() })
	peer := listenPeer(t, "127.0.0.2")
	relayBothWays(t, relay, peer)

	active.Store(false)
	if n := s.Revoke("someone-else"); n != 0 {
		t.Errorf("Revoke of another peer closed %d sockets", n)
	}
	if n := s.Revoke("peer-1"); n != 1 {
		t.Errorf("Revoke closed %d relay sockets, want 1", n)
	}
	// The relay socket is closed: nothing from the peer gets through.
	if _, err := peer.WriteTo([]byte("after revoke"), relay.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	relay.SetReadDeadline(time.Now().Add(200 * time.Millisecond)) // a bound: nothing may come
	if n, _, err := relay.ReadFrom(make([]byte, 64)); err == nil {
		t.Errorf("relay read %d bytes after revocation", n)
	}
	// And the credentials start nothing new.
	c2 := newClient(t, s, "udp", user, pass)
	if _, err := c2.Allocate(); err == nil {
		t.Error("allocation with a revoked peer's credentials succeeded")
	}
	if st := s.Stats(); st.RevokedAllocations != 1 {
		t.Errorf("RevokedAllocations = %d, want 1", st.RevokedAllocations)
	}
}

func TestRelayNeverReachesOwnPorts(t *testing.T) {
	// The relay address is 127.0.0.1; a service of "the laptop" listens
	// there on another port.
	s, _ := startTest(t, Config{})
	userA, passA, _ := s.Credentials("a")
	userB, passB, _ := s.Credentials("b")
	a, err := newClient(t, s, "udp", userA, passA).Allocate()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	b, err := newClient(t, s, "udp", userB, passB).Allocate()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	own := listenPeer(t, "127.0.0.1")
	if _, err := a.WriteTo([]byte("to a service"), own.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	testwait.Until(t, "the datagram is dropped", 5*time.Second, func() bool { return s.Stats().DroppedDatagrams == 1 })
	// Relay to relay is the classroom's own traffic: each permits the other.
	if _, err := b.WriteTo([]byte("permit"), a.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.WriteTo([]byte("hello"), b.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	for {
		if got, _ := readFrom(t, b); got == "hello" {
			break
		}
	}
	own.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, _, err := own.ReadFrom(make([]byte, 64)); err == nil {
		t.Errorf("the laptop's own port got %d bytes through the relay", n)
	}
}
