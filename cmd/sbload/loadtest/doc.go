// Package loadtest drives a signaling server with many simulated peers and
// measures what it costs and how well it relays: the library behind the
// sbload command and the reliability soak tests.
//
// Where things happen:
//   - payload.go: the relayed payload, which carries its room, sender,
//     sequence number and send time, so every delivery can be checked.
//   - driver.go, native.go, socketio.go: one client connection per protocol,
//     Signalbox's native JSON protocol and socket.io v4 over its WebSocket
//     transport (spoken directly, frame by frame), usable against Signalbox
//     and against the tutorial's Node server.
//   - pairs.go, churn.go: what a Worker does: set up pairs, relay at a
//     rate, churn.
//   - coordinator.go: several Workers, in this process or in child
//     processes, so one run can hold more sockets than one process may open.
//   - scenario.go: the scenarios (relay, knee, idle, churn) over a Run.
//   - stats.go, proc.go, report.go: latency histograms, counters, the
//     server's cost read from /proc/PID, and the tables sbload prints.
//
// The tests of this package are also Signalbox's reliability suite (see
// reliability_test.go and soak_test.go, and scripts/test-reliability.sh).
//
// Only loopback addresses are ever meant as targets.
//
// It must never import the signaling hub or its transports (it measures
// them from the outside, as a client), Wails, zeroconf, or anything under
// app/.
package loadtest
