// Package native is Signalbox's own WebSocket protocol, served at /ws: JSON
// text frames with a "type" field, specified in docs/protocol.md.
//
// Where things happen:
//   - wire.go: the frames, decoded (decodeRequest) and encoded (encode,
//     appendFrame).
//   - conn.go: one connection: its read loop, which parses and routes each
//     request to the hub, the encoding of the peer's outbox for its writer
//     (a transport.Pump, package signaling/transport, which also writes a
//     relayed frame straight from the sender's goroutine when it can), and
//     its heartbeat (tick).
//   - route.go: the requests, carried out on the hub; the rate limit and
//     strikes are the kernel's transport.Guard.
//   - park.go and package signaling/internal/wspark: idle connections
//     without a goroutine. A read loop that hears nothing for a moment
//     hands its connection to the server's epoll poller and ends; the poller
//     starts it again when bytes arrive. The heartbeat then enforces the
//     pong timeout, and abort wakes a parked connection to end it. Elsewhere
//     than on Linux, and under TLS, connections keep their read goroutine.
//   - server.go: the HTTP handler that upgrades and tracks connections.
//
// Goroutines: an idle connection has none; a busy one has its read loop
// and, while its outbox cannot be written at once, a writer.
//
// It imports the signaling core; it must never import Wails, zeroconf or
// anything under app/.
package native
