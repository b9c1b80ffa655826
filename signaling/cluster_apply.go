package signaling

// ApplyRoom brings the hub's view of a room up to st, when st is newer
// than what it has: remote members that appeared or went are announced
// to the local peers, and local peers whose seat the cluster no longer
// holds here (kicked or closed from another server, or resumed on
// another server) are taken out. The cluster calls it for every state it
// learns; it ignores rooms with no local peer.
func (h *Hub) ApplyRoom(st RoomState) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rooms[st.Name]
	if r == nil {
		return
	}
	r.mu.Lock()
	full, gone := h.applyLocked(r, st)
	r.mu.Unlock()
	for _, g := range gone {
		full = append(full, h.evict(g.p, g.reason)...)
	}
	h.forgetRoom(r)
	h.dropAll(full)
}

// evicted is a local peer whose seat the cluster ended elsewhere.
type evicted struct {
	p      *Peer
	reason Reason // ReasonReplaced when the seat moved to another server
}

// evict ends p's local seat after the cluster ended it: the cluster is
// not told again. h.mu must be held.
func (h *Hub) evict(p *Peer, reason Reason) []*Peer {
	p.mu.Lock()
	p.seat = ""
	link := p.link
	p.mu.Unlock()
	switch reason {
	case ReasonReplaced: // resumed on another server: this copy goes quietly
		r := p.room.Load()
		if r != nil {
			r.mu.Lock()
			r.remove(p)
			r.mu.Unlock()
		}
		p.room.Store(nil)
		delete(h.tokens, p.token)
		full := h.unregister(p, ReasonReplaced)
		if link != nil {
			link.Close(ReasonReplaced)
		}
		return full
	case ReasonKicked:
		full := h.unregister(p, ReasonKicked)
		if link != nil {
			link.Close(ReasonKicked)
		}
		return full
	}
	full, _ := h.unseat(p, reason)
	return full
}

// applyLocked applies st to r if it is newer and returns the local peers
// that overflowed and those the cluster no longer seats here. The local
// peers hear of remote members that joined, left or were renamed. h.mu
// and r.mu must be held.
func (h *Hub) applyLocked(r *Room, st RoomState) (full []*Peer, gone []evicted) {
	if st.Rev <= r.rev {
		return nil, nil
	}
	r.rev = st.Rev
	r.capacity = st.Capacity
	if st.Class != "" {
		r.class = st.Class
	}
	if r.locked != st.Locked {
		r.locked = st.Locked
		kind := EventRoomLocked
		if !st.Locked {
			kind = EventRoomUnlocked
		}
		h.emit(Event{Kind: kind, Room: r.name})
	}
	self := h.cluster.Self()
	byID := make(map[string]Member, len(st.Members))
	for _, m := range st.Members {
		byID[m.ID] = m
	}
	local := make(map[string]bool, len(r.members))
	var stay []*Peer
	for _, p := range r.members {
		local[p.id] = true
		m, ok := byID[p.id]
		p.mu.Lock()
		seat := p.seat
		p.mu.Unlock()
		switch {
		case seat == "":
			stay = append(stay, p) // not yet seated in the cluster's eyes
		case ok && m.Server == self && m.Seat == seat:
			stay = append(stay, p)
		case ok && m.Server != self:
			gone = append(gone, evicted{p, ReasonReplaced})
		default:
			gone = append(gone, evicted{p, departure(st, p.id)})
		}
	}
	old := make(map[string]Member, len(r.remote))
	for _, m := range r.remote {
		old[m.ID] = m
	}
	var remote []Member
	for _, m := range st.Members {
		if m.Server != self && !local[m.ID] {
			remote = append(remote, m)
		}
	}
	for _, m := range r.remote {
		if _, still := byID[m.ID]; !still {
			msg := &Message{Kind: KindPeerLeft, Room: r.name, Peer: m.info(), Reason: departure(st, m.ID)}
			full = deliverEach(stay, msg, full)
		}
	}
	for i, m := range remote {
		o, known := old[m.ID]
		switch {
		case !known:
			full = deliverEach(stay, &Message{Kind: KindPeerJoined, Room: r.name, Peer: m.info()}, full)
		case m.Renames > o.Renames: // a rename whose relay did not reach us
			full = deliverEach(stay, &Message{Kind: KindPeerRenamed, Room: r.name, Peer: m.info()}, full)
		case m.Renames < o.Renames: // the relay of a later rename came first
			remote[i].Name, remote[i].Renames = o.Name, o.Renames
		}
	}
	r.remote = remote
	return full, gone
}

// deliverEach pushes m to each of ps and returns those that overflowed.
func deliverEach(ps []*Peer, m *Message, full []*Peer) []*Peer {
	for _, p := range ps {
		if !p.offer(m) {
			full = append(full, p)
		}
	}
	return full
}

// departure is why id left according to st; ReasonLeft when st does not say.
func departure(st RoomState, id string) Reason {
	for i := len(st.Departed) - 1; i >= 0; i-- {
		if st.Departed[i].ID == id {
			return st.Departed[i].Reason
		}
	}
	return ReasonLeft
}
