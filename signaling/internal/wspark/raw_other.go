//go:build !unix

package wspark

import "errors"

// writeNow takes nothing where sockets cannot be written without waiting
// from here (Windows: no non-blocking write on the raw handle): every try
// write is stashed, and the connection's writer sends it. Slower, same
// order and guarantees.
func writeNow(uintptr, []byte) (int, error) { return 0, nil }

// readNow is never called here: nothing parks where the poller is absent.
func readNow(int, []byte) (int, error) { return 0, errors.ErrUnsupported }

// shutRead, shutBoth and closeFD are never called here: nothing is owned.
func shutRead(int) error { return errors.ErrUnsupported }
func shutBoth(int) error { return errors.ErrUnsupported }
func closeFD(int) error  { return errors.ErrUnsupported }
