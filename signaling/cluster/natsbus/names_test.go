package natsbus

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"signalbox/internal/testwait"
	"signalbox/signaling"
)

// peerNamed returns the name of peer id in f[key], a list of peers.
func peerNamed(f frame, key, id string) string {
	list, _ := f[key].([]any)
	for _, p := range list {
		if m := p.(map[string]any); m["id"] == id {
			s, _ := m["name"].(string)
			return s
		}
	}
	return ""
}

func nameOf(f frame) string {
	p, _ := f["peer"].(map[string]any)
	s, _ := p["name"].(string)
	return s
}

// seatName is the name the bus of n last saw on peer id's seat in room.
func seatName(n *node, room, id string) (string, uint32) {
	st, _ := n.bus.Room(room)
	for _, m := range st.Members {
		if m.ID == id {
			return m.Name, m.Renames
		}
	}
	return "", 0
}

// A rename on one server reaches the room's peers on the others, as the
// same peer-renamed, once, in order with what the peer sends next; the
// seat's record takes the name, so peers who join later see it.
func TestRenameAcrossServers(t *testing.T) {
	_, ns := threeNodes(t, signaling.Config{RoomCapacity: 4})
	a, b, c := dial(t, ns[0]), dial(t, ns[1]), dial(t, ns[2])
	a.Join("math")
	b.Join("math")
	a.Expect("peer-joined")
	c.Join("math")
	a.Expect("peer-joined")
	b.Expect("peer-joined")

	a.Send(frame{"type": "rename", "name": "Ana María"})
	a.Send(frame{"type": "signal", "to": b.ID, "data": frame{"n": 1}})
	if f := a.Expect("peer-renamed"); peerOf(f) != a.ID || nameOf(f) != "Ana María" || f.Str("room") != "math" {
		t.Errorf("a got %v, want its own peer-renamed", f)
	}
	for _, x := range []*client{b, c} {
		if f := x.Expect("peer-renamed"); peerOf(f) != a.ID || nameOf(f) != "Ana María" || f.Str("room") != "math" {
			t.Errorf("a peer on another server got %v, want peer-renamed a", f)
		}
	}
	if s := b.Expect("signal"); s.Str("from") != a.ID {
		t.Errorf("b got %v, want a's signal after the rename", s)
	}

	testwait.Until(t, "every server's record of the room has the new name", readTimeout, func() bool {
		for _, n := range ns {
			if name, renames := seatName(n, "math", a.ID); name != "Ana María" || renames != 1 {
				return false
			}
		}
		return true
	})
	// The record arriving after the relay announces nothing again.
	a.Send(frame{"type": "signal", "to": b.ID, "data": frame{"n": 2}})
	if s := b.Expect("signal"); s.Str("from") != a.ID {
		t.Errorf("b got %v, want a's second signal and no second peer-renamed", s)
	}
	c.Send(frame{"type": "ping"})
	c.Expect("pong")

	d := dial(t, ns[1])
	if f := d.Join("math"); peerNamed(f, "peers", a.ID) != "Ana María" {
		t.Errorf("d joined %v, want a listed as Ana María", f)
	}
	b.Expect("peer-joined")
	snap := ns[2].hub.Snapshot()
	for _, r := range snap.Rooms {
		for _, p := range r.Peers {
			if p.ID == a.ID && p.Name != "Ana María" {
				t.Errorf("server 3's window shows a as %q", p.Name)
			}
		}
	}

	// A rename only the room's record carries (its relay lost) still
	// reaches the peers of another server, once.
	st, _ := ns[1].bus.Room("math")
	st.Rev += 1000
	st.Members = slices.Clone(st.Members)
	for i, m := range st.Members {
		if m.ID == a.ID {
			st.Members[i].Name, st.Members[i].Renames = "Ana", m.Renames+1
		}
	}
	ns[1].hub.ApplyRoom(st)
	for _, x := range []*client{b, d} {
		if f := x.Expect("peer-renamed"); peerOf(f) != a.ID || nameOf(f) != "Ana" {
			t.Errorf("got %v, want peer-renamed a to Ana from the record", f)
		}
	}
	ns[1].hub.ApplyRoom(st) // the same state again: nothing
	b.Send(frame{"type": "ping"})
	b.Expect("pong")
}

// joinClass joins class with overflow and returns the room c was seated in.
func joinClass(c *client, class string) string {
	c.T.Helper()
	c.Send(frame{"type": "join", "room": class, "overflow": true})
	f := c.Expect("joined")
	if f.Str("class") != class {
		c.T.Errorf("joined %v, want class %q", f, class)
	}
	c.Token = f.Str("token")
	return f.Str("room")
}

// A class address fills its rooms in order over every server: pairs into
// math, math · 2, …; a freed seat is taken first; a room named like the
// class's by hand and a locked room are passed over.
func TestClassOverflowAcrossServers(t *testing.T) {
	_, ns := threeNodes(t, signaling.Config{})
	var got []string
	for i := range 6 {
		got = append(got, joinClass(dial(t, ns[i%3]), "math"))
	}
	want := []string{"math", "math", "math · 2", "math · 2", "math · 3", "math · 3"}
	if !slices.Equal(got, want) {
		t.Fatalf("students seated in %q, want %q", got, want)
	}
	testwait.Until(t, "every server lists three full rooms of class math", readTimeout, func() bool {
		for _, n := range ns {
			rs := n.hub.Rooms()
			if len(rs) != 3 {
				return false
			}
			for _, r := range rs {
				if r.Class != "math" || r.Peers != 2 || r.Capacity != 2 {
					return false
				}
			}
		}
		return true
	})

	// A room named like the class's fourth by hand, and the fifth locked.
	x := dial(t, ns[2])
	x.Join("math · 4")
	y := dial(t, ns[0])
	if r := joinClass(y, "math"); r != "math · 5" {
		t.Fatalf("seventh student seated in %q, want math · 5 (math · 4 is not the class's)", r)
	}
	if err := ns[1].hub.LockRoom("math · 5", true); err != nil {
		t.Fatal(err)
	}
	testwait.Until(t, "server 1 sees math · 5 locked", readTimeout, func() bool {
		st, _ := ns[1].bus.Room("math · 5")
		return st.Locked
	})
	if r := joinClass(dial(t, ns[1]), "math"); r != "math · 6" {
		t.Errorf("student after the lock seated in %q, want math · 6", r)
	}

	// A seat freed in math · 2 is the next one taken, from any server.
	var leaver *client
	for _, n := range ns {
		for _, r := range n.hub.Snapshot().Rooms {
			if r.Name != "math · 2" {
				continue
			}
			for _, p := range r.Peers {
				if p.Server == "" && leaver == nil {
					leaver = &client{ID: p.ID}
				}
			}
		}
	}
	if leaver == nil {
		t.Fatal("no local peer of math · 2 found")
	}
	kicked := leaver.ID
	if err := ns[2].hub.Kick(kicked); err != nil {
		t.Fatal(err)
	}
	testwait.Until(t, "every server sees the seat in math · 2 free", readTimeout, func() bool {
		for _, n := range ns {
			if st, _ := n.bus.Room("math · 2"); len(st.Members) != 1 {
				return false
			}
		}
		return true
	})
	if r := joinClass(dial(t, ns[2]), "math"); r != "math · 2" {
		t.Errorf("student after a kick seated in %q, want math · 2", r)
	}
}

// Students arriving at once on three servers through one class address
// never overfill a room: 90 students into pairs fill 45 rooms exactly.
func TestConcurrentClassJoinsExact(t *testing.T) {
	_, ns := threeNodes(t, signaling.Config{ResumeGrace: time.Minute})
	const students = 90
	var wg sync.WaitGroup
	errs := make([]error, students)
	peers := make([]*signaling.Peer, students)
	for i := range students {
		p, err := ns[i%3].hub.Connect(signaling.ConnInfo{Transport: "test"}, link{})
		if err != nil {
			t.Fatal(err)
		}
		peers[i] = p
		wg.Go(func() { errs[i] = ns[i%3].hub.JoinWith(p, "bio", signaling.JoinOptions{Overflow: true}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("student %d: %v", i, err)
		}
	}
	seats := map[string]int{}
	for _, p := range peers {
		seats[p.RoomName()]++
	}
	for n := 1; n <= students/2; n++ {
		name := fmt.Sprintf("bio · %d", n)
		if n == 1 {
			name = "bio"
		}
		if seats[name] != 2 {
			t.Errorf("%s seats %d students, want 2 (all: %v)", name, seats[name], seats)
		}
	}
	if len(seats) != students/2 {
		t.Errorf("students spread over %d rooms, want %d: %v", len(seats), students/2, seats)
	}
	for _, st := range ns[0].bus.Rooms() {
		if len(st.Members) > 2 || st.Class != "bio" {
			t.Errorf("record of %s: %d members, class %q", st.Name, len(st.Members), st.Class)
		}
	}
	if err := errors.Join(errs...); err != nil {
		t.Logf("errors: %v", err)
	}
}
