package signaling

// Entry is one message in a peer's outbox with its sequence number. Seq
// counts from 1 and never repeats for a peer, so a client that reconnects
// can say which message it saw last.
type Entry struct {
	Seq uint64
	Msg *Message
}

// outbox is a peer's bounded queue of messages waiting to be written, plus
// a history of recently written ones that a resume can replay: a write the
// kernel accepted may still be lost when the client's Wi-Fi drops, and the
// server only learns of the drop a pong timeout later.
//
// It is a ring of sequence numbers [base, end): [base, sent) is history,
// [sent, end) is pending. History holds at most keep messages and gives
// way to pending; pending never exceeds max. The ring grows on demand so
// an idle peer costs little. The owning Peer's mutex guards it.
//
// Bytes are bounded too (budget.go): history holds at most keepBytes and
// gives way when all histories pass the hub's budget; pending holds at
// most maxBytes and never passes the hub's budget.
//
// A Transient message (the welcome, a pong) is written with its sequence
// number but not kept: its slot in history is a hole (nil), which a
// replay skips and which a client, keeping the highest number it saw,
// never misses. A browser pings every 10 s; were pongs kept, every idle
// connection of a lesson would hold a full history of them.
type outbox struct {
	ring            []*Message
	max, keep       int
	base, sent, end uint64 // sequence numbers; the ring slot of seq is seq % len(ring)

	budget               *budget // the hub's; nil counts nothing (tests)
	keepBytes, maxBytes  int64
	histBytes, pendBytes int64
}

// initialRing is the first ring size: most peers see a handful of
// messages (joined, a few presence changes) and never need more.
const initialRing = 8

// newOutbox returns an outbox of at most max pending messages that keeps
// the last keep written ones for a resume.
func newOutbox(max, keep int) outbox {
	return outbox{max: max, keep: keep, base: 1, sent: 1, end: 1, keepBytes: 1<<63 - 1, maxBytes: 1<<63 - 1}
}

// push appends m. It reports false, changing nothing, when max messages or
// maxBytes are already pending, or the hub's pending budget is spent: the
// peer is too far behind.
func (o *outbox) push(m *Message) bool {
	c := cost(m)
	if o.pendBytes+c > o.maxBytes {
		return false
	}
	if int(o.end-o.base) == len(o.ring) && len(o.ring) >= o.max && o.sent == o.base {
		return false
	}
	if o.budget != nil && !o.budget.reservePending(c) {
		return false
	}
	if int(o.end-o.base) == len(o.ring) {
		if len(o.ring) < o.max {
			o.grow()
		} else {
			o.dropOldest()
		}
	}
	o.ring[o.end%uint64(len(o.ring))] = m
	o.end++
	o.pendBytes += c
	return true
}

// dropOldest forgets the oldest history slot (a message or a hole); there
// must be one.
func (o *outbox) dropOldest() {
	slot := o.base % uint64(len(o.ring))
	m := o.ring[slot]
	o.ring[slot] = nil
	o.base++
	if m == nil {
		return
	}
	c := cost(m)
	o.histBytes -= c
	if o.budget != nil {
		o.budget.history.Add(-c)
	}
}

func (o *outbox) grow() {
	n := max(initialRing, 2*len(o.ring))
	n = min(n, o.max)
	ring := make([]*Message, n)
	for s := o.base; s < o.end; s++ {
		ring[s%uint64(n)] = o.ring[s%uint64(len(o.ring))]
	}
	o.ring = ring
}

// take appends the pending entries to dst, at most cap(dst)-len(dst) of
// them (all if dst has no room at all), and marks them written.
func (o *outbox) take(dst []Entry) []Entry {
	room := cap(dst) - len(dst)
	for o.sent < o.end {
		slot := o.sent % uint64(len(o.ring))
		m := o.ring[slot]
		if m == nil { // a transient message's hole, replayed: nothing to write
			o.sent++
			continue
		}
		if room == 0 && len(dst) > 0 {
			break
		}
		dst = append(dst, Entry{Seq: o.sent, Msg: m})
		o.sent++
		room--
		c := cost(m)
		o.pendBytes -= c
		if o.budget != nil {
			o.budget.pending.Add(-c)
		}
		if m.Transient {
			o.ring[slot] = nil
			continue
		}
		o.histBytes += c
		if o.budget != nil {
			o.budget.history.Add(c)
		}
	}
	o.forget()
	return dst
}

// forget drops the written messages beyond the keep most recent, beyond
// keepBytes, and while all histories pass the hub's budget, so that they
// can be collected: history is what a resume needs, not a log.
func (o *outbox) forget() {
	for o.sent > o.base && (o.ring[o.base%uint64(len(o.ring))] == nil ||
		o.sent-o.base > uint64(o.keep) || o.histBytes > o.keepBytes ||
		(o.budget != nil && o.budget.overHistory())) {
		o.dropOldest()
	}
}

// dropHistory forgets every written message: the seat they could be
// replayed to is gone (the peer left its room).
func (o *outbox) dropHistory() {
	for o.sent > o.base {
		o.dropOldest()
	}
}

// clear forgets everything, pending included, keeps no history from now
// on, and gives the bytes back to the hub's budget: the peer is gone.
func (o *outbox) clear() {
	o.keep = 0
	o.dropHistory()
	for s := o.sent; s < o.end; s++ {
		o.ring[s%uint64(len(o.ring))] = nil
	}
	if o.budget != nil {
		o.budget.pending.Add(-o.pendBytes)
	}
	o.pendBytes = 0
	o.base, o.sent = o.end, o.end
}

// pending reports how many messages wait to be written.
func (o *outbox) pending() int { return int(o.end - o.sent) }

// rewind makes every message after seq lastSeen pending again, as far as
// history reaches, and returns how many of them history no longer holds.
// A lastSeen beyond what was written is treated as "saw everything written".
func (o *outbox) rewind(lastSeen uint64) (lost uint64) {
	next := lastSeen + 1
	switch {
	case next > o.sent:
		return 0
	case next < o.base:
		lost = o.base - next
		next = o.base
	}
	for s := next; s < o.sent; s++ {
		m := o.ring[s%uint64(len(o.ring))]
		if m == nil {
			continue // a hole: take skips it
		}
		c := cost(m)
		o.histBytes -= c
		o.pendBytes += c
		if o.budget != nil {
			o.budget.history.Add(-c)
			o.budget.pending.Add(c)
		}
	}
	o.sent = next
	return lost
}
