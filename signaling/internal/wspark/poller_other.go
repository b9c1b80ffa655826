//go:build !linux

package wspark

import (
	"errors"
	"log/slog"
	"sync"
)

// Poller is absent where there is no epoll: every connection keeps its
// read goroutine, as gorilla's examples do.
type Poller struct {
	bufs sync.Pool // never used: nothing parks
}

// NewPoller returns nil: nothing parks on this platform.
func NewPoller(*slog.Logger) *Poller { return nil }

func (*Poller) park(*Conn) bool { return false }

func (*Poller) unwatch(*Conn) {}

// Stop does nothing.
func (*Poller) Stop() {}

// Count reports -1: nothing is ever parked here.
func (*Poller) Count() int { return -1 }

// Stats reports zeros: nothing is served by a poller here.
func (*Poller) Stats() (served, handoffs int) { return 0, 0 }

// dupCloexec is never called here: nothing is owned where nothing parks.
func dupCloexec(int) (int, error) { return -1, errors.ErrUnsupported }
