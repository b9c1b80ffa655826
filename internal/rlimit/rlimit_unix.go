//go:build unix

package rlimit

import "syscall"

// RaiseOpenFiles lifts the soft limit on open files to the hard one: each
// connection is a file, and the default soft limit (often 1,024) would cap
// a server, or a load generator, far below what it can hold.
func RaiseOpenFiles() error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return nil // no such limit to raise
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	return nil
}
