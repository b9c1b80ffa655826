package loadtest

import (
	"bytes"
	"errors"
	"strconv"
)

// DefaultPayloadSize is the size of one relayed payload in bytes: about an
// ICE candidate message.
const DefaultPayloadSize = 300

// payloadMarker starts every payload, so a receiver finds it inside any
// protocol's frame without decoding the frame.
var payloadMarker = []byte(`{"lt":"`)

// errBadPayload is returned for a relayed frame that holds no valid payload.
var errBadPayload = errors.New("malformed payload")

// stamp is what a payload says about itself.
type stamp struct {
	Room   string // the pair's room id
	Sender int    // 0 or 1: which peer of the pair sent it
	Seq    uint64 // counts from 1 per sender
	SentAt int64  // Unix nanoseconds
}

// appendPayload appends a JSON object of exactly size bytes (when size is
// large enough) carrying s, shaped like a trickled ICE candidate.
func appendPayload(dst []byte, s stamp, size int) []byte {
	start := len(dst)
	dst = append(dst, payloadMarker...)
	dst = append(dst, s.Room...)
	dst = append(dst, `","f":`...)
	dst = strconv.AppendInt(dst, int64(s.Sender), 10)
	dst = append(dst, `,"s":`...)
	dst = strconv.AppendUint(dst, s.Seq, 10)
	dst = append(dst, `,"t":`...)
	dst = strconv.AppendInt(dst, s.SentAt, 10)
	dst = append(dst, `,"candidate":"candidate:842163049 1 udp 1677729535 192.168.1.23 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag `...)
	pad := size - (len(dst) - start) - len(`"}`)
	for i := 0; i < pad; i++ {
		dst = append(dst, 'a'+byte(i%26))
	}
	return append(dst, `"}`...)
}

// parsePayload finds the payload inside frame and reads its stamp.
func parsePayload(frame []byte) (stamp, error) {
	var s stamp
	i := bytes.Index(frame, payloadMarker)
	if i < 0 {
		return s, errBadPayload
	}
	b := frame[i+len(payloadMarker):]
	end := bytes.IndexByte(b, '"')
	if end < 0 {
		return s, errBadPayload
	}
	s.Room = string(b[:end])
	b = b[end+1:]
	f, b, ok := field(b, `,"f":`)
	if !ok {
		return s, errBadPayload
	}
	seq, b, ok := field(b, `,"s":`)
	if !ok {
		return s, errBadPayload
	}
	t, _, ok := field(b, `,"t":`)
	if !ok {
		return s, errBadPayload
	}
	s.Sender, s.Seq, s.SentAt = int(f), uint64(seq), int64(t)
	return s, nil
}

// field reads the decimal number after prefix at the start of b.
func field(b []byte, prefix string) (int64, []byte, bool) {
	if !bytes.HasPrefix(b, []byte(prefix)) {
		return 0, b, false
	}
	b = b[len(prefix):]
	n, i := int64(0), 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	if i == 0 {
		return 0, b, false
	}
	return n, b[i:], true
}
