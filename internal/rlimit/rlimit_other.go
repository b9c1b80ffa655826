//go:build !unix

package rlimit

// RaiseOpenFiles does nothing where there is no such limit.
func RaiseOpenFiles() error { return nil }
