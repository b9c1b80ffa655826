// Package native is Signalbox's own WebSocket protocol, served at /ws: JSON
// text frames with a "type" field, specified in docs/protocol.md.
//
// Where things happen:
//   - decode.go: a client's frame decoded in one pass (decodeRequest);
//     wire.go: the frames' types and their encoding (appendFrame).
//   - conn.go: one connection: its read loop, which parses and routes each
//     request to the hub, the encoding of the peer's outbox for its writer
//     (a transport.Pump, package signaling/transport, which also writes a
//     relayed frame straight from the sender's goroutine when it can), and
//     its heartbeat (tick).
//   - route.go: the requests, carried out on the hub; the rate limit and
//     strikes are the kernel's transport.Guard.
//   - park.go and package signaling/internal/wspark: connections without
//     a goroutine of their own. A read loop that has read what there was
//     parks its connection with the server's epoll poller and returns; the
//     poller reads the next bytes and, when they are whole frames, runs the
//     read loop on its own goroutine (frames in pieces get a goroutine of
//     the connection's own). The heartbeat enforces the pong timeout, and
//     abort wakes a parked connection to end it. Elsewhere than on Linux,
//     and under TLS, connections keep their read goroutine.
//   - server.go: the HTTP handler that upgrades and tracks connections.
//
// Goroutines: a plain-TCP connection has none of its own, except while a
// frame arrives in pieces, or while its outbox cannot be written at once
// (a writer).
//
// It imports the signaling core; it must never import Wails, zeroconf or
// anything under app/.
package native
