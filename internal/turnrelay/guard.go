package turnrelay

import (
	"net"
	"strings"
)

// Allocation quotas, defaults for Config. A browser allocates one relay
// per ICE server URL and local interface for each call it makes, so a
// peer in a mesh of a few needs a handful; each allocation holds a UDP
// socket (a file descriptor) and a goroutine. See docs/security.md.
const (
	// DefaultMaxAllocationsPerPeer bounds the live allocations made with
	// one peer's credentials.
	DefaultMaxAllocationsPerPeer = 16
	// DefaultMaxAllocationsPerAddr bounds the live allocations from one
	// client IP address (a lab behind one NAT address is one).
	DefaultMaxAllocationsPerAddr = 256
	// DefaultMaxAllocations bounds the live allocations of the server.
	DefaultMaxAllocations = 2000
)

// peerOf returns the peer id of a credential's username
// ("<expiry>:<peer id>").
func peerOf(username string) string {
	_, peer, _ := strings.Cut(username, ":")
	return peer
}

// addrOf is the client IP an allocation counts under.
func addrOf(src net.Addr) string {
	switch a := src.(type) {
	case *net.UDPAddr:
		return a.IP.String()
	case *net.TCPAddr:
		return a.IP.String()
	}
	host, _, _ := net.SplitHostPort(src.String())
	return host
}

// quota is the pion QuotaHandler: it refuses (486 Allocation Quota
// Reached) an allocation beyond the peer's, the address's or the server's
// limit, and one whose peer holds no seat any more.
func (s *Server) quota(username, _ string, src net.Addr) bool {
	peer := peerOf(username)
	if s.cfg.PeerActive != nil && !s.cfg.PeerActive(peer) {
		s.refuse(src, username, "peer holds no seat")
		return false
	}
	s.mu.Lock()
	over := ""
	switch {
	case s.stats.ActiveAllocations >= s.cfg.MaxAllocations:
		over = "server"
	case s.byPeer[peer] >= s.cfg.MaxAllocationsPerPeer:
		over = "peer"
	case s.byAddr[addrOf(src)] >= s.cfg.MaxAllocationsPerAddr:
		over = "address"
	}
	s.mu.Unlock()
	if over != "" {
		s.refuse(src, username, "allocation quota of the "+over+" reached")
		return false
	}
	return true
}

// refuse counts and logs a refused allocation.
func (s *Server) refuse(src net.Addr, username, why string) {
	s.mu.Lock()
	s.stats.RefusedAllocations++
	s.mu.Unlock()
	s.log.Debug("turnrelay: allocation refused", "client", src.String(), "username", username, "why", why)
}

// Revoke closes the relay sockets of every allocation made with peerID's
// credentials, which also refuse new requests from now on when
// Config.PeerActive says the peer is gone. Call it when the peer leaves its
// seat. It returns how many relay sockets it closed.
func (s *Server) Revoke(peerID string) int {
	return s.revokeIf(func(p string) bool { return p == peerID })
}

// RevokeInactive closes the relay sockets of allocations whose peer
// Config.PeerActive says is gone: a sweep for revocations missed.
func (s *Server) RevokeInactive() int {
	if s.cfg.PeerActive == nil {
		return 0
	}
	return s.revokeIf(func(p string) bool { return !s.cfg.PeerActive(p) })
}

func (s *Server) revokeIf(match func(peer string) bool) int {
	s.mu.Lock()
	var victims []*countingConn
	for _, c := range s.relays {
		if c.peer != "" && match(c.peer) {
			victims = append(victims, c)
		}
	}
	s.mu.Unlock()
	for _, c := range victims {
		_ = c.Close() // pion ends the allocation's read loop; the allocation expires unrefreshed
	}
	if len(victims) > 0 {
		s.mu.Lock()
		s.stats.RevokedAllocations += uint64(len(victims))
		s.mu.Unlock()
	}
	return len(victims)
}

// ownPort reports whether port is one of the relay's own relay sockets:
// the only ports of the relay's address that a relay socket may exchange
// data with (two relayed peers on one relay), never the laptop's other
// services.
func (s *Server) ownPort(port int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.relayPorts[port]
	return ok
}

// isOwnIP reports whether ip is the relay address or an unspecified one
// (which reaches this machine); mayRelay also checks every address of this
// machine's interfaces. Other loopback addresses than those (127.0.0.2)
// are never permitted peers outside tests: Config.PeerNets never holds
// loopback.
func (s *Server) isOwnIP(ip net.IP) bool {
	return ip.Equal(s.cfg.RelayIP) || ip.IsUnspecified()
}

// DefaultAllowPeer refuses every peer: the relay reaches only its own
// relay addresses unless Config.PeerNets or Config.AllowPeer say more.
func DefaultAllowPeer(net.IP) bool { return false }

// allowNets allows ip when it lies in one of nets and is an ordinary
// unicast address: never link-local (169.254.169.254 is a cloud metadata
// service), loopback, multicast or unspecified.
func allowNets(nets []*net.IPNet, ip net.IP) bool {
	if !ip.IsGlobalUnicast() || ip.IsLinkLocalUnicast() || ip.IsLoopback() {
		return false
	}
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// addRelay registers a new relay socket.
func (s *Server) addRelay(c *countingConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.relays[c.key] = c
	s.relayPorts[c.port]++
}

// removeRelay forgets a closed relay socket.
func (s *Server) removeRelay(c *countingConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.relays[c.key] == c {
		delete(s.relays, c.key)
	}
	if s.relayPorts[c.port]--; s.relayPorts[c.port] <= 0 {
		delete(s.relayPorts, c.port)
	}
}

// mayRelay reports whether a relay socket may exchange a datagram with
// addr: anything the permissions let through, except this machine's own
// addresses, where only other relay sockets qualify.
func (s *Server) mayRelay(addr net.Addr) bool {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return false
	}
	if !s.isOwnIP(ua.IP) && !s.local.has(ua.IP) {
		return true
	}
	return s.ownPort(ua.Port)
}

// dropped counts a datagram the own-port rule dropped.
func (s *Server) dropped() {
	s.mu.Lock()
	s.stats.DroppedDatagrams++
	s.mu.Unlock()
}
