// Package eioconform is an Engine.IO v4 conformance suite for Signalbox's
// socket.io endpoint, written from the protocol description
// (socketio/engine.io-protocol, revision 4) and the reference server's
// documented answers, not from Signalbox's code. It speaks HTTP and
// WebSocket itself (net/http, gorilla/websocket) and checks: the
// handshake's fields, every error code and status, the heartbeat and its
// timeout with short settings, payload batching, the upgrade with its
// probe and noop, binary in both transports, the session after an
// upgrade, and the payload limit.
//
// By default it runs two real servers in process (signaling/httpserver,
// as the program and the e2e test server build it) on loopback:
// one with a long heartbeat and one with a short one. To run it against
// running servers instead, set SIGNALBOX_EIO_URL and
// SIGNALBOX_EIO_HEARTBEAT_URL to their base URLs (http://127.0.0.1:PORT),
// started with the settings in settings_test.go (scripts/test-socketio.sh
// does this with the e2e test server binary).
//
// It must never import Wails, zeroconf or anything under app/.
package eioconform
