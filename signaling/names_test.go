package signaling

import (
	"errors"
	"strings"
	"testing"
)

func TestRoomName(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"math", "math", true},
		{"  math  ", "math", true},
		{"Cafe\u0301", "Café", true}, // NFC
		{"数学课", "数学课", true},
		{strings.Repeat("é", 64), strings.Repeat("é", 64), true},
		{strings.Repeat("x", 65), "", false},
		{"", "", false},
		{"   ", "", false},
		{"a\nb", "", false},
		{"a\u200bb", "", false}, // zero-width space: a format character
		{"a\xffb", "", false},
		{"\u3164", "", false},     // Hangul filler: looks like no name
		{"math\u3164", "", false}, // looks like "math"
		{"\u2800", "", false},     // blank Braille pattern
		{"\u115F\u1160", "", false},
		{"\uFFA0", "", false},
		{"\u2003\u3000", "", false}, // only spaces
		{"数学\u3000课", "数学\u3000课", true},
		{"\u2801", "\u2801", true}, // a Braille dot draws something
	}
	for _, tt := range tests {
		got, err := RoomName(tt.in)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("RoomName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if !tt.ok && !errors.Is(err, ErrBadRoomName) {
			t.Errorf("RoomName(%q) = %q, %v; want ErrBadRoomName", tt.in, got, err)
		}
	}
}

func TestDisplayName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ana", "Ana"},
		{"  Ana   Lee ", "Ana Lee"},
		{"A\x00n\u202ea", "Ana"},
		{strings.Repeat("z", 40), strings.Repeat("z", MaxDisplayNameLen)},
		{"\t\n", ""},
		{"bad\xffutf8", "badutf8"},
	}
	for _, tt := range tests {
		if got := DisplayName(tt.in); got != tt.want {
			t.Errorf("DisplayName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if n := FriendlyName(); len(strings.Fields(n)) != 2 {
		t.Errorf("FriendlyName() = %q, want two words", n)
	}
}

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

func TestConfigValidation(t *testing.T) {
	for _, c := range []Config{{RoomCapacity: -1}, {RoomCapacity: MaxRoomCapacity + 1}, {PingInterval: 10, PongTimeout: 5}} {
		if _, err := c.withDefaults(); err == nil {
			t.Errorf("withDefaults(%+v) accepted", c)
		}
	}
}
