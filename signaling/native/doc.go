// Package native is Signalbox's own WebSocket protocol, served at /ws: JSON
// text frames with a "type" field, specified in docs/protocol.md.
//
// Where things happen:
//   - wire.go: the frames, decoded (decodeRequest) and encoded (encode).
//   - conn.go: one connection: its read loop, which parses and routes each
//     request to the hub, and its writer, which delivers the peer's outbox.
//   - server.go: the HTTP handler that upgrades and tracks connections.
//
// It imports the signaling core; it must never import Wails, zeroconf or
// anything under app/.
package native
