package mdns

import "errors"

// Errors returned by this package. They are wrapped with context; test for
// them with errors.Is.
var (
	// ErrConfig means the Config (or the addresses given to Update) cannot be
	// advertised: a name too long, no address, no interface, a bad TXT value.
	ErrConfig = errors.New("mdns: invalid config")
	// ErrAdvertise means zeroconf or the host-name responder could not start,
	// usually because no chosen interface accepts multicast.
	ErrAdvertise = errors.New("mdns: cannot advertise")
	// ErrStarted is returned by Start on an Advertiser that is already started.
	ErrStarted = errors.New("mdns: advertiser already started")
	// ErrNotStarted is returned by Update on an Advertiser that is not started.
	ErrNotStarted = errors.New("mdns: advertiser not started")
	// ErrBrowse means Discover could not open a multicast socket on any of
	// the interfaces.
	ErrBrowse = errors.New("mdns: cannot browse")
	// ErrNoInterfaces means no interface is up, multicast-capable and not
	// loopback, so there is nowhere to browse.
	ErrNoInterfaces = errors.New("mdns: no usable network interface")
)
