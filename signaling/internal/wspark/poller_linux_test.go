package wspark

// parkedBufferSizes returns the read buffer sizes of the parked
// connections, read under each shard's lock: a shard's round ends under
// it, so what a round did to a connection is seen here.
func (p *Poller) parkedBufferSizes() []int {
	var sizes []int
	for _, s := range p.shards {
		s.mu.Lock()
		for _, c := range s.watched {
			sizes = append(sizes, c.br.Size())
		}
		s.mu.Unlock()
	}
	return sizes
}
