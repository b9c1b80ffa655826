// Package httpserver is Signalbox's HTTP front: it owns the hub and routes
// /ws (the native protocol), the embedded browser client, /healthz,
// /api/lobby, /api/rooms and /metrics, and shuts everything down in order.
// Other transports (socket.io) mount on it with Handle.
//
// It must never import Wails, zeroconf or anything under app/.
package httpserver
