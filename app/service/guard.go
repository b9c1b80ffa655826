package service

import (
	"context"
	"net"
	"slices"
	"sync/atomic"
	"time"

	"signalbox/signaling"
	"signalbox/signaling/httpserver"
)

// revokeSweep is how often the relay closes the allocations of peers that
// no longer hold a seat, in case a hub event was missed.
const revokeSweep = 5 * time.Second

// revokeEvents is the buffer of the relay's hub subscription.
const revokeEvents = 1024

// hostPolicy is the Host allowlist of the server (docs/security.md): the
// served addresses (kept current by the security watcher), localhost, the
// certificate's and mDNS names, and the user's --allow-host names.
func (sec *security) hostPolicy(st Settings) httpserver.HostPolicy {
	names := slices.Concat(sec.hosts, []string{mdnsHostName(), machineLocalName()}, st.AllowHosts)
	return httpserver.HostPolicy{Names: names, IPs: sec.servedNow}
}

// servedNow returns the addresses served now.
func (sec *security) servedNow() []net.IP {
	if p := sec.served.Load(); p != nil {
		return *p
	}
	return nil
}

// servedNets returns the networks of the interfaces holding the served
// addresses: the relay may reach peers there and nowhere else (loopback
// and link-local never; see turnrelay.Config.PeerNets).
func servedNets(served []net.IP) []*net.IPNet {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []*net.IPNet
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || n.IP.IsLoopback() || n.IP.IsLinkLocalUnicast() || !slices.ContainsFunc(served, n.IP.Equal) {
			continue
		}
		out = append(out, &net.IPNet{IP: n.IP.Mask(n.Mask), Mask: n.Mask})
	}
	return out
}

// bindHub ties the relay's credentials to hub's seats: a credential is
// valid while its peer holds a seat, and the relay sockets of a peer that
// leaves its room or the server are closed at once. It runs until ctx
// ends or the hub shuts down.
func (r *relay) bindHub(ctx context.Context, hub *signaling.Hub) {
	events, stop := hub.Subscribe(revokeEvents)
	defer stop()
	t := time.NewTicker(revokeSweep)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if ev.Kind == signaling.EventPeerLeft || ev.Kind == signaling.EventPeerDisconnected {
				r.revoke(ev.Peer)
			}
		case <-t.C:
			r.sweep()
		}
	}
}

// peerActive is the relay's turnrelay.Config.PeerActive: true while the
// peer holds a seat in the hub the relay is bound to (all peers before the
// hub is bound, which happens before any credential is handed out).
func (r *relay) peerActive(peerID string) bool {
	h := r.hub.Load()
	return h == nil || h.HoldsSeat(peerID)
}

// revoke closes the relay sockets of peerID's allocations.
func (r *relay) revoke(peerID string) {
	r.mu.Lock()
	srv := r.srv
	r.mu.Unlock()
	if srv != nil && srv.Revoke(peerID) > 0 {
		r.log.Debug("relay (TURN): allocations revoked", "peer", peerID)
	}
}

// sweep closes the relay sockets of every peer without a seat.
func (r *relay) sweep() {
	r.mu.Lock()
	srv := r.srv
	r.mu.Unlock()
	if srv != nil {
		srv.RevokeInactive()
	}
}

// hubRef is the hub the relay is bound to.
type hubRef = atomic.Pointer[signaling.Hub]
