package signaling

import (
	"sync"
	"time"
)

// EventKind names a change in the hub, for observers such as the window.
type EventKind string

// The events.
const (
	EventPeerConnected    EventKind = "peer-connected"
	EventPeerDisconnected EventKind = "peer-disconnected"
	EventPeerJoined       EventKind = "peer-joined"
	EventPeerLeft         EventKind = "peer-left"
	EventPeerAway         EventKind = "peer-away" // connection lost, seat kept for the grace period
	EventPeerBack         EventKind = "peer-back" // resumed within the grace period
	EventRoomOpened       EventKind = "room-opened"
	EventRoomClosed       EventKind = "room-closed"
	EventRoomLocked       EventKind = "room-locked"
	EventRoomUnlocked     EventKind = "room-unlocked"
	EventPeerRenamed      EventKind = "peer-renamed"  // Name is the new name, Detail the old one
	EventClassChanged     EventKind = "class-changed" // Room's class mode is Detail, its size Count
	EventError            EventKind = "error"         // a client caused an error
)

// Event is one change in the hub.
type Event struct {
	Kind   EventKind `json:"kind"`
	Time   time.Time `json:"time"`
	Room   string    `json:"room,omitempty"`
	Peer   string    `json:"peer,omitempty"`
	Reason Reason    `json:"reason,omitempty"`
	Code   Code      `json:"code,omitempty"`
	// Name is the peer's name at the time (for an error on join, the name
	// it asked to join under), so a log can say who without a lookup.
	Name string `json:"name,omitempty"`
	// Class is the class address a room belongs to, when it does.
	Class string `json:"class,omitempty"`
	// Count and Capacity: for room-full, how many were in the room and
	// how many it holds; for class-changed, Count is the seats per room.
	Count    int `json:"count,omitempty"`
	Capacity int `json:"capacity,omitempty"`
	// Detail is more about the event: the class mode for class-changed.
	Detail string `json:"detail,omitempty"`
}

// subscribers fans events out to observers without ever blocking the hub:
// an observer whose channel is full misses events and is told so by
// Lagged, and should take a new Snapshot.
type subscribers struct {
	mu     sync.Mutex
	chans  map[chan Event]*subscription
	closed bool
}

type subscription struct{ lagged bool }

// Subscribe returns a channel of hub events with room for buffer of them,
// and a function that ends the subscription. The channel is closed when
// the subscription ends or the hub shuts down.
func (h *Hub) Subscribe(buffer int) (<-chan Event, func()) {
	ch := make(chan Event, buffer)
	s := &h.subs
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		close(ch)
		return ch, func() {}
	}
	if s.chans == nil {
		s.chans = map[chan Event]*subscription{}
	}
	s.chans[ch] = &subscription{}
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.chans[ch]; ok {
			delete(s.chans, ch)
			close(ch)
		}
	}
}

func (h *Hub) emit(ev Event) {
	ev.Time = h.now()
	s := &h.subs
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch, sub := range s.chans {
		select {
		case ch <- ev:
		default:
			sub.lagged = true
			h.stats.eventsLost.Add(1)
		}
	}
}

func (s *subscribers) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for ch := range s.chans {
		close(ch)
	}
	s.chans = nil
}
