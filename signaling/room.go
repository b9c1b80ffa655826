package signaling

import (
	"sync"
	"time"
)

// Room is a named group of peers that relay to each other. Its members are
// changed only with both Hub.mu and Room.mu held, and read with Room.mu.
type Room struct {
	name      string
	createdAt time.Time
	creator   string // AddrKey of the peer that created it, for the per-address limits

	mu       sync.Mutex
	capacity int     // changes when the window sets the class's mode
	class    string  // the class address this room seats, or ""
	members  []*Peer // in join order
	locked   bool

	// In a cluster (see cluster_apply.go): the members on other servers, the
	// revision of the room's state they come from, and how many local
	// peers are waiting for the cluster to seat them.
	remote  []Member
	rev     uint64
	joining int
}

// Name is the room's canonical name.
func (r *Room) Name() string { return r.name }

// find returns the member with id, or nil. r.mu must be held.
func (r *Room) find(id string) *Peer {
	for _, p := range r.members {
		if p.id == id {
			return p
		}
	}
	return nil
}

// remove takes p out of the members. r.mu must be held.
func (r *Room) remove(p *Peer) bool {
	for i, m := range r.members {
		if m == p {
			r.members = append(r.members[:i], r.members[i+1:]...)
			return true
		}
	}
	return false
}

// infos lists the members as peers see them. r.mu must be held.
func (r *Room) infos(except *Peer) []PeerInfo {
	out := make([]PeerInfo, 0, len(r.members))
	for _, p := range r.members {
		if p != except {
			out = append(out, p.Info())
		}
	}
	for _, m := range r.remote {
		out = append(out, m.info())
	}
	return out
}

// deliver pushes m to every member but except, and returns the members
// whose outbox was full. r.mu must be held; this is the only place a
// message fans out, and it only ever reaches this room's members.
func (r *Room) deliver(m *Message, except *Peer, full []*Peer) []*Peer {
	for _, p := range r.members {
		if p != except && !p.offer(m) {
			full = append(full, p)
		}
	}
	return full
}
