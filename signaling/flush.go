package signaling

// Flusher is a Link that can write a relayed message at once from the
// sender's goroutine (transport.Pump.Flush): the hub queues the message
// without waking the link, and calls Flush after it has released its
// locks, so no I/O happens under a lock. Flush must not block on the
// network; it wakes the link's writer when it cannot write at once.
type Flusher interface {
	Link
	Flush()
}

// maxInlineFlush bounds the recipients a relay collects for flushing on
// the stack; a bigger room's extra recipients are simply woken.
const maxInlineFlush = 8

// pushDeferred queues m like push, but leaves waking the link to the
// caller (flush, once no lock is held) when the link is a Flusher. It
// reports false when the outbox is full. p.mu must be held.
func (p *Peer) pushDeferred(m *Message) (ok bool, f Flusher) {
	if p.gone {
		return true, nil
	}
	if !p.box.push(m) {
		return false, nil
	}
	if fl, isF := p.link.(Flusher); isF {
		return true, fl
	}
	if p.link != nil {
		p.link.Wake()
	}
	return true, nil
}

// deliverToDeferred pushes m to one member and reports whether it fit,
// leaving the link's Flush to the caller.
// r.mu must be held.
func (r *Room) deliverToDeferred(p *Peer, m *Message) (bool, Flusher) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pushDeferred(m)
}

// deliverDeferred is deliver with the links' Flush left to the caller: it
// appends them to flush (up to its capacity; the others are woken). r.mu
// must be held.
func (r *Room) deliverDeferred(m *Message, except *Peer, full []*Peer, flush []Flusher) ([]*Peer, []Flusher) {
	for _, p := range r.members {
		if p == except {
			continue
		}
		p.mu.Lock()
		var ok bool
		if len(flush) < cap(flush) {
			var f Flusher
			ok, f = p.pushDeferred(m)
			if f != nil {
				flush = append(flush, f)
			}
		} else {
			ok = p.push(m)
		}
		p.mu.Unlock()
		if !ok {
			full = append(full, p)
		}
	}
	return full, flush
}

// flushAll flushes the links a relay collected. No lock may be held.
func flushAll(links []Flusher) {
	for _, f := range links {
		f.Flush()
	}
}
