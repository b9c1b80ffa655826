// Package socketio is the socket.io v4 transport: Socket.IO protocol v5 on
// the default namespace, over the Engine.IO v4 server of package engineio,
// mapped onto the signalling hub. It is what lets the pages of the WebRTC
// tutorials (the "webrtc-web" codelab and its translations) use Signalbox
// unchanged: they load /socket.io/socket.io.js and speak the events
// "create or join", "created", "join", "joined", "ready", "full",
// "message", "log", "ipaddr" and "bye".
//
// One socket is one signaling.Peer, registered on CONNECT ("40"; the
// answer's sid is the peer id, so socket.id on the page is the id native
// peers see). Socket.io peers and native peers meet in the same rooms, with
// the hub's room capacity. docs/socketio.md has the event mapping and what
// is not supported (other namespaces, the rooms API beyond the tutorial's
// events, connection state recovery). Binary attachments are relayed as
// binary between socket.io peers and as {"_binary":"<base64>"} markers to
// and from native peers (binary.go).
//
// Where things happen:
//   - server.go: the http.Handler at /socket.io/ (the Engine.IO endpoint and
//     the socket.io-client bundle), the engineio.Handler, Shutdown.
//   - conn.go and deliver.go: one socket: its link to the hub and the sink
//     of its writer (a transport.Pump, package signaling/transport), which
//     turns the peer's outbox into Socket.IO packets.
//   - route.go: the packets a client sends, carried out on the hub.
//   - wire.go: the packets and log lines the server sends.
//   - binary.go: binary packets: attachments assembled, mapped to and from
//     the hub's markers.
//   - client.go: the embedded socket.io-client files.
//
// Goroutines: a socket owns none while idle. As in package native, the
// Pump writes a relayed message from the sender's goroutine when the socket
// takes it at once, and otherwise starts a writer goroutine, which drains
// the peer's outbox and exits. On a WebSocket the packets go straight to
// the socket (engineio.Session.WritePackets): the hub's outbox is the one
// queue, and the hub's slow-consumer rule the only one. On polling they are
// queued with engineio.Session.Send for the next poll. Client packets are
// handled on the engine's goroutines, one at a time per session.
//
// This package must never import Wails, zeroconf, anything under app/, or
// package httpserver (which mounts it).
package socketio
