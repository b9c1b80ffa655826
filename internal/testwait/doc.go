// Package testwait waits in tests for a condition that another goroutine
// makes true (a connection parked, a peer gone), without a fixed sleep.
//
// It is for tests only and must never import anything of Signalbox.
package testwait
