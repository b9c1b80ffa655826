package signaling

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// connectFrom connects a peer from remote (host:port).
func connectFrom(t *testing.T, h *Hub, remote string) (*Peer, error) {
	t.Helper()
	return h.Connect(ConnInfo{RemoteAddr: remote, Transport: "test"}, &fakeLink{})
}

func payload(n int) json.RawMessage { return json.RawMessage(`"` + strings.Repeat("x", n) + `"`) }

func TestHistoryBoundedByBytes(t *testing.T) {
	h := newHub(t, Config{HistoryBytes: 10_000, MaxHistoryBytes: 25_000})
	var receivers []*Peer
	for i := range 3 {
		a, _ := connect(t, h)
		b, _ := connect(t, h)
		room := fmt.Sprintf("r%d", i)
		join(t, h, a, room)
		join(t, h, b, room)
		take(a)
		take(b)
		for range 10 {
			if err := h.Broadcast(a, payload(2000)); err != nil {
				t.Fatal(err)
			}
		}
		take(b)
		receivers = append(receivers, b)
		b.mu.Lock()
		hist := b.box.histBytes
		b.mu.Unlock()
		if hist > 10_000 {
			t.Errorf("peer history holds %d bytes, want at most 10000", hist)
		}
	}
	if got := h.Budget().HistoryBytes; got > 25_000 {
		t.Errorf("histories hold %d bytes, want at most 25000", got)
	}
	if got := h.Budget().PendingBytes; got != 0 {
		t.Errorf("pending %d bytes after every outbox was taken, want 0", got)
	}
	for _, b := range receivers {
		if err := h.Leave(b); err != nil {
			t.Fatal(err)
		}
	}
	// The senders' own histories (joined, peer-joined, peer-left) remain.
	before := h.Budget().HistoryBytes
	for _, b := range receivers {
		b.mu.Lock()
		if b.box.histBytes != 0 || b.box.sent != b.box.base {
			t.Errorf("history after leaving: %d bytes, %d messages; want none", b.box.histBytes, b.box.sent-b.box.base)
		}
		b.mu.Unlock()
	}
	if before > 3*4*messageOverhead {
		t.Errorf("histories hold %d bytes after the receivers left", before)
	}
}

func TestPendingBoundedByBytes(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		sends   int
		dropped bool
	}{
		{"within the peer budget", Config{PendingBytes: 100_000}, 10, false},
		{"over the peer budget", Config{PendingBytes: 20_000}, 10, true},
		{"over the server budget", Config{PendingBytes: 1 << 20, MaxPendingBytes: 15_000}, 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHub(t, tt.cfg)
			a, _ := connect(t, h)
			b, bl := connect(t, h)
			join(t, h, a, "r")
			join(t, h, b, "r")
			for range tt.sends {
				_ = h.Broadcast(a, payload(1000)) // b never takes: it falls behind
			}
			dropped := len(bl.closeReasons()) > 0
			if dropped != tt.dropped {
				t.Errorf("receiver dropped = %v, want %v", dropped, tt.dropped)
			}
			if tt.dropped {
				h.Detach(b, bl) // its connection ends
				a.mu.Lock()
				own := a.box.pendBytes // the sender's (joined, peer-joined, peer-left)
				a.mu.Unlock()
				if got := h.Budget().PendingBytes; got != own {
					t.Errorf("pending %d bytes after the slow peer went, want the sender's %d", got, own)
				}
			}
		})
	}
}

func TestPerAddressLimits(t *testing.T) {
	h := newHub(t, Config{MaxPeersPerAddr: 3, MaxRoomsPerAddr: 2, LimitLoopback: true})
	var mine []*Peer
	for i := range 4 {
		p, err := connectFrom(t, h, "192.0.2.1:"+fmt.Sprint(1000+i))
		if i < 3 {
			if err != nil {
				t.Fatalf("peer %d: %v", i, err)
			}
			mine = append(mine, p)
		} else if !errors.Is(err, ErrAddressFull) {
			t.Fatalf("fourth peer from one address: %v, want ErrAddressFull", err)
		}
	}
	if _, err := connectFrom(t, h, "192.0.2.2:1"); err != nil {
		t.Errorf("another address refused: %v", err)
	}
	if _, err := connectFrom(t, h, "[2001:db8::1]:1"); err != nil {
		t.Fatal(err)
	}
	// The window's seat (no address) is never limited; loopback is with
	// LimitLoopback.
	for range 5 {
		if _, err := connectFrom(t, h, ""); err != nil {
			t.Fatalf("window seat: %v", err)
		}
	}
	join(t, h, mine[0], "a")
	join(t, h, mine[1], "b")
	if err := h.Join(mine[2], "c", ""); !errors.Is(err, ErrAddressRooms) {
		t.Errorf("third room from one address: %v, want ErrAddressRooms", err)
	}
	if err := h.Join(mine[2], "a", ""); err != nil {
		t.Errorf("joining an existing room is no new room: %v", err)
	}
	// A seat kept for a dropped connection still counts; when it goes,
	// the address may connect again.
	h.Detach(mine[1], nil) // not its link: ignored
	h.Disconnect(mine[1])
	if _, err := connectFrom(t, h, "192.0.2.1:2000"); err != nil {
		t.Errorf("after a peer left, its address is refused: %v", err)
	}
	if err := h.Join(mine[2], "c", ""); !errors.Is(err, ErrAlreadyInRoom) {
		t.Errorf("join = %v", err)
	}
}

func TestAddrKey(t *testing.T) {
	tests := []struct {
		remote   string
		loopback bool
		want     string
	}{
		{"192.0.2.7:5000", false, "192.0.2.7"},
		{"[::ffff:192.0.2.7]:5000", false, "192.0.2.7"},
		{"[2001:db8:1:2:aaaa::1]:5000", false, "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:bbbb::9]:5000", false, "2001:db8:1:2::/64"},
		{"[fe80::1%eth0]:5000", false, "fe80::/64"},
		{"127.0.0.1:5000", false, ""},
		{"127.0.3.4:5000", false, ""},
		{"[::1]:5000", false, ""},
		{"127.0.3.4:5000", true, "127.0.3.4"},
		{"", false, ""},
		{"pipe", false, ""},
	}
	for _, tt := range tests {
		if got := AddrKey(tt.remote, tt.loopback); got != tt.want {
			t.Errorf("AddrKey(%q, %v) = %q, want %q", tt.remote, tt.loopback, got, tt.want)
		}
	}
}

func TestResumeRotatesTokenAndSeatFollowsCredentials(t *testing.T) {
	h := newHub(t, Config{})
	a, al := connect(t, h)
	if h.HoldsSeat(a.ID()) {
		t.Error("a peer in no room holds a seat")
	}
	join(t, h, a, "r")
	if !h.HoldsSeat(a.ID()) {
		t.Error("a seated peer holds no seat")
	}
	old := a.token
	h.Detach(a, al)
	if !h.HoldsSeat(a.ID()) {
		t.Error("a peer away within its grace lost its seat")
	}
	prov, _ := connect(t, h)
	seat, err := h.Resume(prov, old, 0)
	if err != nil {
		t.Fatal(err)
	}
	var fresh string
	for _, m := range inbox(seat) {
		if m.Kind == KindResumed {
			fresh = m.Token
		}
	}
	if fresh == "" || fresh == old {
		t.Errorf("resumed token %q, want a new one", fresh)
	}
	prov2, _ := connect(t, h)
	if _, err := h.Resume(prov2, old, 0); !errors.Is(err, ErrBadToken) {
		t.Errorf("second resume with the old token: %v, want ErrBadToken", err)
	}
	if err := h.Leave(seat); err != nil {
		t.Fatal(err)
	}
	if h.HoldsSeat(seat.ID()) {
		t.Error("a peer that left holds a seat")
	}
}
