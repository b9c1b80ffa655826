//go:build !linux

package turnrelay

import (
	"errors"
	"net"
)

// newPlatformBatchConn has no batched I/O to offer outside Linux.
func newPlatformBatchConn(*net.UDPConn, int) (net.PacketConn, error) {
	return nil, errors.ErrUnsupported
}
