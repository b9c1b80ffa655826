package signaling

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Link is one live transport connection serving a Peer. The hub calls it,
// possibly while holding its locks, so neither method may block.
type Link interface {
	// Wake tells the link that the peer's outbox has messages to write;
	// the link then calls Peer.Take until it is empty.
	Wake()
	// Close ends the connection, after writing what is pending if that can
	// be done quickly. The transport then calls Hub.Detach or
	// Hub.Disconnect.
	Close(reason Reason)
}

// TransportNamer is a Link whose transport can change while it lives (a
// socket.io session that starts on polling and upgrades to a WebSocket):
// Transport names the current one, in place of ConnInfo.Transport.
type TransportNamer interface {
	Transport() string
}

// ConnInfo describes a peer's connection, for the window and /api/rooms.
type ConnInfo struct {
	RemoteAddr string
	UserAgent  string
	Transport  string // "websocket", "socket.io/polling", "window", …
	// NoResume says the client never resumes its seat on a new connection
	// (socket.io), so its outbox keeps no written messages to replay;
	// others keep Config.ResumeHistory of them.
	NoResume bool
}

// Peer is a client's seat on the server: its id, name, room membership and
// outbox. A Peer outlives its connection for the resume grace period.
type Peer struct {
	hub         *Hub
	id          string
	token       string // changes on every resume, under Hub.mu and Peer.mu
	info        ConnInfo
	addr        string // AddrKey(info.RemoteAddr): what the per-address limits count under
	connectedAt time.Time
	limiter     *rate.Limiter
	room        atomic.Pointer[Room] // written under Hub.mu and Room.mu

	mu       sync.Mutex
	name     string
	joinedAt time.Time
	chatOnly bool   // the seat was taken chat-only (JoinOptions.ChatOnly)
	seat     string // in a cluster, the nonce of the seat (Member.Seat); "" otherwise
	renames  uint32 // how many times the peer renamed itself (Member.Renames)
	link     Link
	away     *time.Timer // running while the connection is gone but the seat kept
	awayGen  uint64      // counts grace periods, so a stale timer knows it is stale
	gone     bool        // unregistered: pushes are dropped
	box      outbox
}

// ID is the peer's server-assigned, unguessable id.
func (p *Peer) ID() string { return p.id }

// Info returns the peer as the others see it: id, current display name,
// and whether its seat is chat-only.
func (p *Peer) Info() PeerInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.infoLocked()
}

// infoLocked is Info with p.mu held.
func (p *Peer) infoLocked() PeerInfo {
	return PeerInfo{ID: p.id, Name: p.name, ChatOnly: p.chatOnly}
}

// RoomName returns the name of the peer's room, or "" outside a room.
func (p *Peer) RoomName() string {
	if r := p.room.Load(); r != nil {
		return r.name
	}
	return ""
}

// Allow reports whether the peer may send one more message now under its
// rate limit. Transports call it once per client message.
func (p *Peer) Allow() bool { return p.limiter.Allow() }

// Take appends the messages waiting for the peer to dst (see outbox.take)
// and returns it, when link is the peer's current link. A replaced link
// (the seat resumed on a new connection) gets nothing: its writer may
// still be running, and whatever it took would go to a dead connection
// instead of the new one.
func (p *Peer) Take(link Link, dst []Entry) []Entry {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.link != link {
		return dst
	}
	return p.box.take(dst)
}

// Pending reports how many messages wait to be written to the peer.
func (p *Peer) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.box.pending()
}

// Send queues a message a transport made for its own client (a reply or an
// error) behind the hub's messages. A peer too far behind to take it is
// dropped.
func (p *Peer) Send(m *Message) {
	if !p.offer(m) {
		p.hub.drop(p)
	}
}

// offer is push under p.mu: it reports false when the outbox is full.
func (p *Peer) offer(m *Message) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.push(m)
}

// SendError counts err under its code and queues it for the client; ref
// names the request that failed ("" when unknown).
func (p *Peer) SendError(ref string, err error) {
	p.hub.countError(p, err)
	p.Send(&Message{Kind: KindError, Err: err, Ref: ref})
}

// push queues m and wakes the link. It reports false when the outbox is
// full; messages to a gone peer vanish. p.mu must be held.
func (p *Peer) push(m *Message) bool {
	if p.gone {
		return true
	}
	if !p.box.push(m) {
		return false
	}
	if p.link != nil {
		p.link.Wake()
	}
	return true
}

// snapshot describes the peer for the window. p.mu must not be held.
func (p *Peer) snapshot() PeerSnapshot {
	p.mu.Lock()
	s := PeerSnapshot{
		ID: p.id, Name: p.name, Room: p.RoomName(),
		RemoteAddr: p.info.RemoteAddr, UserAgent: p.info.UserAgent, Transport: p.info.Transport,
		ConnectedAt: p.connectedAt, JoinedAt: p.joinedAt, Away: p.link == nil && !p.gone,
		Pending: p.box.pending(), ChatOnly: p.chatOnly,
	}
	link := p.link
	p.mu.Unlock()
	if t, ok := link.(TransportNamer); ok {
		s.Transport = t.Transport() // outside p.mu: the link has locks of its own
	}
	return s
}
