// Command wsjoin is a test peer: it connects to a Signalbox server over the
// native WebSocket protocol (docs/protocol.md), joins a room, prints
// "joined <room> <peer id>" and stays until it is signalled, kicked, or
// --hold runs out. scripts/smoke-window.sh uses it to put a peer in the
// window's room list.
//
// It is a client only: it must never import the server (signaling/, app/).
package main
