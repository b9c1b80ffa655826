// Package abuse holds the abuse suite: tests that act as a room full of
// curious programmers would against a real server on loopback (floods of
// large broadcasts, abandoned seats, idle and slow HTTP clients, DNS
// rebinding, TURN misuse) and assert that the limits in docs/security.md
// hold. Other devices are modelled by binding client sockets to distinct
// source addresses in 127.0.0.0/8. Each test prints its figures (RSS
// growth, honest successes while abused, allocations refused).
//
// It has no code of its own beyond test helpers and must never be imported.
package abuse
