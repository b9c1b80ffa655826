//go:build !unix

package wspark

// writeNow takes nothing where sockets cannot be written without waiting
// from here (Windows: no non-blocking write on the raw handle): every try
// write is stashed, and the connection's writer sends it. Slower, same
// order and guarantees.
func writeNow(uintptr, []byte) (int, error) { return 0, nil }
