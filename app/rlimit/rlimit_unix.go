//go:build unix

package rlimit

import (
	"log/slog"
	"syscall"
)

// RaiseOpenFiles lifts the soft limit on open files to the hard one:
// each connection is a file, and the default soft limit (often 1,024)
// would cap the server far below what it can hold.
func RaiseOpenFiles(log *slog.Logger) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			log.Warn("cannot raise open file limit", "err", err)
		}
	}
}
