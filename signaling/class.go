package signaling

import (
	"errors"
	"fmt"
)

// ClassMode says how one address on the board seats a class: the students
// who join a room with JoinOptions.Overflow fill its seats, and when it is
// full they are seated in the class's next room ("math · 2", "math · 3"…),
// so opening the address always leads into a call.
type ClassMode string

// The class modes.
const (
	// ModePairs seats students two by two: the tutorial's 1:1 call for
	// everyone.
	ModePairs ClassMode = "pairs"
	// ModeGroup seats students in one mesh call up to the group size, then
	// the next group.
	ModeGroup ClassMode = "group"
)

// maxClassRooms bounds the rooms one class address spreads over; with
// pairs that is 1,000 students behind one address.
const maxClassRooms = 500

// Class is how one class address seats its students.
type Class struct {
	// Name is the room name on the board.
	Name string `json:"name"`
	// Mode is pairs or group.
	Mode ClassMode `json:"mode"`
	// Size is the seats per room: 2 for pairs, the group size for group.
	Size int `json:"size"`
}

// subRoomName is the name of a class's n-th room (n ≥ 2); the first is the
// class's own name.
func subRoomName(class string, n int) string {
	if n <= 1 {
		return class
	}
	return fmt.Sprintf("%s · %d", class, n)
}

// classOf returns how class seats students: what the window chose, or the
// default: pairs when rooms hold 2 (the tutorial's rule), else groups of
// the room capacity. h.mu must be held.
func (h *Hub) classOf(class string) Class {
	if c, ok := h.classes[class]; ok {
		return c
	}
	if h.cfg.RoomCapacity <= 2 {
		return Class{Name: class, Mode: ModePairs, Size: 2}
	}
	return Class{Name: class, Mode: ModeGroup, Size: h.cfg.RoomCapacity}
}

// Class returns how the class address class seats its students.
func (h *Hub) Class(class string) Class {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.classOf(class)
}

// ErrBadClassMode is SetClass's error for an unknown mode or a size out of
// range.
var ErrBadClassMode = errors.New("class mode must be pairs, or group with a size between 2 and 32")

// SetClass chooses how the class address name seats students from now on:
// pairs, or groups of size (2..MaxRoomCapacity). Rooms of the class that
// are open take the new size at once (students already seated stay).
func (h *Hub) SetClass(name string, mode ClassMode, size int) error {
	name, err := RoomName(name)
	if err != nil {
		return err
	}
	switch {
	case mode == ModePairs:
		size = 2
	case mode == ModeGroup && size >= 2 && size <= MaxRoomCapacity:
	default:
		return fmt.Errorf("class %q: %q of %d: %w", name, mode, size, ErrBadClassMode)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.classes[name] = Class{Name: name, Mode: mode, Size: size}
	for _, r := range h.rooms {
		if r.class == name || r.name == name {
			r.mu.Lock()
			r.capacity = size
			r.class = name
			r.mu.Unlock()
		}
	}
	h.emit(Event{Kind: EventClassChanged, Room: name, Count: size, Detail: string(mode)})
	return nil
}

// pickClassRoom returns the room of class where a student joining with
// Overflow sits: the first of the class's rooms, in order, that is open
// and has a free seat, or the first name not yet taken. ok is false when
// every room of the class is taken. h.mu must be held.
func (h *Hub) pickClassRoom(class string) (name string, ok bool) {
	for n := 1; n <= maxClassRooms; n++ {
		name := subRoomName(class, n)
		r := h.rooms[name]
		if r == nil {
			return name, true
		}
		if n > 1 && r.class != class {
			continue // a room someone named so by hand: not the class's
		}
		r.mu.Lock()
		free := !r.locked && len(r.members) < r.capacity
		r.mu.Unlock()
		if free {
			return name, true
		}
	}
	return "", false
}

// JoinError is the error of a join the hub refused, with what the window's
// log says about it: who asked, for which room, and how full it was.
type JoinError struct {
	Room     string // the room asked for
	Name     string // the name the peer asked to join under
	Members  int    // peers in the room at the time
	Capacity int    // seats of the room
	Err      error  // what went wrong, wrapping a sentinel (ErrRoomFull, …)
}

func (e *JoinError) Error() string {
	if e.Capacity > 0 {
		return fmt.Sprintf("join %q (%d of %d): %v", e.Room, e.Members, e.Capacity, e.Err)
	}
	return e.Err.Error()
}

// Unwrap returns the sentinel.
func (e *JoinError) Unwrap() error { return e.Err }
