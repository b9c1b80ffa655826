package app

import (
	"errors"
	"fmt"
)

// Codes that start the message of every error a bound method returns
// ("no-such-peer: kick …"), and Status.ErrorCode: the window translates the
// code and shows the English rest only as detail.
const (
	CodeNoSuchPeer      = "no-such-peer"
	CodeNoSuchRoom      = "no-such-room"
	CodeNotRunning      = "not-running"
	CodeInvalidSettings = "invalid-settings"
	CodeSaveFailed      = "save-failed"
	CodeFixed           = "fixed-by-flag"
	CodeBadRoomName     = "bad-room-name"
	CodeBadClassMode    = "bad-class-mode"
	CodePortBusy        = "port-busy"
	CodeFailed          = "failed"
)

// errNotRunning is returned by the admin methods while the server is stopped.
var errNotRunning = errors.New("the server is not running")

// coded prefixes err's message with code.
func coded(code string, err error) error {
	return fmt.Errorf("%s: %w", code, err)
}
