//go:build !unix

package main

import "log/slog"

// raiseOpenFileLimit does nothing where there is no such limit.
func raiseOpenFileLimit(*slog.Logger) {}
