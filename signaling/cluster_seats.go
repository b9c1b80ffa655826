package signaling

import (
	"errors"
)

// joinCluster is JoinWith when h is part of a cluster: the cluster decides
// the seat (capacity is counted over every server), then the hub seats
// the peer locally as JoinWith does.
func (h *Hub) joinCluster(p *Peer, room string, opts JoinOptions) error {
	h.mu.Lock()
	if err := h.canJoin(p, room); err != nil {
		h.mu.Unlock()
		return &JoinError{Room: room, Name: opts.Name, Err: err}
	}
	r := h.openRoom(room, h.cfg.RoomCapacity, p.addr)
	r.joining++ // keeps r while the cluster decides, so states arriving meanwhile apply to it
	m := h.member(p)
	m.Seat = randomID(8)
	if opts.Name != "" {
		m.Name = opts.Name
	}
	m.ChatOnly = opts.ChatOnly
	h.mu.Unlock()

	st, err := h.cluster.Seat(room, m, h.cfg.RoomCapacity)

	h.mu.Lock()
	defer h.mu.Unlock()
	r.joining--
	if err == nil {
		if err = h.canJoin(p, room); err != nil {
			h.cluster.Unseat(room, m, ReasonLeft) // p went or joined elsewhere meanwhile
		}
	}
	var full []*Peer
	if err == nil {
		r.mu.Lock()
		full, _ = h.applyLocked(r, st)
		p.mu.Lock()
		p.seat = m.Seat
		p.mu.Unlock()
		var more []*Peer
		more, err = h.seat(p, r, opts)
		full = append(full, more...)
		r.mu.Unlock()
		if err != nil {
			p.mu.Lock()
			p.seat = ""
			p.mu.Unlock()
			h.cluster.Unseat(room, m, ReasonLeft)
		}
	}
	if err != nil {
		h.forgetRoom(r)
		h.dropAll(full)
		var je *JoinError
		if errors.As(err, &je) {
			return je
		}
		return &JoinError{Room: room, Name: opts.Name, Err: err}
	}
	h.tokens[p.token] = p
	h.emit(Event{Kind: EventPeerJoined, Room: room, Peer: p.id, Name: p.Info().Name})
	h.dropAll(full)
	return nil
}

// openRoom returns the local room named name, creating it (for a peer of
// address addr) if needed. h.mu must be held.
func (h *Hub) openRoom(name string, capacity int, addr string) *Room {
	r := h.rooms[name]
	if r == nil {
		r = &Room{name: name, capacity: capacity, createdAt: h.now(), creator: addr}
		h.rooms[name] = r
		h.roomsByAddr.add(r.creator, 1)
		h.emit(Event{Kind: EventRoomOpened, Room: name})
	}
	return r
}

// forgetRoom deletes r when no local peer holds or is taking a seat in
// it. h.mu must be held.
func (h *Hub) forgetRoom(r *Room) {
	r.mu.Lock()
	empty := len(r.members) == 0 && r.joining == 0
	r.mu.Unlock()
	if empty && h.rooms[r.name] == r {
		h.closeRoom(r)
		h.emit(Event{Kind: EventRoomClosed, Room: r.name})
	}
}

// retokenCluster tells the cluster that p's token changed. h.mu must be
// held (Retoken never blocks).
func (h *Hub) retokenCluster(p *Peer, room string) {
	if h.cluster == nil {
		return
	}
	if m := h.member(p); m.Seat != "" {
		h.cluster.Retoken(room, m)
	}
}

// unseatCluster tells the cluster that p's seat in room is given up. h.mu
// must be held (Unseat never blocks).
func (h *Hub) unseatCluster(p *Peer, room string, reason Reason) {
	if h.cluster == nil {
		return
	}
	m := h.member(p)
	if m.Seat == "" {
		return
	}
	p.mu.Lock()
	p.seat = ""
	p.mu.Unlock()
	h.cluster.Unseat(room, m, reason)
}

// resumeCluster is Resume for a token this server does not hold: the seat
// is on another server (alive or dead), and moves here. Nothing can be
// replayed from the other server; the new seat numbers its frames on from
// lastSeen and says Moved.
func (h *Hub) resumeCluster(provisional *Peer, token string, lastSeen uint64) (*Peer, error) {
	h.mu.Lock()
	ok := h.peers[provisional.id] == provisional && provisional.room.Load() == nil && !h.closed
	h.mu.Unlock()
	if !ok {
		return nil, ErrBadToken
	}
	fresh := randomID(32) // a token resumes once, here as on one server
	st, m, err := h.cluster.Resume(TokenHash(token), TokenHash(fresh))
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	if h.peers[provisional.id] != provisional || h.closed || h.peers[m.ID] != nil {
		h.mu.Unlock()
		return nil, ErrBadToken
	}
	provisional.mu.Lock()
	link := provisional.link
	provisional.link = nil
	provisional.mu.Unlock()
	h.unregister(provisional, ReasonReplaced)
	seat := &Peer{
		hub: h, id: m.ID, token: fresh, seat: m.Seat, info: provisional.info, addr: provisional.addr,
		connectedAt: h.now(), name: m.Name, chatOnly: m.ChatOnly, link: link, joinedAt: h.now(),
		limiter: provisional.limiter, box: newOutbox(h.cfg.OutboxSize, h.history(provisional.info)),
	}
	seat.box.budget, seat.box.keepBytes, seat.box.maxBytes = &h.budget, h.cfg.HistoryBytes, h.cfg.PendingBytes
	seat.box.base, seat.box.sent, seat.box.end = lastSeen+1, lastSeen+1, lastSeen+1
	h.peers[seat.id] = seat
	h.peersByAddr.add(seat.addr, 1)
	r := h.openRoom(st.Name, st.Capacity, seat.addr)
	r.mu.Lock()
	full, _ := h.applyLocked(r, st)
	r.members = append(r.members, seat)
	seat.room.Store(r)
	seat.mu.Lock()
	self := seat.infoLocked()
	pushed := seat.push(&Message{Kind: KindResumed, Room: r.name, Peer: self,
		Peers: r.infos(seat), Capacity: r.capacity, Token: fresh, Moved: true})
	seat.mu.Unlock()
	// Whoever heard it go away (from its old server) hears it is back.
	full = r.deliver(&Message{Kind: KindPeerBack, Room: r.name, Peer: self}, seat, full)
	servers := r.remoteServers()
	r.mu.Unlock()
	h.presenceRemote(r.name, servers, KindPeerBack, self)
	h.tokens[fresh] = seat
	h.emit(Event{Kind: EventPeerConnected, Peer: seat.id})
	h.emit(Event{Kind: EventPeerBack, Room: r.name, Peer: seat.id})
	if !pushed {
		full = append(full, seat)
	}
	h.dropAll(full)
	h.mu.Unlock()
	return seat, nil
}
