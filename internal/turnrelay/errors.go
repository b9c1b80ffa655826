package turnrelay

import "errors"

// Errors returned by Start. Test with errors.Is.
var (
	// ErrNoRelayIP means Config.RelayIP is unset and ListenIP is not a
	// specific IPv4 address to use instead, or RelayIP is not IPv4.
	ErrNoRelayIP = errors.New("turnrelay: no IPv4 relay address")
	// ErrBadConfig means a Config field is out of range.
	ErrBadConfig = errors.New("turnrelay: bad config")
)
