package signaling

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
)

// Cluster links a Hub to the other servers that share its room namespace,
// the way a transport links it to clients. The core never imports an
// implementation: signaling/cluster/natsbus provides one on NATS, and a
// Hub without a Cluster (the default) is a standalone server whose code
// paths are exactly those of before.
//
// Which server decides what: the cluster is the authority on a room's
// seats (Seat, Unseat, Resume, Lock change them atomically across
// servers); each hub is the authority on its own peers' connections and
// outboxes. The hub calls Seat, Resume, Kick, Lock and CloseRoom without
// holding a lock (they may wait for the network); Unseat and Send may be
// called with hub locks held and must never block.
type Cluster interface {
	// Self is this server's id in the cluster (Member.Server).
	Self() string
	// Seat takes a seat for m in room, creating the room with capacity if
	// it does not exist. It fails with ErrRoomFull, ErrRoomLocked or
	// ErrClusterUnavailable, and returns the room as it is with m seated.
	Seat(room string, m Member, capacity int) (RoomState, error)
	// Unseat gives up m's seat (same Seat nonce, on this server) for
	// reason. It queues the change and returns at once.
	Unseat(room string, m Member, reason Reason)
	// Resume moves the seat whose token hashes to tokenHash to this
	// server, with newTokenHash as its token's hash from then on (a token
	// resumes once), and returns the room and the seat. ErrBadToken when
	// no seat has that token.
	Resume(tokenHash, newTokenHash string) (RoomState, Member, error)
	// Retoken records that m's token now hashes to m.TokenHash (the seat
	// resumed on this server and got a fresh token). It queues the change
	// and returns at once.
	Retoken(room string, m Member)
	// Send hands d to the server srv for its members; ErrClusterUnavailable
	// when the cluster cannot be reached. It never blocks.
	Send(srv string, d Delivery) error
	// Kick asks the server holding peer id to kick it; ErrNoSuchPeer when
	// no room of the cluster seats it.
	Kick(id string) error
	// Lock locks or unlocks a room across the cluster; ErrNoSuchRoom.
	Lock(room string, locked bool) error
	// CloseRoom asks every server to close room; ErrNoSuchRoom.
	CloseRoom(room string) error
	// Rooms lists every room of the cluster as last seen.
	Rooms() []RoomState
}

// ErrClusterUnavailable is what a peer gets when its request needs the
// other servers of the cluster and they cannot be reached now.
var ErrClusterUnavailable = &Error{CodeClusterUnavailable, "the other servers of this cluster cannot be reached now"}

// Member is one seat of a room as the cluster records it.
type Member struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ChatOnly bool   `json:"chatOnly,omitempty"`
	// Server is the id of the server the peer is connected to.
	Server string `json:"server"`
	// Seat is a nonce of this seating, so a late Unseat of an earlier seat
	// of the same peer cannot remove a newer one.
	Seat string `json:"seat"`
	// TokenHash is TokenHash of the peer's resume token, so a server the
	// peer reconnects to can find the seat without the token being stored.
	TokenHash string `json:"tok,omitempty"`
}

func (m Member) info() PeerInfo { return PeerInfo{ID: m.ID, Name: m.Name, ChatOnly: m.ChatOnly} }

// Departure says why a member left; a RoomState keeps the last few, so a
// server that learns of a change late still tells its peers why.
type Departure struct {
	ID     string `json:"id"`
	Reason Reason `json:"reason"`
}

// RoomState is a room as the cluster holds it at revision Rev. Revisions
// of one room only grow; a hub applies a state only if it is newer than
// the last it applied.
type RoomState struct {
	Name     string      `json:"name"`
	Rev      uint64      `json:"rev"`
	Capacity int         `json:"cap"`
	Locked   bool        `json:"locked,omitempty"`
	Members  []Member    `json:"members"`
	Departed []Departure `json:"departed,omitempty"`
}

// Delivery is a relay between servers: Kind (KindSignal or KindBroadcast)
// from a peer of Room to the member To, or to every member of Room on the
// receiving server when To is empty; or the presence of From (KindPeerAway,
// KindPeerBack) for every member of Room there.
type Delivery struct {
	Room string          `json:"room"`
	Kind Kind            `json:"kind"`
	From PeerInfo        `json:"from"`
	To   string          `json:"to,omitempty"`
	Data json.RawMessage `json:"data"`
	// Origin is the sending server, for presence: an away from a server
	// the peer has already moved away from is stale and dropped.
	Origin string `json:"origin,omitempty"`
}

// TokenHash is what the cluster stores of a resume token: its SHA-256.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// AttachCluster makes h share its rooms with the cluster c. Call it once,
// before any peer connects.
func (h *Hub) AttachCluster(c Cluster) { h.cluster = c }

// member describes p's seat in the cluster. p.mu must not be held.
func (h *Hub) member(p *Peer) Member {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Member{ID: p.id, Name: p.name, ChatOnly: p.chatOnly, Server: h.cluster.Self(), Seat: p.seat, TokenHash: TokenHash(p.token)}
}

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
// that overflowed and those the cluster no longer seats here. h.mu and
// r.mu must be held.
func (h *Hub) applyLocked(r *Room, st RoomState) (full []*Peer, gone []evicted) {
	if st.Rev <= r.rev {
		return nil, nil
	}
	r.rev = st.Rev
	r.capacity = st.Capacity
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
	for _, m := range remote {
		if _, known := old[m.ID]; !known {
			full = deliverEach(stay, &Message{Kind: KindPeerJoined, Room: r.name, Peer: m.info()}, full)
		}
	}
	r.remote = remote
	return full, gone
}

// deliverEach pushes m to each of ps and returns those that overflowed.
func deliverEach(ps []*Peer, m *Message, full []*Peer) []*Peer {
	for _, p := range ps {
		p.mu.Lock()
		ok := p.push(m)
		p.mu.Unlock()
		if !ok {
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

// KickLocal kicks the peer with id if it is connected to this server (Kick
// without asking the cluster); the cluster calls it for a kick decided on
// another server.
func (h *Hub) KickLocal(id string) error { return h.kickLocal(id) }

// CloseRoomLocal closes what this server holds of the room: its peers
// leave it with ReasonRoomClosed. The cluster calls it for a close decided
// on another server.
func (h *Hub) CloseRoomLocal(name string) error { return h.closeRoomLocal(name) }

// clusterRooms lists the cluster's rooms for Rooms.
func (h *Hub) clusterRooms() []RoomSummary {
	states := h.cluster.Rooms()
	out := make([]RoomSummary, 0, len(states))
	for _, st := range states {
		out = append(out, RoomSummary{Name: st.Name, Peers: len(st.Members), Capacity: st.Capacity, Locked: st.Locked})
	}
	return out
}

// remoteSnapshots describes r's remote members for the window. r.mu must
// be held.
func (r *Room) remoteSnapshots() []PeerSnapshot {
	var out []PeerSnapshot
	for _, m := range r.remote {
		out = append(out, PeerSnapshot{ID: m.ID, Name: m.Name, Room: r.name, Transport: "cluster", Server: m.Server, ChatOnly: m.ChatOnly})
	}
	return out
}

// clusterOnlyRooms adds to snap the cluster's rooms that have no local
// peer, with their members as remote peers.
func (h *Hub) clusterOnlyRooms(snap *Snapshot) {
	have := make(map[string]bool, len(snap.Rooms))
	for _, r := range snap.Rooms {
		have[r.Name] = true
	}
	for _, st := range h.cluster.Rooms() {
		if have[st.Name] {
			continue
		}
		rs := RoomSnapshot{Name: st.Name, Capacity: st.Capacity, Locked: st.Locked}
		for _, m := range st.Members {
			rs.Peers = append(rs.Peers, PeerSnapshot{ID: m.ID, Name: m.Name, Room: st.Name, Transport: "cluster", Server: m.Server, ChatOnly: m.ChatOnly})
		}
		snap.Rooms = append(snap.Rooms, rs)
	}
}
