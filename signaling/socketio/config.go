package socketio

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"time"

	"signalbox/signaling"
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

// Bounds of the Engine.IO settings (Config.PingInterval, PingTimeout,
// MaxPayload): wide enough for a test's short timers and a file sent as
// binary, narrow enough that a typo cannot stall clients for hours or let
// one request take the machine's memory.
const (
	// MinPingTime and MaxPingTime bound PingInterval and PingTimeout.
	MinPingTime = 10 * time.Millisecond
	MaxPingTime = time.Hour
	// MinMaxPayload and MaxMaxPayload bound MaxPayload, in bytes.
	MinMaxPayload = 1 << 10
	MaxMaxPayload = 16 << 20
)

// ErrBadConfig is wrapped by New and Config.Validate for settings out of
// range.
var ErrBadConfig = errors.New("socketio: bad config")

// Config holds the socket.io transport's settings. Unless set here, its
// Engine.IO timers and limits come from the hub's signaling.Config: the
// ping interval is the hub's PingInterval, the ping timeout PongTimeout
// minus PingInterval (so a silent client is dropped after PongTimeout, as
// on the native protocol), and the payload limit MaxMessageSize. A client
// that does not CONNECT within the hub's HandshakeTimeout is closed.
type Config struct {
	// PingInterval, PingTimeout and MaxPayload are socket.io's
	// pingInterval, pingTimeout and maxHttpBufferSize: announced in the
	// Engine.IO handshake, they drive the heartbeat and bound one POST
	// body, one WebSocket frame, and the attachments of one binary packet
	// together. Zero takes the hub's values (above).
	PingInterval time.Duration
	PingTimeout  time.Duration
	MaxPayload   int64

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

// Validate checks the Engine.IO settings that are set; the error wraps
// ErrBadConfig and names the setting.
func (c Config) Validate() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"ping interval", c.PingInterval}, {"ping timeout", c.PingTimeout}} {
		if d.v != 0 && (d.v < MinPingTime || d.v > MaxPingTime) {
			return fmt.Errorf("%w: %s %v: must be between %v and %v", ErrBadConfig, d.name, d.v, MinPingTime, MaxPingTime)
		}
	}
	if c.MaxPayload != 0 && (c.MaxPayload < MinMaxPayload || c.MaxPayload > MaxMaxPayload) {
		return fmt.Errorf("%w: max payload %d bytes: must be between %d and %d", ErrBadConfig, c.MaxPayload, MinMaxPayload, MaxMaxPayload)
	}
	return nil
}

// engineTimers returns the Engine.IO heartbeat and payload limit: c's,
// or where unset those derived from the hub's configuration hc.
func (c Config) engineTimers(hc signaling.Config) (interval, timeout time.Duration, maxPayload int64) {
	interval, timeout, maxPayload = c.PingInterval, c.PingTimeout, c.MaxPayload
	if interval == 0 {
		interval = hc.PingInterval
	}
	if timeout == 0 {
		timeout = hc.PongTimeout - hc.PingInterval
	}
	if maxPayload == 0 {
		maxPayload = hc.MaxMessageSize
	}
	return interval, timeout, maxPayload
}
