package signaling

import "slices"

// presenceRemote tells the servers that info's connection went away or
// came back (kind). Presence is best effort: a server that cannot be
// reached learns the seat's end, if it ends, from the room's state.
func (h *Hub) presenceRemote(room string, servers []string, kind Kind, info PeerInfo) {
	for _, srv := range servers {
		_ = h.cluster.Send(srv, Delivery{Room: room, Kind: kind, From: info, Origin: h.cluster.Self()})
	}
}

// renameCluster tells the servers of p's room that p, now info, renamed
// itself, and records the name on p's seat. The relay keeps the order of
// p's messages (a signal sent after the rename arrives after it); the
// record carries the name to servers that missed the relay and to those
// whose peers join later. h.mu must be held (neither blocks).
func (h *Hub) renameCluster(p *Peer, room string, servers []string, info PeerInfo) {
	m := h.member(p)
	if m.Seat == "" {
		return // not seated in the cluster's eyes: its seat will carry the name
	}
	for _, srv := range servers {
		_ = h.cluster.Send(srv, Delivery{Room: room, Kind: KindPeerRenamed, From: info, Origin: h.cluster.Self(), Renames: m.Renames})
	}
	h.cluster.Rename(room, m)
}

// sendRemote relays d to the server srv, counting it.
func (h *Hub) sendRemote(srv string, d Delivery) error {
	if err := h.cluster.Send(srv, d); err != nil {
		return err
	}
	h.stats.relayed.Add(1)
	return nil
}

// Deliver hands a relay from another server to its local recipients: the
// member d.To of d.Room, or every local member when To is empty. Nothing
// reaches a peer outside d.Room.
func (h *Hub) Deliver(d Delivery) {
	switch d.Kind {
	case KindSignal, KindBroadcast, KindPeerAway, KindPeerBack, KindPeerRenamed:
	default:
		return
	}
	h.mu.Lock()
	r := h.rooms[d.Room]
	h.mu.Unlock()
	if r == nil {
		return
	}
	m := &Message{Kind: d.Kind, Room: r.name, Peer: d.From, Data: d.Data}
	var full []*Peer
	var buf [maxInlineFlush]Flusher
	flush := buf[:0]
	r.mu.Lock()
	if d.Kind == KindPeerRenamed {
		m.Data = nil
		if r.renameRemote(d) {
			full, flush = r.deliverDeferred(m, nil, nil, flush)
		}
	} else if d.To != "" {
		if t := r.find(d.To); t != nil {
			ok, f := r.deliverToDeferred(t, m)
			if !ok {
				full = append(full, t)
			}
			if f != nil {
				flush = append(flush, f)
			}
		}
	} else if d.Kind != KindPeerAway || r.remoteServer(d.From.ID) == d.Origin {
		// A peer that moved here hears nothing of itself.
		full, flush = r.deliverDeferred(m, r.find(d.From.ID), nil, flush)
	}
	r.mu.Unlock()
	flushAll(flush) // no lock held: they may write to their sockets
	if len(full) > 0 {
		h.mu.Lock()
		h.dropAll(full)
		h.mu.Unlock()
	}
}

// renameRemote applies a rename relayed from d.Origin to the remote
// member d.From.ID, and reports whether it is news: false when the member
// is not (or no longer) on that server, or the room's state already
// carried this rename or a later one. r.mu must be held.
func (r *Room) renameRemote(d Delivery) bool {
	for i, m := range r.remote {
		if m.ID == d.From.ID {
			if m.Server != d.Origin || d.Renames <= m.Renames {
				return false
			}
			r.remote[i].Name, r.remote[i].Renames = d.From.Name, d.Renames
			return true
		}
	}
	return false
}

// remoteServer is the server of remote member id, or "". r.mu must be held.
func (r *Room) remoteServer(id string) string {
	for _, m := range r.remote {
		if m.ID == id {
			return m.Server
		}
	}
	return ""
}

// remoteServers lists the servers holding remote members, once each.
// r.mu must be held.
func (r *Room) remoteServers() []string {
	var out []string
	for _, m := range r.remote {
		if !slices.Contains(out, m.Server) {
			out = append(out, m.Server)
		}
	}
	return out
}
