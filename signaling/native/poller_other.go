//go:build !linux

package native

import "log/slog"

// poller is absent where there is no epoll: every connection keeps its
// read goroutine, as gorilla's examples do.
type poller struct{}

func newPoller(*slog.Logger) *poller { return nil }

func (*poller) park(*conn) bool { return false }

func (*poller) stop() {}

// count reports -1: nothing is ever parked here.
func (*poller) count() int { return -1 }
