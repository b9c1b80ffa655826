// Package wstest is a client of Signalbox's native protocol (docs/protocol.md)
// for tests: it dials /ws, takes the welcome, and sends, reads and checks
// frames, failing the test on anything unexpected. The native transport's
// tests and the cluster's use it, each against its own servers.
//
// It must never import the signaling core, a transport, Wails or app/: it
// speaks the protocol from outside, as a browser does.
package wstest
