// Command sbload is Signalbox's load generator: it drives a signaling
// server (Signalbox, or the tutorial's Node socket.io server) over the
// native protocol or socket.io v4 with the relay, knee, idle and churn
// scenarios of package cmd/sbload/loadtest, and prints what it measured.
//
//	sbload -addr 127.0.0.1:7480 -protocol native -scenario relay -pairs 1000 -rate 5 -duration 30s -server-pid PID
//	sbload table -col "Node=dir1" -col "Signalbox=dir2"   # Markdown table from saved -json reports
//
// With -workers N it spreads the connections over N child processes
// (itself, run with -worker), since one process may open only so many
// files; -spread-ips gives each its own loopback source address.
//
// Only loopback targets are meant: the tool refuses any other address.
//
// It must never import anything under app/: it drives a server from the
// outside, as devices do.
package main
