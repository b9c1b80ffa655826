package signaling

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Errors of the administrator's operations, for the window.
var (
	ErrNoSuchPeer = errors.New("no such peer")
	ErrNoSuchRoom = errors.New("no such room")
)

// Kick removes the peer with id from its room and closes its connection.
// The others see it leave with ReasonKicked; it learns why before the
// connection closes.
func (h *Hub) Kick(id string) error {
	err := h.kickLocal(id)
	if errors.Is(err, ErrNoSuchPeer) && h.cluster != nil {
		return h.cluster.Kick(id)
	}
	return err
}

// kickLocal is Kick of a peer connected to this server.
func (h *Hub) kickLocal(id string) error {
	h.mu.Lock()
	p := h.peers[id]
	if p == nil {
		h.mu.Unlock()
		return fmt.Errorf("kick %q: %w", id, ErrNoSuchPeer)
	}
	p.mu.Lock()
	link := p.link
	p.mu.Unlock()
	full := h.unregister(p, ReasonKicked)
	h.dropAll(full)
	h.mu.Unlock()
	h.log.Info("peer kicked", "peer", id)
	if link != nil {
		link.Close(ReasonKicked)
	}
	return nil
}

// LockRoom stops (locked) or allows again new peers joining the room.
func (h *Hub) LockRoom(name string, locked bool) error {
	if h.cluster != nil {
		return h.cluster.Lock(name, locked)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rooms[name]
	if r == nil {
		return fmt.Errorf("lock %q: %w", name, ErrNoSuchRoom)
	}
	r.mu.Lock()
	r.locked = locked
	r.mu.Unlock()
	kind := EventRoomLocked
	if !locked {
		kind = EventRoomUnlocked
	}
	h.emit(Event{Kind: kind, Room: name})
	return nil
}

// CloseRoom removes every peer from the room (they stay connected and may
// join another) and deletes it.
func (h *Hub) CloseRoom(name string) error {
	if h.cluster != nil {
		return h.cluster.CloseRoom(name)
	}
	return h.closeRoomLocal(name)
}

// closeRoomLocal is CloseRoom of this server's part of the room.
func (h *Hub) closeRoomLocal(name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rooms[name]
	if r == nil {
		return fmt.Errorf("close %q: %w", name, ErrNoSuchRoom)
	}
	r.mu.Lock()
	members := append([]*Peer(nil), r.members...)
	r.mu.Unlock()
	var full []*Peer
	for _, p := range members {
		f, _ := h.unseat(p, ReasonRoomClosed)
		full = append(full, f...)
	}
	h.dropAll(full)
	return nil
}

// PeerSnapshot describes one connected peer for the window and /api/rooms.
type PeerSnapshot struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Room        string    `json:"room,omitempty"`
	RemoteAddr  string    `json:"remoteAddr"`
	UserAgent   string    `json:"userAgent"`
	Transport   string    `json:"transport"`
	ConnectedAt time.Time `json:"connectedAt"`
	JoinedAt    time.Time `json:"joinedAt,omitzero"`
	Away        bool      `json:"away"`
	Pending     int       `json:"pending"`
	// ChatOnly: the peer joined its room chat-only (PeerInfo.ChatOnly).
	ChatOnly bool `json:"chatOnly,omitempty"`
	// Server is, in a cluster, the id of the server a peer of another
	// server is connected to (its Transport is "cluster"); "" for local peers.
	Server string `json:"server,omitempty"`
}

// RoomSnapshot describes one room.
type RoomSnapshot struct {
	Name string `json:"name"`
	// Class is the class address that seated this room, or "" (see
	// ClassMode); the window shows a class's rooms together.
	Class     string         `json:"class,omitempty"`
	Capacity  int            `json:"capacity"`
	Locked    bool           `json:"locked"`
	CreatedAt time.Time      `json:"createdAt"`
	Peers     []PeerSnapshot `json:"peers"`
}

// Snapshot is the whole hub at one moment.
type Snapshot struct {
	Rooms []RoomSnapshot `json:"rooms"`
	// Classes are how each class address with an open room seats its
	// students, sorted by name.
	Classes []Class        `json:"classes"`
	Lobby   []PeerSnapshot `json:"lobby"` // connected peers in no room
	Stats   StatsSnapshot  `json:"stats"`
}

// Snapshot returns the rooms, sorted by name, with their peers in join
// order, and the peers in no room.
func (h *Hub) Snapshot() Snapshot {
	h.mu.Lock()
	rooms := make([]*Room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	var lobby []*Peer
	for _, p := range h.peers {
		if p.room.Load() == nil {
			lobby = append(lobby, p)
		}
	}
	snap := Snapshot{Rooms: make([]RoomSnapshot, 0, len(rooms)), Classes: []Class{}, Lobby: []PeerSnapshot{}, Stats: h.statsLocked()}
	classes := map[string]bool{}
	for _, r := range rooms {
		r.mu.Lock()
		rs := RoomSnapshot{Name: r.name, Class: r.class, Capacity: r.capacity, Locked: r.locked, CreatedAt: r.createdAt}
		members := append([]*Peer(nil), r.members...)
		remote := r.remoteSnapshots()
		r.mu.Unlock()
		if rs.Class != "" && !classes[rs.Class] {
			classes[rs.Class] = true
			snap.Classes = append(snap.Classes, h.classOf(rs.Class))
		}
		for _, p := range members {
			rs.Peers = append(rs.Peers, p.snapshot())
		}
		rs.Peers = append(rs.Peers, remote...)
		snap.Rooms = append(snap.Rooms, rs)
	}
	for _, p := range lobby {
		snap.Lobby = append(snap.Lobby, p.snapshot())
	}
	h.mu.Unlock()
	if h.cluster != nil {
		h.clusterOnlyRooms(&snap)
	}
	sort.Slice(snap.Rooms, func(i, j int) bool { return snap.Rooms[i].Name < snap.Rooms[j].Name })
	sort.Slice(snap.Classes, func(i, j int) bool { return snap.Classes[i].Name < snap.Classes[j].Name })
	sort.Slice(snap.Lobby, func(i, j int) bool { return snap.Lobby[i].ConnectedAt.Before(snap.Lobby[j].ConnectedAt) })
	return snap
}

// RoomSummary is what anyone on the LAN may see of a room: the lobby's
// list of open rooms.
type RoomSummary struct {
	Name string `json:"name"`
	// Class is the class address the room belongs to, or "": the lobby
	// lists a class once, as one address that always has a seat.
	Class    string `json:"class,omitempty"`
	Peers    int    `json:"peers"`
	Capacity int    `json:"capacity"`
	Locked   bool   `json:"locked"`
}

// Rooms lists the rooms with their occupancy, sorted by name.
func (h *Hub) Rooms() []RoomSummary {
	if h.cluster != nil {
		out := h.clusterRooms()
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out
	}
	h.mu.Lock()
	out := make([]RoomSummary, 0, len(h.rooms))
	for _, r := range h.rooms {
		r.mu.Lock()
		out = append(out, RoomSummary{Name: r.name, Class: r.class, Peers: len(r.members), Capacity: r.capacity, Locked: r.locked})
		r.mu.Unlock()
	}
	h.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
