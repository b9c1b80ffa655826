// Package testclock is a settable time source for tests of code that
// takes a Now func in its Config (certificate expiry, credential
// lifetimes), so a test moves time on without waiting.
//
// It is for tests only and must never import anything of Signalbox.
package testclock
