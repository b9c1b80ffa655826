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
//     bufio.Reader of ours whose buffered bytes the read loop can see, and
//     reads and writes through a Sock of ours (a batch of frames in one
//     write; writes that never block, for a sender writing straight to a
//     recipient's socket; control frames that never block);
//   - embed a Reader (the "next frame" call: a Conn plus the deadlines and
//     the linger rule) in the transport's connection and Attach it, with a
//     Resumer;
//   - read with Reader.Next, which waits for the next data frame, answers
//     pings and takes pongs on the way (gorilla would take them inside
//     NextReader, which then waits on for a data frame: the goroutine could
//     never park), or parks the connection, in which case the goroutine
//     returns at once and the poller calls the Resumer on a new goroutine
//     later;
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
