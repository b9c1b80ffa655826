package socketio

import (
	"io/fs"
	"net"

	"signalbox/signaling/origin"
)

// Path is where socket.io clients look for the server, and where the
// socket.io-client bundle is served from.
const Path = "/socket.io/"

// Limits of one socket.
const (
	// packetsPerMessage bounds the Socket.IO packets one hub message turns
	// into (a join: two log lines, "joined", "ready"). On a WebSocket the
	// packets go straight to the socket and the hub's outbox is the only
	// queue; on polling the engine's send queue holds that many per outbox
	// slot, so the hub's outbox size stays the measure of a slow consumer.
	packetsPerMessage = 4
	// maxPendingAcks bounds the server's own ack requests ("ready") a
	// client has not answered; older ones are forgotten.
	maxPendingAcks = 8
	// maxEventNameLen bounds an unknown event name quoted back in an error.
	maxEventNameLen = 32
)

// Config holds the socket.io transport's settings. Its timers and limits
// come from the hub's signaling.Config: the Engine.IO ping interval is the
// hub's PingInterval, its ping timeout PongTimeout minus PingInterval (so a
// silent client is dropped after PongTimeout, as on the native protocol),
// its maxPayload MaxMessageSize, and a client that does not CONNECT within
// HandshakeTimeout is closed.
type Config struct {
	// Origins is the cross-site policy, the same as the native protocol's:
	// it is asked for every Engine.IO request, polling and WebSocket alike.
	Origins origin.Policy
	// Client is the built browser client; its socket.io/ folder holds the
	// socket.io-client bundle (socket.io.js, .min.js, .esm.min.js, their
	// source maps) served at /socket.io/. Nil serves none.
	Client fs.FS
	// LANAddrs lists this machine's LAN addresses, for the "ipaddr" event;
	// its IPv4 ones are answered. Nil uses the up, non-loopback interfaces.
	LANAddrs func() []net.IP
	// NoLogs stops the tutorial's "log" events: the server's narration of
	// each request (joins, leaves, a full room, errors) and the echo of
	// every "message" to its sender. The tutorial's client prints them in
	// its console, which is all they are for; the echo alone doubles the
	// packets of a relay. The events the client acts on are sent either way.
	NoLogs bool
}
