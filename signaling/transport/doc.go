// Package transport is the kernel every Signalbox transport is built on,
// so that a transport is only parse, route and encode. It holds the three
// things each transport used to write for itself:
//
//   - Pump, the peer's writer: it drains the hub's outbox (the one queue
//     between the hub and a client) onto the connection. It runs a
//     goroutine only while there is something to write; it writes straight
//     from the sender's goroutine when the recipient's queue was empty and
//     its socket takes the frame at once (Flush, called by the hub after it
//     has released its locks); it writes a batch of frames in one system
//     call; and it closes the connection after what is queued (Close).
//   - Guard, the read side's policy: the peer's rate limit (a flood is told
//     "rate-limited" once per episode, then dropped silently), strikes
//     (consecutive bad requests end the connection), and the error
//     mapping (an error without a stable code is a server bug: logged).
//   - wspark.Reader (in signaling/internal/wspark, which Engine.IO may use
//     too: it is below the hub), the "next frame" call over a parkable
//     WebSocket: it returns the client's next frame, answers pings and
//     takes pongs on the way, parks the connection once it has read what
//     there was (the poller then reads it, and runs the transport's read
//     loop on its own goroutine when the bytes are whole frames) and owns
//     the deadlines: how long a frame that has started may take.
//
// A transport's connection embeds a Pump and implements Sink (take from
// the outbox, encode and write a batch, finish, fail); it is the peer's
// signaling.Link through the Pump's Wake, Flush and Close. Its read loop
// calls wspark.Reader.Next, decodes the frame, asks the Guard, and calls
// the hub. The socket under it is a wspark.Sock, which gathers a batch
// into one write and writes without blocking for Flush.
// A third transport (a cluster link between servers, a test client) needs
// nothing else: a Sink over its own connection and a loop that feeds the
// hub; a link that is not a WebSocket uses the Pump and the Guard alone.
//
// This package must never import a transport (signaling/native,
// signaling/socketio), Wails, zeroconf or anything under app/.
package transport
