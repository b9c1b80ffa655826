package signaling

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
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
// holding a lock (they may wait for the network); Unseat, Retoken,
// Rename, Send and Room may be called with hub locks held and must never
// block.
type Cluster interface {
	// Self is this server's id in the cluster (Member.Server).
	Self() string
	// Seat takes a seat for m in room, creating the room with capacity if
	// it does not exist. It fails with ErrRoomFull, ErrRoomLocked or
	// ErrClusterUnavailable, and returns the room as it is with m seated.
	// class, when not "", seats m for the class address class (a join
	// with overflow): a room it creates belongs to the class, and a room
	// named like one of the class's ("math · 2") that someone opened by
	// hand with other members counts as full.
	Seat(room string, m Member, capacity int, class string) (RoomState, error)
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
	// Rename records m's new name, m.Name, and its rename count,
	// m.Renames, on its seat. It queues the change and returns at once.
	Rename(room string, m Member)
	// Send hands d to the server srv for its members; ErrClusterUnavailable
	// when the cluster cannot be reached. It never blocks. The hub sends
	// relays (KindSignal, KindBroadcast) holding no lock, so Send may yield
	// the processor for them.
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
	// Room is the room named name as last seen, a hint only (Seat
	// decides); false when the cluster has no record of it.
	Room(name string) (RoomState, bool)
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
	// Renames counts the peer's renames, so a server applies a name once
	// and never goes back to an older one (see Delivery.Renames).
	Renames uint32 `json:"ren,omitempty"`
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
	Name     string `json:"name"`
	Rev      uint64 `json:"rev"`
	Capacity int    `json:"cap"`
	Locked   bool   `json:"locked,omitempty"`
	// Class is the class address the room seats (Seat's class), or "".
	Class    string      `json:"class,omitempty"`
	Members  []Member    `json:"members"`
	Departed []Departure `json:"departed,omitempty"`
}

// Delivery is a relay between servers: Kind (KindSignal or KindBroadcast)
// from a peer of Room to the member To, or to every member of Room on the
// receiving server when To is empty; or the presence of From (KindPeerAway,
// KindPeerBack) or its new name (KindPeerRenamed) for every member of
// Room there.
type Delivery struct {
	Room string          `json:"room"`
	Kind Kind            `json:"kind"`
	From PeerInfo        `json:"from"`
	To   string          `json:"to,omitempty"`
	Data json.RawMessage `json:"data"`
	// Origin is the sending server, for presence: an away from a server
	// the peer has already moved away from is stale and dropped.
	Origin string `json:"origin,omitempty"`
	// Renames is From's rename count, for KindPeerRenamed: a server
	// applies the rename only if it has not seen this count (or a higher
	// one) in the room's state already.
	Renames uint32 `json:"ren,omitempty"`
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
	return Member{ID: p.id, Name: p.name, ChatOnly: p.chatOnly, Server: h.cluster.Self(), Seat: p.seat, TokenHash: TokenHash(p.token), Renames: p.renames}
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
		out = append(out, RoomSummary{Name: st.Name, Class: st.Class, Peers: len(st.Members), Capacity: st.Capacity, Locked: st.Locked})
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
		rs := RoomSnapshot{Name: st.Name, Class: st.Class, Capacity: st.Capacity, Locked: st.Locked}
		for _, m := range st.Members {
			rs.Peers = append(rs.Peers, PeerSnapshot{ID: m.ID, Name: m.Name, Room: st.Name, Transport: "cluster", Server: m.Server, ChatOnly: m.ChatOnly})
		}
		snap.Rooms = append(snap.Rooms, rs)
	}
}
