// Package natsbus is a signaling.Cluster on NATS: several Signalbox
// servers share one room namespace through a NATS deployment (or the
// nats-server each of them embeds, see Embedded).
//
// How it works (docs/cluster.md explains it for users):
//   - bus.go: the configuration, the connection to NATS, opening the room
//     bucket (JetStream key-value, one key per room holding its seats) and
//     the bus's health.
//   - rooms.go: the compare-and-set change loop on a room's key and the
//     watcher that mirrors every room.
//   - relay.go: what servers send each other on their own subjects: relays
//     (a compact binary encoding, as they are the hot path) and room states.
//   - seats.go: join, leave, resume, rename, kick, lock and close as changes
//     of a room's key, and the queue of changes made in order.
//   - liveness.go: heartbeats and the reaping of silent servers' seats.
//   - embedded.go: a nats-server inside Signalbox, able to form a NATS
//     cluster with the other Signalbox servers over routes.
//
// Each server listens on its own subject, sb.<cluster>.srv.<server>, for
// relays and room states; one NATS connection carries everything a server
// sends, so what one peer sends reaches every other server in order.
//
// This package may import NATS; the core (signalbox/signaling and its
// transports) must never import NATS or this package. It must not import
// Wails, zeroconf or anything under app/.
package natsbus
