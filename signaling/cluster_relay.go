package signaling

// presenceRemote tells the servers that info's connection went away or
// came back (kind). Presence is best effort: a server that cannot be
// reached learns the seat's end, if it ends, from the room's state.
func (h *Hub) presenceRemote(room string, servers []string, kind Kind, info PeerInfo) {
	for _, srv := range servers {
		_ = h.cluster.Send(srv, Delivery{Room: room, Kind: kind, From: info, Origin: h.cluster.Self()})
	}
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
	case KindSignal, KindBroadcast, KindPeerAway, KindPeerBack:
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
	if d.To != "" {
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
		seen := false
		for _, s := range out {
			seen = seen || s == m.Server
		}
		if !seen {
			out = append(out, m.Server)
		}
	}
	return out
}
