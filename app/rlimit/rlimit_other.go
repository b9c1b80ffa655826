//go:build !unix

package rlimit

import "log/slog"

// RaiseOpenFiles does nothing where there is no such limit.
func RaiseOpenFiles(*slog.Logger) {}
