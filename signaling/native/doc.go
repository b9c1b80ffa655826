// Package native is Signalbox's own WebSocket protocol, served at /ws: JSON
// text frames with a "type" field, specified in docs/protocol.md.
//
// Where things happen:
//   - wire.go: the frames, decoded (decodeRequest) and encoded (encode,
//     appendFrame).
//   - conn.go: one connection: its read loop, which parses and routes each
//     request to the hub, its writer, which delivers the peer's outbox, and
//     its heartbeat (tick).
//   - park.go and package signaling/internal/wspark: idle connections
//     without a goroutine. A read loop that hears nothing for a moment
//     hands its connection to the server's epoll poller and ends; the poller
//     starts it again when bytes arrive. The heartbeat then enforces the
//     pong timeout, and abort wakes a parked connection to end it. Elsewhere
//     than on Linux, and under TLS, connections keep their read goroutine.
//   - server.go: the HTTP handler that upgrades and tracks connections.
//
// Goroutines: an idle connection has none; a busy one has its read loop
// and, while its outbox is not empty, a writer.
//
// It imports the signaling core; it must never import Wails, zeroconf or
// anything under app/.
package native
