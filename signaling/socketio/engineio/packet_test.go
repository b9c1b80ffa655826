package engineio

import (
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestDecodePacket(t *testing.T) {
	tests := []struct {
		in      string
		want    packet
		wantErr error
	}{
		{in: "0", want: packet{typ: packetOpen}},
		{in: "1", want: packet{typ: packetClose}},
		{in: "2", want: packet{typ: packetPing}},
		{in: "2probe", want: packet{typ: packetPing, data: "probe"}},
		{in: "3", want: packet{typ: packetPong}},
		{in: "3probe", want: packet{typ: packetPong, data: "probe"}},
		{in: "4hello", want: packet{typ: packetMessage, data: "hello"}},
		{in: "4€€€", want: packet{typ: packetMessage, data: "€€€"}},
		{in: "4", want: packet{typ: packetMessage}},
		{in: `42["message",{"type":"offer"}]`, want: packet{typ: packetMessage, data: `2["message",{"type":"offer"}]`}},
		{in: "5", want: packet{typ: packetUpgrade}},
		{in: "6", want: packet{typ: packetNoop}},
		{in: "", wantErr: errEmptyPacket},
		{in: "7", wantErr: errUnknownPacket},
		{in: "abc", wantErr: errUnknownPacket},
		{in: "/4", wantErr: errUnknownPacket},
		{in: "bAQIDBA==", want: packet{typ: packetMessage, data: "\x01\x02\x03\x04", binary: true}},
		{in: "b", want: packet{typ: packetMessage, binary: true}},
		{in: "beA==", want: packet{typ: packetMessage, data: "x", binary: true}},
		{in: "b!!", wantErr: errBadBase64},
		{in: "bAQ", wantErr: errBadBase64},     // no padding
		{in: "bAR==", wantErr: errBadBase64},   // non-zero trailing bits
		{in: "bAQID\n", wantErr: errBadBase64}, // a line break
		{in: "4\xff\xfe", wantErr: errInvalidUTF8},
	}
	for _, tc := range tests {
		got, err := decodePacket(tc.in)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("decodePacket(%q) error = %v, want %v", tc.in, err, tc.wantErr)
			continue
		}
		if got != tc.want {
			t.Errorf("decodePacket(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestDecodePayload(t *testing.T) {
	tests := []struct {
		in      string
		want    []packet
		wantErr error
	}{
		{in: "4hello", want: []packet{{typ: packetMessage, data: "hello"}}},
		{in: "4hello\x1e2\x1e4world", want: []packet{{typ: packetMessage, data: "hello"}, {typ: packetPing}, {typ: packetMessage, data: "world"}}},
		{in: "4test1\x1e4test2\x1e4test3", want: []packet{{typ: packetMessage, data: "test1"}, {typ: packetMessage, data: "test2"}, {typ: packetMessage, data: "test3"}}},
		{in: "3\x1e1", want: []packet{{typ: packetPong}, {typ: packetClose}}},
		{in: "", wantErr: errEmptyPacket},
		{in: "4a\x1e", wantErr: errEmptyPacket},
		{in: "\x1e4a", wantErr: errEmptyPacket},
		{in: "4a\x1e\x1e4b", wantErr: errEmptyPacket},
		{in: "4hello\x1ebAQIDBA==", want: []packet{{typ: packetMessage, data: "hello"}, {typ: packetMessage, data: "\x01\x02\x03\x04", binary: true}}},
		{in: "4hello\x1eb=", wantErr: errBadBase64},
		{in: "4ok\x1eabc", wantErr: errUnknownPacket},
		{in: "6:4hello", want: []packet{{typ: packetNoop, data: ":4hello"}}}, // a protocol v3 payload reads as a noop, as in the reference parser
		{in: "9:4hello", wantErr: errUnknownPacket},
	}
	for _, tc := range tests {
		got, err := decodePayload(tc.in)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("decodePayload(%q) error = %v, want %v", tc.in, err, tc.wantErr)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("decodePayload(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestEncodePayload(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"4hello"}, "4hello"},
		{[]string{"4hello", "2", "4world"}, "4hello\x1e2\x1e4world"},
		{[]string{"2", "1"}, "2\x1e1"},
		{[]string{"4a", queuedBinary([]byte{1, 2, 3, 4}), queuedBinary(nil), queuedBinary([]byte("\x1e"))}, "4a\x1ebAQIDBA==\x1eb\x1ebHg=="},
	}
	for _, tc := range tests {
		if got := encodePayload(tc.in); got != tc.want {
			t.Errorf("encodePayload(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzDecodePacket checks that decoding never panics and that an accepted
// packet encodes back to exactly its input.
func FuzzDecodePacket(f *testing.F) {
	for _, s := range []string{"", "0", "2probe", "4hello", "4€", "6", "7", "b", "bAQID", "4\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := decodePacket(s)
		if err != nil {
			return
		}
		if p.typ < packetOpen || p.typ > packetNoop {
			t.Fatalf("decodePacket(%q) type %q out of range", s, p.typ)
		}
		got := p.encode()
		if p.binary {
			got = "b" + base64.StdEncoding.EncodeToString([]byte(p.data))
		}
		if got != s {
			t.Fatalf("decodePacket(%q) re-encodes to %q", s, got)
		}
	})
}

// FuzzDecodePayload checks that decoding never panics and that an accepted
// payload encodes back to exactly its input, with no separator inside a
// packet.
func FuzzDecodePayload(f *testing.F) {
	for _, s := range []string{"4hello\x1e2\x1e4world", "4a\x1e", "\x1e", "3\x1e1", "4ok\x1ebAQIDBA==", "6:4hello"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		packets, err := decodePayload(s)
		if err != nil {
			return
		}
		encoded := make([]string, len(packets))
		for i, p := range packets {
			if !p.binary && strings.Contains(p.data, recordSeparator) {
				t.Fatalf("decodePayload(%q): packet %d holds the separator", s, i)
			}
			encoded[i] = p.encode()
		}
		if got := encodePayload(encoded); got != s {
			t.Fatalf("decodePayload(%q) re-encodes to %q", s, got)
		}
	})
}
