// Package wspark parks idle WebSocket connections: a connection whose
// client has sent nothing for a short while gives up its read goroutine,
// its stack and its read buffer, and an epoll poller of its own starts a
// new read loop when bytes arrive. An idle connection then costs only its
// state, which is most of what a classroom of joined, silent peers is.
//
// Both Signalbox transports (the native protocol and Engine.IO under
// Socket.IO) use it the same way:
//
//   - Upgrade through a Hijacker, so gorilla reads from a small
//     bufio.Reader of ours whose buffered bytes the read loop can see;
//   - Attach the upgraded connection (a Conn embedded in the transport's
//     own) to the server's Poller, with a Resumer;
//   - between messages, Await the client's next bytes (the goroutine
//     returns at once when Await parked the connection; the poller calls
//     the Resumer on a new goroutine later), then let Control
//     answer a WebSocket ping or take a pong before gorilla's NextReader,
//     which would otherwise wait on for a data frame;
//   - end the connection from outside the read loop with Abort, never
//     Close: closing a parked socket drops it from the poller silently.
//
// Only plain TCP parks (TLS buffers what it decrypts, so readiness of the
// socket says nothing); on other platforms than Linux nothing parks and
// every connection keeps its read goroutine.
//
// This package must never import the signaling hub, a transport, Wails,
// zeroconf or anything under app/.
package wspark
