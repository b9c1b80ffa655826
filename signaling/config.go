package signaling

import (
	"fmt"
	"time"
)

// Defaults for Config. Each is the value a classroom laptop needs; tests
// shorten the timers.
const (
	// DefaultRoomCapacity is the tutorial's rule: a room holds two peers.
	DefaultRoomCapacity = 2
	// MaxRoomCapacity bounds the capacity setting: a full mesh of n peers
	// costs every peer n-1 connections, so larger rooms need an SFU instead.
	MaxRoomCapacity = 32
	// DefaultMaxPeers bounds the peers connected to one server. It sits just
	// under the 20,000 open files a process may hold on the machines we test on.
	DefaultMaxPeers = 19_900
	// DefaultMaxRooms bounds the rooms open at once on one server.
	DefaultMaxRooms = 10_000
	// DefaultResumeGrace is how long a peer whose connection dropped keeps
	// its seat and id, so a phone roaming between access points comes back
	// without anyone seeing it leave.
	DefaultResumeGrace = 10 * time.Second
	// DefaultOutboxSize bounds the messages waiting for one peer. A peer that
	// falls this far behind is dropped rather than waited on.
	DefaultOutboxSize = 256
	// DefaultResumeHistory is how many written messages a peer keeps for a
	// resume to replay (a call's setup is a few dozen): a client whose
	// connection dropped may not have received the last ones written.
	DefaultResumeHistory = 64
	// DefaultMaxMessageSize bounds one frame from a client, in bytes.
	DefaultMaxMessageSize = 64 << 10
	// DefaultRate and DefaultBurst bound the messages one peer may send: a
	// mesh call start (offers, answers, a few dozen ICE candidates per peer)
	// fits in the burst; a flood does not.
	DefaultRate  = 50.0
	DefaultBurst = 200
	// DefaultPingInterval is how often the server pings a connection.
	DefaultPingInterval = 20 * time.Second
	// DefaultPongTimeout is how long a connection may stay silent (no pong,
	// no message) before it is considered dead. It must exceed the ping
	// interval by a round trip on a bad Wi-Fi link.
	DefaultPongTimeout = 30 * time.Second
	// DefaultWriteTimeout bounds one write to a connection.
	DefaultWriteTimeout = 10 * time.Second
	// DefaultHandshakeTimeout bounds how long a new connection may take to
	// say anything at all.
	DefaultHandshakeTimeout = 15 * time.Second
	// DefaultMaxStrikes is how many protocol errors a peer may cause in a
	// row (without a good message between them) before it is disconnected.
	DefaultMaxStrikes = 50
)

// ICEServer is one entry of RTCConfiguration.iceServers, with the browser
// API's field names.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// Config holds a Hub's settings. Zero fields take the defaults above.
type Config struct {
	// ServerName is shown to clients and advertised on the LAN.
	ServerName string
	// RoomCapacity is the number of peers a room holds (1..MaxRoomCapacity).
	RoomCapacity int
	// MaxPeers and MaxRooms bound the server.
	MaxPeers int
	MaxRooms int
	// ResumeGrace is how long a dropped peer keeps its seat.
	ResumeGrace time.Duration
	// OutboxSize bounds the messages queued for one peer.
	OutboxSize int
	// ResumeHistory is how many written messages a resumable peer keeps
	// for a resume to replay; -1 keeps none.
	ResumeHistory int
	// MaxMessageSize bounds one client frame in bytes.
	MaxMessageSize int64
	// Rate and Burst bound the messages per second one peer may send.
	Rate  float64
	Burst int
	// PingInterval, PongTimeout, WriteTimeout and HandshakeTimeout are the
	// transports' connection timers.
	PingInterval     time.Duration
	PongTimeout      time.Duration
	WriteTimeout     time.Duration
	HandshakeTimeout time.Duration
	// MaxStrikes is how many consecutive protocol errors end a connection.
	MaxStrikes int
	// HistoryBytes and MaxHistoryBytes bound the resume history of one
	// peer and of all peers, in bytes; PendingBytes and MaxPendingBytes the
	// messages waiting to be written (budget.go).
	HistoryBytes, MaxHistoryBytes int64
	PendingBytes, MaxPendingBytes int64
	// MaxPeersPerAddr and MaxRoomsPerAddr bound what one source address
	// holds (limits.go); -1 means no limit.
	MaxPeersPerAddr, MaxRoomsPerAddr int
	// LimitLoopback applies the per-address limits to loopback sources
	// too, each loopback address on its own (see AddrKey): for tests that
	// model devices with loopback addresses, and for a server reached
	// through a tunnel or proxy on this machine.
	LimitLoopback bool
	// ICEServers is handed to every peer; empty on a LAN, where host
	// candidates are enough. ICEServersFor, when set, is asked instead, per
	// peer (for short-lived TURN credentials).
	ICEServers    []ICEServer
	ICEServersFor func(peerID string) []ICEServer
}

// withDefaults returns c with every zero field set to its default, or an
// error when a field is out of range.
func (c Config) withDefaults() (Config, error) {
	if c.ServerName == "" {
		c.ServerName = "Signalbox"
	}
	setInt(&c.RoomCapacity, DefaultRoomCapacity)
	setInt(&c.MaxPeers, DefaultMaxPeers)
	setInt(&c.MaxRooms, DefaultMaxRooms)
	setInt(&c.OutboxSize, DefaultOutboxSize)
	setInt(&c.ResumeHistory, DefaultResumeHistory)
	c.ResumeHistory = max(c.ResumeHistory, 0)
	setInt(&c.Burst, DefaultBurst)
	setInt(&c.MaxStrikes, DefaultMaxStrikes)
	setInt64(&c.HistoryBytes, DefaultHistoryBytes)
	setInt64(&c.MaxHistoryBytes, DefaultMaxHistoryBytes)
	setInt64(&c.PendingBytes, DefaultPendingBytes)
	setInt64(&c.MaxPendingBytes, DefaultMaxPendingBytes)
	setInt(&c.MaxPeersPerAddr, DefaultMaxPeersPerAddr)
	setInt(&c.MaxRoomsPerAddr, DefaultMaxRoomsPerAddr)
	if c.MaxPeersPerAddr < 0 {
		c.MaxPeersPerAddr = c.MaxPeers
	}
	if c.MaxRoomsPerAddr < 0 {
		c.MaxRoomsPerAddr = c.MaxRooms
	}
	if c.MaxMessageSize == 0 {
		c.MaxMessageSize = DefaultMaxMessageSize
	}
	if c.Rate == 0 {
		c.Rate = DefaultRate
	}
	setDuration(&c.ResumeGrace, DefaultResumeGrace)
	setDuration(&c.PingInterval, DefaultPingInterval)
	setDuration(&c.PongTimeout, DefaultPongTimeout)
	setDuration(&c.WriteTimeout, DefaultWriteTimeout)
	setDuration(&c.HandshakeTimeout, DefaultHandshakeTimeout)
	if c.RoomCapacity < 1 || c.RoomCapacity > MaxRoomCapacity {
		return c, fmt.Errorf("room capacity %d: must be between 1 and %d", c.RoomCapacity, MaxRoomCapacity)
	}
	if c.PongTimeout <= c.PingInterval {
		return c, fmt.Errorf("pong timeout %v must exceed ping interval %v", c.PongTimeout, c.PingInterval)
	}
	return c, nil
}

func setInt(v *int, def int) {
	if *v == 0 {
		*v = def
	}
}

func setInt64(v *int64, def int64) {
	if *v == 0 {
		*v = def
	}
}

func setDuration(v *time.Duration, def time.Duration) {
	if *v == 0 {
		*v = def
	}
}
