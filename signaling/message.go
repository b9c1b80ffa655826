package signaling

import (
	"encoding/json"
	"sync/atomic"
)

// Kind says what a Message tells its recipient.
type Kind uint8

// The kinds of Message the hub delivers.
const (
	// KindJoined: you joined Room; Peer is you, Peers the others already
	// there, Capacity the room size and Token your resume token.
	KindJoined Kind = iota + 1
	// KindResumed: your seat in Room is yours again; Peers are the others
	// now, Lost how many messages for you were lost while you were away.
	KindResumed
	// KindPeerJoined: Peer joined your room.
	KindPeerJoined
	// KindPeerLeft: Peer left your room, for Reason.
	KindPeerLeft
	// KindSignal: Peer sent you Data.
	KindSignal
	// KindBroadcast: Peer sent Data to everyone else in the room.
	KindBroadcast
	// KindLeft: you are no longer in Room, for Reason.
	KindLeft
	// KindError: your last request, of type Ref, failed with Err.
	KindError
	// KindFrame: Frame is a message a transport encoded itself.
	KindFrame
	// KindPeerAway: Peer's connection dropped; its seat is kept for the
	// resume grace period (KindPeerBack or KindPeerLeft follows).
	KindPeerAway
	// KindPeerBack: Peer resumed its seat after KindPeerAway.
	KindPeerBack
	// KindPeerRenamed: Peer (perhaps you) has a new name.
	KindPeerRenamed
)

// Reason says why a peer left a room or a connection was closed.
type Reason string

// The reasons.
const (
	ReasonLeft       Reason = "left"        // the peer asked to leave
	ReasonTimedOut   Reason = "timed-out"   // the connection dropped and did not come back in time
	ReasonKicked     Reason = "kicked"      // an administrator removed the peer
	ReasonRoomClosed Reason = "room-closed" // an administrator closed the room
	ReasonDropped    Reason = "dropped"     // the peer could not keep up and was disconnected
	ReasonShutdown   Reason = "shutdown"    // the server is stopping
	ReasonReplaced   Reason = "replaced"    // a newer connection resumed this peer's seat
)

// PeerInfo is how peers see each other.
type PeerInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// ChatOnly says the peer makes no call (the desktop window's chat
	// seat, a browser without WebRTC): the others must not try to open a
	// WebRTC connection with it. Omitted when false, so frames about
	// ordinary peers are unchanged.
	ChatOnly bool `json:"chatOnly,omitempty"`
}

// Message is one thing the hub delivers to a peer. It is immutable once
// pushed and may be shared by every recipient of a broadcast, so each
// transport encodes it at most once (see Encoded).
type Message struct {
	Kind     Kind
	Room     string
	Class    string // KindJoined, KindResumed: the class address that seated you, or ""
	Peer     PeerInfo
	Peers    []PeerInfo
	Capacity int
	Token    string
	Lost     uint64
	Moved    bool // KindResumed: the seat came from another server of the cluster; nothing was replayed
	// Transient: written once, never kept for a resume to replay (the
	// welcome, a pong: a resumed connection has no use for them).
	Transient bool
	Reason    Reason
	Data      json.RawMessage
	Err       error
	Ref       string
	Frame     []byte

	encoded [maxEncodings]atomic.Pointer[[]byte]
}

// Encoding identifies a transport's wire format, for Message.Encoded.
type Encoding int

// The encodings; each has one cache slot in every Message.
const (
	EncodingNative Encoding = iota
	EncodingSocketIO
	maxEncodings
)

// Encoded returns m in the wire format e, encoding it with encode the first
// time and reusing the bytes for every later recipient. The result must not
// be modified.
func (m *Message) Encoded(e Encoding, encode func(*Message) []byte) []byte {
	if b := m.encoded[e].Load(); b != nil {
		return *b
	}
	b := encode(m)
	m.encoded[e].Store(&b)
	return b
}
