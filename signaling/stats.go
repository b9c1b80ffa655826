package signaling

import (
	"errors"
	"sync/atomic"
)

// Stats counts what the hub does, for /metrics and the window. Counters
// only grow; gauges come from StatsSnapshot.
type Stats struct {
	connects   atomic.Uint64
	relayed    atomic.Uint64
	dropped    atomic.Uint64
	eventsLost atomic.Uint64
	errors     map[Code]*atomic.Uint64 // fixed at construction: one per code
}

func newStats() *Stats {
	s := &Stats{errors: make(map[Code]*atomic.Uint64, len(AllCodes))}
	for _, c := range AllCodes {
		s.errors[c] = new(atomic.Uint64)
	}
	return s
}

// StatsSnapshot is the hub's counters and gauges at one moment.
type StatsSnapshot struct {
	Peers       int             `json:"peers"`
	Rooms       int             `json:"rooms"`
	Connects    uint64          `json:"connects"`
	Relayed     uint64          `json:"relayed"`
	SlowDropped uint64          `json:"slowDropped"`
	EventsLost  uint64          `json:"eventsLost"`
	Errors      map[Code]uint64 `json:"errors"`
}

// Stats returns the hub's counters and gauges.
func (h *Hub) Stats() StatsSnapshot {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.statsLocked()
}

func (h *Hub) statsLocked() StatsSnapshot {
	s := h.stats
	out := StatsSnapshot{
		Peers: len(h.peers), Rooms: len(h.rooms),
		Connects: s.connects.Load(), Relayed: s.relayed.Load(),
		SlowDropped: s.dropped.Load(), EventsLost: s.eventsLost.Load(),
		Errors: make(map[Code]uint64, len(s.errors)),
	}
	for c, n := range s.errors {
		out.Errors[c] = n.Load()
	}
	return out
}

// countError counts a client-caused error under its code and tells
// observers. Errors without a code are internal and not counted here.
func (h *Hub) countError(p *Peer, err error) {
	c, ok := CodeOf(err)
	if !ok {
		return
	}
	if n := h.stats.errors[c]; n != nil {
		n.Add(1)
	}
	ev := Event{Kind: EventError, Code: c, Peer: p.id, Room: p.RoomName(), Name: p.Info().Name}
	var je *JoinError
	if errors.As(err, &je) {
		ev.Room, ev.Count, ev.Capacity = je.Room, je.Members, je.Capacity
		if je.Name != "" {
			ev.Name = je.Name
		}
	}
	h.emit(ev)
}
