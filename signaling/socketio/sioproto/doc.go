// Package sioproto encodes and decodes Socket.IO protocol v5 packets, the
// strings carried inside Engine.IO message packets: CONNECT, DISCONNECT,
// EVENT (with an optional ack id), ACK, CONNECT_ERROR, BINARY_EVENT and
// BINARY_ACK, in any namespace ("/admin," prefix). It follows https://github.com/socketio/socket.io-protocol
// (v5) and the default parser of the reference implementation
// (socket.io-parser).
//
// It is hand-written because no maintained Go library implements the current
// protocol without heavy dependencies, and the codec is small.
//
// A binary packet (BINARY_EVENT, BINARY_ACK) carries its attachment count
// and placeholders ({"_placeholder":true,"num":N}) in its arguments; its
// attachments travel as the binary Engine.IO messages that follow it.
// Reconstruct puts values in place of the placeholders; Deconstruct takes
// values out into attachments, leaving placeholders.
//
// Event arguments stay raw JSON ([]json.RawMessage), so a relay can pass
// them on without decoding them.
//
// This package is pure: it must never import net/http, the engineio
// transport, the signaling hub (package signaling), Wails, zeroconf, or
// anything under app/.
package sioproto
