// Package origin decides whether a browser request may open a WebSocket:
// the defence against cross-site WebSocket hijacking, shared by every
// transport. It imports nothing of Signalbox.
package origin
