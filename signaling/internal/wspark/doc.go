// Package wspark reads WebSocket connections at the system-call floor: a
// connection that has read what its client sent is parked, which gives up
// its read goroutine, its stack and its read buffer, and an epoll poller
// of its own reads it when bytes arrive. When those bytes are whole frames
// (a signaling message is one small frame), the poller runs the
// transport's read loop on its own goroutine: one read, the message
// routed, the recipient written to from the same goroutine, and back to
// epoll_wait, with no goroutine hand-off and no read that finds the socket
// empty. An idle connection costs only its state, which is most of what a
// classroom of joined, silent peers is.
//
// Both Signalbox transports (the native protocol and Engine.IO under
// Socket.IO) use it the same way:
//
//   - Upgrade through a Hijacker, so gorilla reads from a small
//     bufio.Reader of ours whose buffered bytes the read loop can see, and
//     reads and writes through a Sock of ours (a batch of frames in one
//     write; writes that never block, for a sender writing straight to a
//     recipient's socket; control frames that never block; the poller's
//     read that never waits);
//   - embed a Reader (the "next frame" call: a Conn plus the deadlines) in
//     the transport's connection and Attach it, with a Resumer;
//   - read with Reader.Next, which returns the next data frame, answers
//     pings and takes pongs on the way (gorilla would take them inside
//     NextReader, which then waits on for a data frame: the goroutine could
//     never park), or parks the connection, in which case the read loop
//     returns at once and the poller calls the Resumer later, on its own
//     goroutine or, for what it cannot do without blocking (a frame split
//     across reads, the end of the stream), on a new one;
//   - never block in the read loop on the poller's goroutine; at the end
//     of the connection call Leave, and end it on a goroutine of its own
//     when Leave says the poller's goroutine is the caller;
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
