package signaling

import "testing"

func TestOutbox(t *testing.T) {
	o := newOutbox(4, 4)
	msgs := make([]*Message, 10)
	for i := range msgs {
		msgs[i] = &Message{Kind: KindFrame}
	}
	for i := range 4 {
		if !o.push(msgs[i]) {
			t.Fatalf("push %d refused below the bound", i)
		}
	}
	if o.push(msgs[4]) {
		t.Fatal("push beyond 4 pending accepted")
	}
	got := o.take(make([]Entry, 0, 3))
	if len(got) != 3 || got[0].Seq != 1 || got[2].Seq != 3 {
		t.Fatalf("take = %+v, want seq 1..3", got)
	}
	// Written entries are history and give way to new ones.
	for i := 4; i < 7; i++ {
		if !o.push(msgs[i]) {
			t.Fatalf("push %d refused although history could give way", i)
		}
	}
	if o.pending() != 4 {
		t.Fatalf("pending = %d, want 4", o.pending())
	}
	rest := o.take(nil)
	if len(rest) != 4 || rest[0].Seq != 4 || rest[3].Seq != 7 {
		t.Fatalf("take = %+v, want seq 4..7", rest)
	}
	if lost := o.rewind(5); lost != 0 || o.pending() != 2 {
		t.Errorf("rewind(5) lost %d pending %d, want 0 and 2", lost, o.pending())
	}
	o.take(nil)
	if lost := o.rewind(1); lost != 2 || o.pending() != 4 {
		t.Errorf("rewind(1) lost %d pending %d, want 2 (seq 2, 3 evicted) and 4", lost, o.pending())
	}
	o.take(nil)
	if lost := o.rewind(99); lost != 0 || o.pending() != 0 {
		t.Errorf("rewind beyond the end lost %d pending %d, want 0 and 0", lost, o.pending())
	}
}

// History keeps only the last keep written messages, and with keep 0 none:
// a resume then counts everything written as lost.
func TestOutboxHistoryBound(t *testing.T) {
	for _, keep := range []int{0, 2} {
		o := newOutbox(8, keep)
		for range 6 {
			o.push(&Message{Kind: KindFrame})
		}
		o.take(nil)
		held := 0
		for _, m := range o.ring {
			if m != nil {
				held++
			}
		}
		if held != keep {
			t.Errorf("keep %d: ring holds %d written messages", keep, held)
		}
		if lost := o.rewind(0); lost != uint64(6-keep) || o.pending() != keep {
			t.Errorf("keep %d: rewind(0) lost %d pending %d, want %d and %d", keep, lost, o.pending(), 6-keep, keep)
		}
	}
}

// A transient message (the welcome, a pong) is written with its sequence
// number and then forgotten: an idle connection that pings for a lesson
// keeps no pongs, the history keeps the messages a resume needs, a replay
// skips the holes, and the bytes go back to the budget.
func TestOutboxKeepsNoTransient(t *testing.T) {
	b := &budget{maxHistory: 1 << 40, maxPending: 1 << 40}
	o := newOutbox(16, 8)
	o.budget = b
	send := func(m *Message) uint64 {
		t.Helper()
		if !o.push(m) {
			t.Fatal("push refused")
		}
		got := o.take(nil)
		if len(got) != 1 || got[0].Msg != m {
			t.Fatalf("take = %+v, want the message just pushed", got)
		}
		return got[0].Seq
	}
	pong := func() *Message { return &Message{Kind: KindFrame, Frame: []byte(`{"type":"pong"}`), Transient: true} }
	if seq := send(&Message{Kind: KindFrame, Frame: []byte(`{"type":"welcome"}`), Transient: true}); seq != 1 {
		t.Fatalf("welcome seq %d, want 1", seq)
	}
	joined := &Message{Kind: KindJoined, Room: "math", Token: "t"}
	send(joined) // seq 2
	for range 3 {
		send(pong()) // 3, 4, 5
	}
	signal := &Message{Kind: KindSignal, Data: []byte(`{"sdp":"x"}`)}
	send(signal) // 6
	for range 100 {
		send(pong()) // 7 … 106
	}
	held := 0
	for _, m := range o.ring {
		if m != nil {
			held++
			if m.Transient {
				t.Errorf("history holds a transient %s", m.Frame)
			}
		}
	}
	if held != 0 {
		t.Errorf("history holds %d messages after 100 pongs, want none (8 slots, all pongs since)", held)
	}
	if b.history.Load() != 0 || b.pending.Load() != 0 {
		t.Errorf("budget: history %d pending %d bytes, want 0 and 0", b.history.Load(), b.pending.Load())
	}

	// A resume from just before the signal replays it and skips the pongs
	// around it.
	o2 := newOutbox(16, 64)
	o2.push(&Message{Kind: KindFrame, Transient: true})
	o2.push(joined)
	o2.push(pong())
	o2.push(signal)
	o2.push(pong())
	o2.take(nil)
	if lost := o2.rewind(2); lost != 0 {
		t.Fatalf("rewind(2) lost %d, want 0", lost)
	}
	got := o2.take(nil)
	if len(got) != 1 || got[0].Seq != 4 || got[0].Msg != signal {
		t.Fatalf("replay = %+v, want only the signal, seq 4", got)
	}
}
