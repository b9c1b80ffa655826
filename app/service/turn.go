package service

import (
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"

	"signalbox/internal/turnrelay"
	"signalbox/signaling"
)

// relayIdleAfter is how long after the relay last carried data the window
// still says relayed connections are in use: a call sends media many
// times a second, so a few quiet seconds mean it ended or went direct.
const relayIdleAfter = 5 * time.Second

// RelayStatus says whether the built-in TURN relay runs, and whether calls
// go through it.
type RelayStatus struct {
	// Enabled is the setting; Active is true while the relay listens.
	Enabled bool `json:"enabled"`
	Active  bool `json:"active"`
	// Port is the UDP and TCP port (the configured one when the relay
	// failed); Addr the address handed out in relay candidates (127.0.0.1
	// when this machine has no LAN).
	Port int    `json:"port,omitempty"`
	Addr string `json:"addr,omitempty"`
	// ActiveAllocations counts the relay allocations open now (browsers
	// open one whenever they are given a TURN server, used or not);
	// RelayedBytes counts the bytes relayed since the relay started.
	ActiveAllocations int    `json:"activeAllocations"`
	RelayedBytes      uint64 `json:"relayedBytes"`
	// RefusedAllocations, RevokedAllocations and DroppedDatagrams count
	// what the relay's limits stopped (docs/security.md).
	RefusedAllocations uint64 `json:"refusedAllocations"`
	RevokedAllocations uint64 `json:"revokedAllocations"`
	DroppedDatagrams   uint64 `json:"droppedDatagrams"`
	// InUse is true while relayed connections carry data: the relayed
	// bytes grew within the last few seconds (relayIdleAfter) and
	// allocations are open.
	InUse bool `json:"inUse"`
	// Error says why the relay is off although enabled (a busy port);
	// English, for the log. Code is "failed" then.
	Error string `json:"error,omitempty"`
	Code  string `json:"code,omitempty"`
}

// relayPlan is where the relay listens and the address it hands out.
type relayPlan struct {
	listen net.IP       // nil: every interface
	addr   net.IP       // the relay address, IPv4
	nets   []*net.IPNet // the served networks: the peers it may reach
	// loopback is true when the server reaches no LAN: the relay then
	// serves this machine alone, and may relay between loopback peers.
	loopback bool
}

// planRelay picks the relay address from the served addresses: the
// primary LAN IPv4 address, listening on every interface; without one,
// 127.0.0.1 alone.
func planRelay(served []net.IP) relayPlan {
	for _, ip := range served {
		if ip4 := ip.To4(); ip4 != nil && !ip4.IsLoopback() {
			return relayPlan{addr: ip4, nets: servedNets(served)}
		}
	}
	lo := net.IPv4(127, 0, 0, 1).To4()
	return relayPlan{listen: lo, addr: lo, loopback: true}
}

// relay runs the TURN server for the service, restarting it when the
// relay address changes. Its methods are safe for concurrent use.
type relay struct {
	log *slog.Logger
	hub hubRef // the hub whose seats the credentials follow (guard.go)

	mu         sync.Mutex
	enabled    bool
	port       int // the configured port; 0 picks a free one
	perAddr    int // allocations per client address; 0 takes the default
	plan       relayPlan
	srv        *turnrelay.Server // nil when off or failed
	err        error
	lastBytes  uint64    // RelayedBytes at the last status
	lastGrowth time.Time // when lastBytes last changed
	// peers is each peer's relayed bytes at the last relayedPeers call, and
	// when they last grew.
	peers map[string]peerRelay
}

// peerRelay is what relayedPeers remembers of one peer.
type peerRelay struct {
	bytes  uint64
	growth time.Time
}

// start starts the relay on port for plan; a failure is logged and kept
// for the status, never returned: the signalling server serves on.
func (r *relay) start(port int, plan relayPlan) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.enabled, r.port = true, port
	r.startLocked(plan)
}

// startLocked starts the server for plan; r.mu is held and no server runs.
func (r *relay) startLocked(plan relayPlan) {
	// Without a LAN (plan.loopback) there are no peer networks: browsers
	// on this machine meet relay to relay.
	cfg := turnrelay.Config{ListenIP: plan.listen, RelayIP: plan.addr, Port: r.port,
		PeerNets: plan.nets, PeerActive: r.peerActive, MaxAllocationsPerAddr: r.perAddr}
	r.plan, r.lastBytes, r.lastGrowth = plan, 0, time.Time{}
	r.srv, r.err = turnrelay.Start(cfg, r.log)
	if r.err != nil {
		r.srv = nil
		r.log.Error("relay (TURN) is off: calls that cannot connect directly will fail", "err", r.err)
	}
}

// follow restarts the relay when the served addresses call for another
// relay address (the laptop joined another network). Losing the LAN keeps
// the old relay: nothing can reach it then anyway.
func (r *relay) follow(served []net.IP) {
	plan := planRelay(served)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.enabled || (plan.loopback && !r.plan.loopback) {
		return
	}
	if plan.addr.Equal(r.plan.addr) {
		if !slices.EqualFunc(plan.nets, r.plan.nets, func(a, b *net.IPNet) bool { return a.String() == b.String() }) {
			r.log.Info("relay (TURN): served networks changed, restarting")
			r.closeLocked()
			r.startLocked(plan)
		}
		return
	}
	r.log.Info("relay (TURN): address changed, restarting", "old", r.plan.addr.String(), "new", plan.addr.String())
	r.closeLocked()
	r.startLocked(plan)
}

// stop closes the server, if any.
func (r *relay) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closeLocked()
	r.enabled, r.err = false, nil
}

func (r *relay) closeLocked() {
	if r.srv == nil {
		return
	}
	if err := r.srv.Close(); err != nil {
		r.log.Warn("relay (TURN): close", "err", err)
	}
	r.srv = nil
}

// iceServers returns the relay's ICE servers with fresh credentials for
// peerID, or nil when the relay is off.
func (r *relay) iceServers(peerID string) []signaling.ICEServer {
	r.mu.Lock()
	srv := r.srv
	r.mu.Unlock()
	if srv == nil {
		return nil
	}
	var out []signaling.ICEServer
	for _, s := range srv.ICEServers("", peerID) {
		out = append(out, signaling.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	return out
}

// status reports the relay at now.
func (r *relay) status(now time.Time) RelayStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := RelayStatus{Enabled: r.enabled}
	if r.err != nil {
		st.Error, st.Code = r.err.Error(), "failed"
	}
	if r.srv == nil {
		if r.enabled {
			st.Port = r.port // the port it could not take
		}
		return st
	}
	stats := r.srv.Stats()
	st.Active, st.Port, st.Addr = true, r.srv.Port(), r.plan.addr.String()
	st.ActiveAllocations, st.RelayedBytes = stats.ActiveAllocations, stats.RelayedBytes
	st.RefusedAllocations, st.RevokedAllocations, st.DroppedDatagrams = stats.RefusedAllocations, stats.RevokedAllocations, stats.DroppedDatagrams
	if stats.RelayedBytes != r.lastBytes {
		r.lastBytes, r.lastGrowth = stats.RelayedBytes, now
	}
	st.InUse = relayInUse(stats, r.lastGrowth, now)
	return st
}

// relayInUse reports whether relayed connections carry data: allocations
// are open and the relayed bytes last grew less than relayIdleAfter
// before now.
func relayInUse(stats turnrelay.Stats, lastGrowth, now time.Time) bool {
	return stats.ActiveAllocations > 0 && stats.RelayedBytes > 0 && !lastGrowth.IsZero() && now.Sub(lastGrowth) < relayIdleAfter
}

// relayedPeers returns the peers whose calls go through the relay at now:
// their relay sockets carried data within relayIdleAfter.
func (r *relay) relayedPeers(now time.Time) map[string]bool {
	r.mu.Lock()
	srv := r.srv
	r.mu.Unlock()
	out := map[string]bool{}
	if srv == nil {
		return out
	}
	counts := srv.PeerBytes()
	r.mu.Lock()
	defer r.mu.Unlock()
	next := make(map[string]peerRelay, len(counts))
	for id, n := range counts {
		p := r.peers[id]
		if n != p.bytes {
			p.bytes, p.growth = n, now
		}
		next[id] = p
		if !p.growth.IsZero() && now.Sub(p.growth) < relayIdleAfter {
			out[id] = true
		}
	}
	r.peers = next
	return out
}

// RelayedPeers returns the ids of the peers whose calls go through the
// built-in relay now (their relay sockets carried data within the last few
// seconds). Calls with a peer missing here go direct, or are not up.
func (s *Service) RelayedPeers() map[string]bool {
	s.mu.Lock()
	sec := s.sec
	s.mu.Unlock()
	if sec == nil {
		return map[string]bool{}
	}
	return sec.relay.relayedPeers(time.Now())
}

// Relay returns the state of the built-in TURN relay. InUse compares the
// relayed bytes with the previous call's (the window asks every second).
func (s *Service) Relay() RelayStatus {
	s.mu.Lock()
	sec := s.sec
	enabled := s.settings.TURN
	s.mu.Unlock()
	if sec == nil {
		return RelayStatus{Enabled: enabled}
	}
	return sec.relay.status(time.Now())
}
