// Package signaling is the core of Signalbox: rooms, peers, presence and the
// relay of opaque signalling payloads between peers of the same room.
//
// It knows nothing about wire formats. A transport (the native WebSocket
// protocol in signaling/native, the socket.io layer in signaling/socketio, the
// desktop window) connects a Peer to the Hub, calls the Hub's methods when its
// client asks for something, and delivers the Messages the Hub puts in the
// peer's outbox through a Link.
//
// Where things happen:
//   - hub.go: the registry of peers and rooms; every operation a transport or
//     the UI can ask for (join, leave, signal, broadcast, resume, kick, ...).
//   - room.go: membership, capacity and the delivery of one message to the
//     members of one room. Nothing is ever delivered outside the room.
//   - peer.go / outbox.go: a peer's seat and its bounded outbox with replay
//     history for resume.
//   - cluster.go: the Cluster interface through which a hub shares its
//     rooms with other servers (implemented in signaling/cluster/natsbus)
//     and what it carries; the hub's side of it is in cluster_seats.go
//     (join, overflow, resume and leave through the cluster),
//     cluster_apply.go (bringing a room up to the cluster's state) and
//     cluster_relay.go (relays and presence to and from other servers).
//     Without a Cluster none of it runs.
//   - class.go: class addresses: one room name on the board seats every
//     student who joins with Overflow, in pairs or groups (ClassMode),
//     spilling into "math · 2", "math · 3"…; the window sets the mode.
//
// Presence: a peer whose connection drops keeps its seat for the resume
// grace; its room hears KindPeerAway at once, then KindPeerBack or
// KindPeerLeft (timed-out). Renames reach the room as KindPeerRenamed.
//
// Concurrency: lock order is Hub.mu, then Room.mu, then Peer.mu. Messages are
// pushed to outboxes while a room lock is held, so every member sees presence
// and relay in one consistent order; a push is an O(1) in-memory append that
// never blocks and never does I/O (Link.Wake must not block either).
//
// This package must never import Wails, zeroconf, NATS, or anything under
// app/ or signaling/cluster/.
package signaling
