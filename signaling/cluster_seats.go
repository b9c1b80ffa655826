package signaling

import (
	"errors"
)

// joinCluster is JoinWith when h is part of a cluster: the cluster decides
// the seat (capacity is counted over every server), then the hub seats
// the peer locally as JoinWith does. With Overflow, room is a class
// address: see joinClass.
func (h *Hub) joinCluster(p *Peer, room string, opts JoinOptions) error {
	if opts.Overflow {
		return h.joinClass(p, room, opts)
	}
	return h.joinClusterRoom(p, room, "", opts)
}

// joinClass seats p in the first room of class, in order, with a free
// seat, as pickClassRoom does on one server, over the cluster's rooms: a
// room this server's copy of the cluster's records shows full, locked or
// not the class's is passed over, and the seat itself is taken by the
// cluster's compare-and-set (Seat), which refuses a room that filled up
// meanwhile: p then tries the next one. So concurrent joins on different
// servers never overfill a room; a seat freed in the instant before may be
// passed over for a later room.
func (h *Hub) joinClass(p *Peer, class string, opts JoinOptions) error {
	var err error
	for n := 1; n <= maxClassRooms; n++ {
		name := subRoomName(class, n)
		if !h.classRoomFree(class, name, n) {
			continue
		}
		err = h.joinClusterRoom(p, name, class, opts)
		if !errors.Is(err, ErrRoomFull) && !errors.Is(err, ErrRoomLocked) {
			return err
		}
	}
	if err == nil { // every room of the class seemed taken: the class's own room says why
		err = h.joinClusterRoom(p, class, class, opts)
	}
	return err
}

// classRoomFree says whether the room name, the n-th of class, may have a
// seat for one of its students according to the cluster's record of it as
// last seen (a hint: Seat decides).
func (h *Hub) classRoomFree(class, name string, n int) bool {
	st, ok := h.cluster.Room(name)
	switch {
	case !ok || len(st.Members) == 0:
		return true
	case n > 1 && st.Class != class:
		return false // a room someone named so by hand: not the class's
	}
	return !st.Locked && len(st.Members) < st.Capacity
}

// joinClusterRoom takes a seat for p in room through the cluster; class is
// the class address p joined with overflow, or "".
func (h *Hub) joinClusterRoom(p *Peer, room, class string, opts JoinOptions) error {
	h.mu.Lock()
	if err := h.canJoin(p, room); err != nil {
		h.mu.Unlock()
		return &JoinError{Room: room, Name: opts.Name, Err: err}
	}
	capacity := h.cfg.RoomCapacity
	if class != "" {
		capacity = h.classOf(class).Size
	}
	r := h.openRoom(room, capacity, class, p.addr)
	r.joining++ // keeps r while the cluster decides, so states arriving meanwhile apply to it
	m := h.member(p)
	m.Seat = randomID(8)
	if opts.Name != "" {
		m.Name = opts.Name
	}
	m.ChatOnly = opts.ChatOnly
	h.mu.Unlock()

	st, err := h.cluster.Seat(room, m, capacity, class)

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
	if now := h.member(p); now.Name != m.Name {
		// Renamed while the cluster decided (it was in no room then, so no
		// one else heard): the seat's record and the others catch up.
		h.cluster.Rename(room, now)
	}
	h.tokens[p.token] = p
	h.emit(Event{Kind: EventPeerJoined, Room: room, Peer: p.id, Name: p.Info().Name, Class: r.class})
	h.dropAll(full)
	return nil
}

// openRoom returns the local room named name, creating it (for a peer of
// address addr, seating class's students when class is not "") if needed.
// h.mu must be held.
func (h *Hub) openRoom(name string, capacity int, class, addr string) *Room {
	r := h.rooms[name]
	if r == nil {
		r = &Room{name: name, capacity: capacity, class: class, createdAt: h.now(), creator: addr}
		h.rooms[name] = r
		h.roomsByAddr.add(r.creator, 1)
		h.emit(Event{Kind: EventRoomOpened, Room: name, Class: class})
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
	link := h.takeLink(provisional)
	seat := &Peer{
		hub: h, id: m.ID, token: fresh, seat: m.Seat, info: provisional.info, addr: provisional.addr,
		connectedAt: h.now(), name: m.Name, renames: m.Renames, chatOnly: m.ChatOnly, link: link, joinedAt: h.now(),
		limiter: provisional.limiter, box: newOutbox(h.cfg.OutboxSize, h.history(provisional.info)),
	}
	seat.box.budget, seat.box.keepBytes, seat.box.maxBytes = &h.budget, h.cfg.HistoryBytes, h.cfg.PendingBytes
	seat.box.base, seat.box.sent, seat.box.end = lastSeen+1, lastSeen+1, lastSeen+1
	h.peers[seat.id] = seat
	h.peersByAddr.add(seat.addr, 1)
	r := h.openRoom(st.Name, st.Capacity, st.Class, seat.addr)
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
