package signaling

import (
	"errors"
	"fmt"
	"testing"
)

// seatOf joins p to the class address class with Overflow and returns the
// room it was seated in.
func seatOf(t *testing.T, h *Hub, p *Peer, class, name string) string {
	t.Helper()
	if err := h.JoinWith(p, class, JoinOptions{Name: name, Overflow: true}); err != nil {
		t.Fatalf("JoinWith(%q, overflow) = %v", class, err)
	}
	return p.RoomName()
}

func TestClassSeatsEveryone(t *testing.T) {
	tests := []struct {
		name     string
		capacity int              // Config.RoomCapacity
		set      func(*Hub) error // the window's choice, or nil for the default
		students int
		want     []string // the room of each student, in order
	}{
		{"default pairs", 2, nil, 5, []string{"math", "math", "math · 2", "math · 2", "math · 3"}},
		{"group default from room size", 3, nil, 4, []string{"math", "math", "math", "math · 2"}},
		{"window chose groups of 4", 2, func(h *Hub) error { return h.SetClass("math", ModeGroup, 4) }, 5,
			[]string{"math", "math", "math", "math", "math · 2"}},
		{"window chose pairs over room size 6", 6, func(h *Hub) error { return h.SetClass("math", ModePairs, 0) }, 3,
			[]string{"math", "math", "math · 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHub(t, Config{RoomCapacity: tt.capacity})
			if tt.set != nil {
				if err := tt.set(h); err != nil {
					t.Fatal(err)
				}
			}
			for i := range tt.students {
				p, _ := connect(t, h)
				if got := seatOf(t, h, p, "math", fmt.Sprint("student ", i)); got != tt.want[i] {
					t.Errorf("student %d seated in %q, want %q", i, got, tt.want[i])
				}
				if m := inbox(p)[0]; m.Kind != KindJoined || m.Class != "math" {
					t.Errorf("student %d got %+v, want joined with class math", i, m)
				}
			}
			for _, r := range h.Snapshot().Rooms {
				if r.Class != "math" {
					t.Errorf("room %q has class %q, want math", r.Name, r.Class)
				}
			}
		})
	}
}

func TestClassFillsGapsAndSkipsLockedAndForeignRooms(t *testing.T) {
	h := newHub(t, Config{})
	var ps []*Peer
	for range 4 {
		p, _ := connect(t, h)
		seatOf(t, h, p, "math", "")
		ps = append(ps, p)
	}
	// A partner leaves pair 1: the next student fills that seat.
	if err := h.Leave(ps[1]); err != nil {
		t.Fatal(err)
	}
	p, _ := connect(t, h)
	if got := seatOf(t, h, p, "math", "Ana"); got != "math" {
		t.Errorf("seated in %q, want the free seat in math", got)
	}
	// Pair 3 exists by hand (not the class's): skipped; pair 2 locked.
	other, _ := connect(t, h)
	join(t, h, other, "math · 3")
	if err := h.LockRoom("math · 2", true); err != nil {
		t.Fatal(err)
	}
	q, _ := connect(t, h)
	if got := seatOf(t, h, q, "math", "Ben"); got != "math · 4" {
		t.Errorf("seated in %q, want math · 4", got)
	}
}

func TestPlainJoinKeepsFull(t *testing.T) {
	// The tutorial's path (no Overflow) still hears "full".
	h := newHub(t, Config{})
	a, _ := connect(t, h)
	b, _ := connect(t, h)
	c, _ := connect(t, h)
	seatOf(t, h, a, "math", "")
	seatOf(t, h, b, "math", "")
	err := h.JoinWith(c, "math", JoinOptions{Name: "Cleo"})
	if !errors.Is(err, ErrRoomFull) {
		t.Fatalf("plain join of a full room = %v, want ErrRoomFull", err)
	}
	if got, want := err.Error(), `join "math" (2 of 2): room is full`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestSetClassChangesOpenRooms(t *testing.T) {
	h := newHub(t, Config{})
	a, _ := connect(t, h)
	seatOf(t, h, a, "math", "")
	events, stop := h.Subscribe(8)
	defer stop()
	if err := h.SetClass("math", ModeGroup, 6); err != nil {
		t.Fatal(err)
	}
	if c := h.Snapshot().Rooms[0].Capacity; c != 6 {
		t.Errorf("capacity after SetClass = %d, want 6", c)
	}
	if ev := <-events; ev.Kind != EventClassChanged || ev.Room != "math" || ev.Detail != "group" || ev.Count != 6 {
		t.Errorf("event = %+v, want class-changed math group 6", ev)
	}
	if got := h.Class("math"); got != (Class{Name: "math", Mode: ModeGroup, Size: 6}) {
		t.Errorf("Class = %+v", got)
	}
	for _, bad := range []struct {
		mode ClassMode
		size int
	}{{ModeGroup, 1}, {ModeGroup, 33}, {"triples", 3}} {
		if err := h.SetClass("math", bad.mode, bad.size); !errors.Is(err, ErrBadClassMode) {
			t.Errorf("SetClass(%q, %d) = %v, want ErrBadClassMode", bad.mode, bad.size, err)
		}
	}
}

func TestRenameTellsTheRoom(t *testing.T) {
	h := newHub(t, Config{})
	a, _ := connect(t, h)
	b, _ := connect(t, h)
	join(t, h, a, "r")
	join(t, h, b, "r")
	inbox(a)
	inbox(b)
	events, stop := h.Subscribe(8)
	defer stop()
	if err := h.Rename(a, "  Ana\tMaria "); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*Peer{a, b} {
		got := inbox(p)
		if len(got) != 1 || got[0].Kind != KindPeerRenamed || got[0].Peer.ID != a.ID() || got[0].Peer.Name != "Ana Maria" {
			t.Errorf("%s got %+v, want peer-renamed Ana Maria", p.ID(), got)
		}
	}
	if ev := <-events; ev.Kind != EventPeerRenamed || ev.Name != "Ana Maria" || ev.Room != "r" {
		t.Errorf("event = %+v", ev)
	}
	if err := h.Rename(a, " \u200b "); !errors.Is(err, ErrBadField) {
		t.Errorf("Rename to blank = %v, want ErrBadField", err)
	}
	lone, _ := connect(t, h)
	if err := h.Rename(lone, "Ben"); err != nil {
		t.Fatal(err)
	}
	if got := inbox(lone); len(got) != 1 || got[0].Kind != KindPeerRenamed || got[0].Peer.Name != "Ben" {
		t.Errorf("a peer in no room got %+v, want its own peer-renamed", got)
	}
}

func TestJoinErrorEventNamesWhoAndWhere(t *testing.T) {
	h := newHub(t, Config{})
	a, _ := connect(t, h)
	b, _ := connect(t, h)
	c, _ := connect(t, h)
	join(t, h, a, "math")
	join(t, h, b, "math")
	events, stop := h.Subscribe(8)
	defer stop()
	err := h.JoinWith(c, "math", JoinOptions{Name: "Ana"})
	c.SendError("join", err)
	ev := <-events
	want := Event{Kind: EventError, Code: CodeRoomFull, Peer: c.ID(), Room: "math", Name: "Ana", Count: 2, Capacity: 2}
	ev.Time = want.Time
	if ev != want {
		t.Errorf("event = %+v, want %+v", ev, want)
	}
}
