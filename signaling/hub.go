package signaling

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Hub is the registry of peers and rooms. Every transport attaches its
// peers to one Hub, so a browser on the native protocol, a socket.io page
// and the desktop window meet in the same rooms.
type Hub struct {
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	stats  *Stats
	subs   subscribers
	budget budget // the outboxes' bytes
	// cluster shares the rooms with other servers; nil when standalone.
	cluster Cluster

	mu     sync.Mutex
	peers  map[string]*Peer // by id
	tokens map[string]*Peer // by resume token, while in a room
	rooms  map[string]*Room
	// classes are the modes the window chose, by class address; the
	// others take classOf's default.
	classes map[string]Class
	closed  bool
	// peersByAddr and roomsByAddr count the peers each source address
	// holds and the open rooms it created (limits.go).
	peersByAddr, roomsByAddr addrCounts
}

// New returns a Hub with cfg (zero fields take the defaults).
func New(cfg Config, log *slog.Logger) (*Hub, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Hub{
		cfg: cfg, log: log, now: time.Now, stats: newStats(),
		budget: budget{maxHistory: cfg.MaxHistoryBytes, maxPending: cfg.MaxPendingBytes},
		peers:  map[string]*Peer{}, tokens: map[string]*Peer{}, rooms: map[string]*Room{},
		classes:     map[string]Class{},
		peersByAddr: addrCounts{}, roomsByAddr: addrCounts{},
	}, nil
}

// Config returns the hub's settings with defaults applied.
func (h *Hub) Config() Config { return h.cfg }

// ICEServers returns the ICE servers to hand to peer id.
func (h *Hub) ICEServers(id string) []ICEServer {
	if h.cfg.ICEServersFor != nil {
		return h.cfg.ICEServersFor(id)
	}
	return h.cfg.ICEServers
}

// history is how many written messages a peer connected by info keeps.
func (h *Hub) history(info ConnInfo) int {
	if info.NoResume {
		return 0
	}
	return h.cfg.ResumeHistory
}

// Connect registers a new connection as a peer outside any room, with a
// fresh id and a friendly default name.
func (h *Hub) Connect(info ConnInfo, link Link) (*Peer, error) {
	p := &Peer{
		hub: h, id: randomID(16), token: randomID(32), info: info,
		connectedAt: h.now(), name: FriendlyName(), link: link,
		limiter: rate.NewLimiter(rate.Limit(h.cfg.Rate), h.cfg.Burst),
		box:     newOutbox(h.cfg.OutboxSize, h.history(info)),
		addr:    AddrKey(info.RemoteAddr, h.cfg.LimitLoopback),
	}
	p.box.budget, p.box.keepBytes, p.box.maxBytes = &h.budget, h.cfg.HistoryBytes, h.cfg.PendingBytes
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return nil, ErrShuttingDown
	case len(h.peers) >= h.cfg.MaxPeers:
		return nil, fmt.Errorf("%d peers connected: %w", len(h.peers), ErrServerFull)
	}
	if err := h.checkPeerAddr(p.addr); err != nil {
		return nil, err
	}
	h.peers[p.id] = p
	h.peersByAddr.add(p.addr, 1)
	h.stats.connects.Add(1)
	h.emit(Event{Kind: EventPeerConnected, Peer: p.id})
	return p, nil
}

// JoinOptions are what a peer may say about itself when it joins a room.
type JoinOptions struct {
	// Name renames the peer when not empty (cleaned by DisplayName).
	Name string
	// ChatOnly says the peer makes no call; the others see it in every
	// PeerInfo of it while it holds this seat (see PeerInfo.ChatOnly).
	ChatOnly bool
	// Overflow makes room a class address: when it is full (or locked)
	// the peer is seated in the class's next room with a free seat (see
	// ClassMode), never refused for room-full. The tutorial's socket.io
	// path never sets it and keeps its "full".
	Overflow bool
}

// Join puts p in the room named room, creating it if needed, and renames p
// when name is not empty. p gets KindJoined, the others KindPeerJoined.
func (h *Hub) Join(p *Peer, room, name string) error {
	return h.JoinWith(p, room, JoinOptions{Name: name})
}

// JoinWith is Join with every option a join may carry.
func (h *Hub) JoinWith(p *Peer, room string, opts JoinOptions) error {
	asked := opts.Name
	room, err := RoomName(room)
	if err != nil {
		return &JoinError{Room: room, Name: asked, Err: err}
	}
	opts.Name = DisplayName(opts.Name)
	if h.cluster != nil {
		return h.joinCluster(p, room, opts)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	class := ""
	if opts.Overflow {
		class = room
		if name, ok := h.pickClassRoom(room); ok {
			room = name
		}
	}
	if err := h.canJoin(p, room); err != nil {
		return &JoinError{Room: room, Name: asked, Err: err}
	}
	r := h.rooms[room]
	if r == nil {
		capacity := h.cfg.RoomCapacity
		if class != "" {
			capacity = h.classOf(class).Size
		}
		r = &Room{name: room, capacity: capacity, class: class, createdAt: h.now(), creator: p.addr}
		h.rooms[room] = r
		h.roomsByAddr.add(r.creator, 1)
		h.emit(Event{Kind: EventRoomOpened, Room: room, Class: class})
	}
	r.mu.Lock()
	if class != "" && r.class == "" && len(r.members) == 0 {
		r.class = class
	}
	full, err := h.seat(p, r, opts)
	r.mu.Unlock()
	if err != nil {
		if len(r.members) == 0 {
			h.closeRoom(r)
		}
		if asked == "" {
			asked = p.Info().Name
		}
		var je *JoinError
		if errors.As(err, &je) {
			je.Name = asked
			return je
		}
		return &JoinError{Room: room, Name: asked, Err: err}
	}
	h.tokens[p.token] = p
	h.emit(Event{Kind: EventPeerJoined, Room: room, Peer: p.id, Name: p.Info().Name, Class: r.class})
	h.dropAll(full)
	return nil
}

// canJoin checks what Join needs of the hub. h.mu must be held.
func (h *Hub) canJoin(p *Peer, room string) error {
	switch {
	case h.closed:
		return ErrShuttingDown
	case h.peers[p.id] != p:
		return fmt.Errorf("peer %s is disconnected: %w", p.id, ErrNotInRoom)
	case p.room.Load() != nil:
		return fmt.Errorf("in room %q: %w", p.RoomName(), ErrAlreadyInRoom)
	case h.rooms[room] == nil && len(h.rooms) >= h.cfg.MaxRooms:
		return fmt.Errorf("%d rooms open: %w", len(h.rooms), ErrTooManyRooms)
	case h.rooms[room] == nil:
		return h.checkRoomAddr(p.addr)
	}
	return nil
}

// closeRoom deletes r, which has no members, from the hub. h.mu must be
// held.
func (h *Hub) closeRoom(r *Room) {
	if h.rooms[r.name] == r {
		delete(h.rooms, r.name)
		h.roomsByAddr.add(r.creator, -1)
	}
}

// seat adds p to r and tells everyone. h.mu and r.mu must be held.
func (h *Hub) seat(p *Peer, r *Room, opts JoinOptions) (full []*Peer, err error) {
	switch {
	case r.locked:
		return nil, &JoinError{Room: r.name, Err: fmt.Errorf("join %q: %w", r.name, ErrRoomLocked)}
	case len(r.members) >= r.capacity:
		return nil, &JoinError{Room: r.name, Members: len(r.members), Capacity: r.capacity, Err: ErrRoomFull}
	}
	others := r.infos(nil)
	p.mu.Lock()
	if opts.Name != "" {
		p.name = opts.Name
	}
	p.joinedAt = h.now()
	p.chatOnly = opts.ChatOnly
	self := p.infoLocked()
	ok := p.push(&Message{Kind: KindJoined, Room: r.name, Class: r.class, Peer: self, Peers: others, Capacity: r.capacity, Token: p.token})
	p.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("join %q: %w", r.name, ErrSlowConsumer)
	}
	r.members = append(r.members, p)
	p.room.Store(r)
	return r.deliver(&Message{Kind: KindPeerJoined, Room: r.name, Peer: self}, p, nil), nil
}

// Leave takes p out of its room; the others see it leave.
func (h *Hub) Leave(p *Peer) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	full, ok := h.unseat(p, ReasonLeft)
	if !ok {
		return ErrNotInRoom
	}
	defer h.dropAll(full)
	return nil
}

// unseat takes p out of its room for reason, telling the others, and p
// itself unless it asked. It reports false when p was in no room. h.mu
// must be held.
func (h *Hub) unseat(p *Peer, reason Reason) (full []*Peer, ok bool) {
	r := p.room.Load()
	if r == nil {
		return nil, false
	}
	r.mu.Lock()
	info := p.Info()
	r.remove(p)
	p.room.Store(nil)
	full = r.deliver(&Message{Kind: KindPeerLeft, Room: r.name, Peer: info, Reason: reason}, nil, nil)
	empty := len(r.members) == 0 && r.joining == 0
	r.mu.Unlock()
	delete(h.tokens, p.token)
	h.unseatCluster(p, r.name, reason)
	p.mu.Lock()
	p.chatOnly = false  // the seat is gone; a next join says again
	p.box.dropHistory() // nothing can be replayed to a seat that is gone
	if reason != ReasonLeft {
		p.push(&Message{Kind: KindLeft, Room: r.name, Reason: reason})
	}
	p.mu.Unlock()
	h.emit(Event{Kind: EventPeerLeft, Room: r.name, Peer: p.id, Name: info.Name, Reason: reason})
	if empty && h.rooms[r.name] == r {
		h.closeRoom(r)
		h.emit(Event{Kind: EventRoomClosed, Room: r.name})
	}
	return full, true
}

// Signal relays data from p to the peer with id to, which must be in p's
// room. The recipient sees it stamped with p's id and name.
func (h *Hub) Signal(p *Peer, to string, data json.RawMessage) error {
	r := p.room.Load()
	if r == nil {
		return ErrNotInRoom
	}
	m := &Message{Kind: KindSignal, Room: r.name, Peer: p.Info(), Data: data}
	r.mu.Lock()
	if r.find(p.id) != p {
		r.mu.Unlock()
		return ErrNotInRoom
	}
	target := r.find(to)
	if target == nil && r.remote != nil {
		if srv := r.remoteServer(to); srv != "" {
			r.mu.Unlock()
			return h.sendRemote(srv, Delivery{Room: r.name, Kind: KindSignal, From: m.Peer, To: to, Data: data})
		}
	}
	if target == nil || target == p {
		r.mu.Unlock()
		return fmt.Errorf("signal to %q: %w", to, ErrUnknownPeer)
	}
	ok, f := r.deliverToDeferred(target, m)
	r.mu.Unlock()
	h.stats.relayed.Add(1)
	if f != nil {
		f.Flush() // no lock held: it may write to the socket
	}
	if !ok {
		h.drop(target)
	}
	return nil
}

// Broadcast relays data from p to every other peer of its room.
func (h *Hub) Broadcast(p *Peer, data json.RawMessage) error {
	r := p.room.Load()
	if r == nil {
		return ErrNotInRoom
	}
	m := &Message{Kind: KindBroadcast, Room: r.name, Peer: p.Info(), Data: data}
	r.mu.Lock()
	if r.find(p.id) != p {
		r.mu.Unlock()
		return ErrNotInRoom
	}
	var buf [maxInlineFlush]Flusher
	full, flush := r.deliverDeferred(m, p, nil, buf[:0])
	n := len(r.members) - 1
	servers := r.remoteServers()
	r.mu.Unlock()
	h.stats.relayed.Add(uint64(n))
	flushAll(flush) // no lock held: they may write to their sockets
	var err error
	for _, srv := range servers {
		if e := h.sendRemote(srv, Delivery{Room: r.name, Kind: KindBroadcast, From: m.Peer, Data: data}); e != nil {
			err = e
		}
	}
	if len(full) > 0 {
		h.mu.Lock()
		h.dropAll(full)
		h.mu.Unlock()
	}
	return err
}

// Detach tells the hub that link, p's connection, is gone. A peer in a room
// keeps its seat for the resume grace period; the others notice nothing
// unless it does not come back. A stale link (already replaced) is ignored.
func (h *Hub) Detach(p *Peer, link Link) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p.mu.Lock()
	if p.link != link {
		p.mu.Unlock()
		return
	}
	if p.gone {
		// Unregistered while its connection lived (kicked, dropped): the
		// connection is over now, and what it did not write is dropped.
		p.link = nil
		p.box.clear()
		p.mu.Unlock()
		return
	}
	p.link = nil
	keep := p.room.Load() != nil && !h.closed && h.cfg.ResumeGrace > 0
	if keep {
		p.awayGen++
		gen := p.awayGen
		p.away = time.AfterFunc(h.cfg.ResumeGrace, func() { h.expire(p, gen) })
	}
	p.mu.Unlock()
	if keep {
		// The others hear at once, so they can say "Ana is
		// reconnecting…" instead of showing a frozen picture.
		r := p.room.Load()
		info := p.Info()
		r.mu.Lock()
		full := r.deliver(&Message{Kind: KindPeerAway, Room: r.name, Peer: info}, p, nil)
		servers := r.remoteServers()
		r.mu.Unlock()
		h.presenceRemote(r.name, servers, KindPeerAway, info)
		h.emit(Event{Kind: EventPeerAway, Room: r.name, Peer: p.id, Name: info.Name})
		h.dropAll(full)
		return
	}
	h.dropAll(h.unregister(p, ReasonLeft))
}

// Disconnect removes p for good: it leaves its room at once, with no grace.
// Transports call it when p's connection has ended.
func (h *Hub) Disconnect(p *Peer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropAll(h.unregister(p, ReasonLeft))
	p.mu.Lock()
	p.box.clear() // whatever its connection did not write
	p.mu.Unlock()
}

// expire ends the seat of a peer whose grace period ran out, unless it
// resumed meanwhile.
func (h *Hub) expire(p *Peer, gen uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p.mu.Lock()
	stale := p.awayGen != gen || p.away == nil || p.link != nil
	p.away = nil
	p.mu.Unlock()
	if stale {
		return
	}
	h.dropAll(h.unregister(p, ReasonTimedOut))
}

// unregister takes p out of its room and the hub. h.mu must be held. It
// returns the peers that overflowed on the way, for dropAll.
func (h *Hub) unregister(p *Peer, reason Reason) []*Peer {
	full, _ := h.unseat(p, reason)
	p.mu.Lock()
	if p.away != nil {
		p.away.Stop()
		p.away = nil
	}
	p.gone = true
	if p.link == nil {
		p.box.clear() // no connection will write it
	} else {
		p.box.keep = 0 // the connection writes what is pending, then closes
		p.box.dropHistory()
	}
	p.mu.Unlock()
	if h.peers[p.id] == p {
		delete(h.peers, p.id)
		h.peersByAddr.add(p.addr, -1)
		h.emit(Event{Kind: EventPeerDisconnected, Peer: p.id, Reason: reason})
	}
	return full
}

// Resume gives the seat that token belongs to back to a new connection. The
// new connection arrived as provisional, a peer Connect made for it; its
// link moves to the seat and provisional is discarded. Messages after
// lastSeen (a sequence number) are delivered again, then KindResumed with
// the room as it is now. The seat's old link, if still open, is closed.
func (h *Hub) Resume(provisional *Peer, token string, lastSeen uint64) (*Peer, error) {
	h.mu.Lock()
	seat := h.tokens[token]
	if seat == nil && h.cluster != nil {
		h.mu.Unlock()
		return h.resumeCluster(provisional, token, lastSeen)
	}
	if seat == nil || seat == provisional || h.peers[provisional.id] != provisional || provisional.room.Load() != nil {
		h.mu.Unlock()
		return nil, ErrBadToken
	}
	link := h.takeLink(provisional)

	r := seat.room.Load()
	r.mu.Lock()
	seat.mu.Lock()
	old := seat.link
	away := seat.away != nil // the room heard KindPeerAway
	if away {
		seat.away.Stop()
		seat.away = nil
	}
	seat.link = link
	// A token resumes once: the seat gets a fresh one, so a token seen on
	// the wire or in a log is worth nothing after the resume.
	delete(h.tokens, seat.token)
	seat.token = randomID(32)
	h.tokens[seat.token] = seat
	lost := seat.box.rewind(lastSeen)
	self := seat.infoLocked()
	ok := seat.push(&Message{Kind: KindResumed, Room: r.name, Class: r.class, Peer: self,
		Peers: r.infos(seat), Capacity: r.capacity, Token: seat.token, Lost: lost})
	seat.mu.Unlock()
	// Back only after away: a resume that replaces a connection the server
	// had not yet seen die (a roaming phone's old path went silent, a
	// client that reconnected at once) changes nothing the room knew.
	var full []*Peer
	if away {
		full = r.deliver(&Message{Kind: KindPeerBack, Room: r.name, Peer: self}, seat, nil)
	}
	servers := r.remoteServers()
	r.mu.Unlock()
	if away {
		h.presenceRemote(r.name, servers, KindPeerBack, self)
		h.emit(Event{Kind: EventPeerBack, Room: r.name, Peer: seat.id, Name: self.Name})
	}
	h.dropAll(full)
	h.retokenCluster(seat, r.name)
	h.mu.Unlock()
	if old != nil {
		old.Close(ReasonReplaced)
	}
	if !ok {
		h.drop(seat)
	}
	return seat, nil
}

// drop disconnects a peer that cannot keep up: it leaves its room and the
// hub at once, and its connection is closed.
func (h *Hub) drop(p *Peer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropAll([]*Peer{p})
}

// dropAll drops every peer in full, and any peer that overflows while the
// others are told. h.mu must be held.
func (h *Hub) dropAll(full []*Peer) {
	for len(full) > 0 {
		p := full[0]
		full = full[1:]
		p.mu.Lock()
		gone, link := p.gone, p.link
		p.mu.Unlock()
		if gone {
			continue
		}
		h.stats.dropped.Add(1)
		h.log.Info("dropping slow peer", "peer", p.id, "room", p.RoomName())
		full = append(full, h.unregister(p, ReasonDropped)...)
		if link != nil {
			link.Close(ReasonDropped)
		}
	}
}

// Shutdown closes every peer's connection with ReasonShutdown and refuses
// new ones. Transports wait for their connections to finish.
func (h *Hub) Shutdown() {
	h.mu.Lock()
	h.closed = true
	var links []Link
	for _, p := range h.peers {
		p.mu.Lock()
		if p.link != nil {
			links = append(links, p.link)
		}
		p.mu.Unlock()
		h.unregister(p, ReasonShutdown)
	}
	h.mu.Unlock()
	for _, l := range links {
		l.Close(ReasonShutdown)
	}
	h.subs.closeAll()
}

// takeLink ends the provisional peer a resuming connection was given and
// returns its link, for the seat it resumes. h.mu must be held.
func (h *Hub) takeLink(provisional *Peer) Link {
	provisional.mu.Lock()
	link := provisional.link
	provisional.link = nil
	provisional.mu.Unlock()
	h.unregister(provisional, ReasonReplaced)
	return link
}
