package wspark

// parkedBufferSizes returns the read buffer sizes of the parked
// connections, read under the poller's lock: a parked connection's buffer
// is touched again only after the poller has let it go under that lock.
func (p *Poller) parkedBufferSizes() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var sizes []int
	for _, c := range p.parked {
		sizes = append(sizes, c.br.Size())
	}
	return sizes
}
