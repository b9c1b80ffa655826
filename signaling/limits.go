package signaling

import (
	"fmt"
	"net"
	"net/netip"
)

// Per-address limits, defaults for Config. They keep one device (or one
// student's script) from taking what the whole class needs; they are set
// for a classroom where several tabs per student and a lab behind one NAT
// address are normal. See docs/security.md.
const (
	// DefaultMaxPeersPerAddr bounds the peers one source address holds at
	// once, seats kept for a dropped connection (the resume grace) included.
	DefaultMaxPeersPerAddr = 128
	// DefaultMaxRoomsPerAddr bounds the open rooms one source address has
	// created.
	DefaultMaxRoomsPerAddr = 64
)

// AddrKey is the source a remote address counts under for the per-address
// limits: the IPv4 address, or the /64 an IPv6 address belongs to (one
// device picks addresses freely within its /64). It is "" for what no
// per-address limit applies to: a peer with no network address (the
// desktop window's own seat) and, unless limitLoopback, this machine's
// loopback addresses (127.0.0.0/8, ::1): this machine is trusted, and
// its load tool spreads over several loopback addresses. With
// limitLoopback each loopback address is a source of its own, as a
// device on the LAN is (the abuse suite models devices so).
func AddrKey(remote string, limitLoopback bool) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	ip = ip.Unmap().WithZone("")
	if ip.IsLoopback() && !limitLoopback {
		return ""
	}
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.Prefix(64)
	return p.String()
}

// AddrKey is the package's AddrKey with the hub's loopback policy
// (Config.LimitLoopback), for transports that count per address too.
func (h *Hub) AddrKey(remote string) string { return AddrKey(remote, h.cfg.LimitLoopback) }

// addrCounts counts what each source address holds. The hub's mutex
// guards it.
type addrCounts map[string]int

func (c addrCounts) add(key string, n int) {
	if key == "" {
		return
	}
	if c[key] += n; c[key] <= 0 {
		delete(c, key)
	}
}

// checkPeerAddr reports whether one more peer from key fits. h.mu must be
// held.
func (h *Hub) checkPeerAddr(key string) error {
	if key != "" && h.peersByAddr[key] >= h.cfg.MaxPeersPerAddr {
		return fmt.Errorf("%s holds %d peers: %w", key, h.peersByAddr[key], ErrAddressFull)
	}
	return nil
}

// checkRoomAddr reports whether key may create one more room. h.mu must
// be held.
func (h *Hub) checkRoomAddr(key string) error {
	if key != "" && h.roomsByAddr[key] >= h.cfg.MaxRoomsPerAddr {
		return fmt.Errorf("%s created %d open rooms: %w", key, h.roomsByAddr[key], ErrAddressRooms)
	}
	return nil
}

// HoldsSeat reports whether the peer with id is connected and in a room
// (or away within its resume grace, seat kept). Credentials the server
// handed the peer for other services (TURN) are valid only while it does.
func (h *Hub) HoldsSeat(id string) bool {
	h.mu.Lock()
	p := h.peers[id]
	h.mu.Unlock()
	return p != nil && p.room.Load() != nil
}
