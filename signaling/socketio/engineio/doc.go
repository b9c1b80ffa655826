// Package engineio is an Engine.IO protocol v4 server: the transport layer
// under Socket.IO v5 (socket.io-client 3.x and later).
//
// It is hand-written on gorilla/websocket because no maintained Go library
// implements the current protocol (v4, Socket.IO 3 and later) without
// pulling in heavy dependencies. It follows the protocol document at
// https://github.com/socketio/engine.io-protocol (v4) and, where that
// document is silent, the reference server (socketio/engine.io): its error
// codes, its answers to bad requests, and its close reasons.
//
// What it does:
//   - HTTP long-polling: GET receives, POST sends; packets in a payload are
//     joined with the record separator "\x1e". A binary message travels as
//     "b" and its bytes in standard base64 (Handler.Binary,
//     Session.SendBinary). A POST with Content-Type
//     application/octet-stream is refused and closes the session, as in
//     the reference server (protocol v4 sends binary as base64 text).
//   - WebSocket: one packet per text frame; a binary frame is a binary
//     message, and so is a text "b" + base64 packet.
//   - Upgrade from polling to WebSocket: probe "2probe"/"3probe", a noop "6"
//     ends the pending GET, "5" switches; packets queued meanwhile go out on
//     the WebSocket in order, exactly once.
//   - Heartbeat driven by the server: ping "2" every PingInterval; no pong "3"
//     within PingTimeout closes the session. The deadline is kept as a
//     time, and every request and pong checks it before the timer's
//     verdict: a request arriving at or after it always finds the session
//     gone (400, unknown sid), whichever runs first.
//   - One GET and one POST in flight per session; a second one is answered
//     400 and closes the session, as the protocol requires.
//   - Bad requests get 400 (403 for a refused origin) with the reference
//     server's JSON body {"code":N,"message":"..."}; a POST over
//     MaxPayload gets 413 and the session carries on, without any of its
//     packets.
//   - A WebSocket for a session that already has one (upgraded, or
//     probing) completes its handshake and is closed at once, with an
//     empty close frame, as the reference server does.
//
// Where this server knowingly differs from the reference one:
//   - a malformed payload is refused whole: none of its packets reaches the
//     Handler (the reference delivers those before the bad one);
//   - a request with a sid and a method other than GET or POST gets 400
//     {"code":3} (the reference answers a bare 500);
//   - a poll during an upgrade, once the probe is answered, gets its noop at
//     once rather than on a 100 ms check;
//   - EIO=4 is required on every request, not only on the handshake;
//   - Session.Close and Shutdown flush queued packets before the close
//     packet or frame; Shutdown drops at once a polling session that has no
//     poll pending, as the reference does.
//
// A program plugs in through the Handler interface (Open, Message, Close)
// and talks back through Session.Send and Session.Close, or, on a
// WebSocket, Session.WritePackets, which writes straight to the socket (in
// one system call, without blocking when asked): a program with a queue of
// its own (the hub's outbox) then has no second queue in the session. The Socket.IO layer
// on top (namespaces, events, acks) lives elsewhere; see package sioproto for
// its packet codec.
//
// Goroutines: a polling session owns none (its one timer is a
// time.AfterFunc and its requests run on net/http's goroutines). A
// WebSocket session owns at most two, and an idle one none: its reader
// parks the connection (package signaling/internal/wspark) as soon as it
// has read what there was, and the poller runs the reader again when bytes
// arrive (on the poller's goroutine for whole frames); a writer runs only while the queue has
// something (Send, the heartbeat's ping, Close start it) and ends when it
// is empty. The net/http handler returns once the reader is started (for
// an upgrade, once the switch is done). Only the writer writes data frames
// to an upgraded connection, or a caller of WritePackets: Session.wmu
// keeps them apart (the writer holds it from taking the queue to the end
// of its write, so WritePackets, which writes what is queued first, keeps
// the order); before the switch, the probing reader writes the single
// "3probe". terminate only aborts the connection (shuts its
// reading side, which wakes a parked reader); the reader closes it.
// Handler.Close runs on a short-lived goroutine of its own, so Send and
// Close never call into the Handler.
//
// Locks: Session.deliverMu (held around Handler calls and the transport
// switch) comes before Session.wmu, which comes before Session.mu or
// Server.mu; those two are never held together. No I/O and no Handler call
// happens under Session.mu or Server.mu.
//
// This package must never import the signaling hub (package signaling),
// package sioproto, Wails, zeroconf, or anything under app/.
package engineio
