//go:build !linux

package wspark

// parkedBufferSizes returns nothing: nothing parks here.
func (*Poller) parkedBufferSizes() []int { return nil }
