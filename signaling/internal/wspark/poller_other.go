//go:build !linux

package wspark

import "log/slog"

// Poller is absent where there is no epoll: every connection keeps its
// read goroutine, as gorilla's examples do.
type Poller struct{}

// NewPoller returns nil: nothing parks on this platform.
func NewPoller(*slog.Logger) *Poller { return nil }

func (*Poller) park(*Conn) bool { return false }

// Stop does nothing.
func (*Poller) Stop() {}

// Count reports -1: nothing is ever parked here.
func (*Poller) Count() int { return -1 }
