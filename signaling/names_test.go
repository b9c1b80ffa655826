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

func TestConfigValidation(t *testing.T) {
	for _, c := range []Config{{RoomCapacity: -1}, {RoomCapacity: MaxRoomCapacity + 1}, {PingInterval: 10, PongTimeout: 5}} {
		if _, err := c.withDefaults(); err == nil {
			t.Errorf("withDefaults(%+v) accepted", c)
		}
	}
}
