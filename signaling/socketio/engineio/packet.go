package engineio

import (
	"encoding/base64"
	"errors"
	"strings"
	"unicode/utf8"
)

// packetType is the first character of an encoded Engine.IO packet.
type packetType byte

// The Engine.IO v4 packet types.
const (
	packetOpen    packetType = '0' // server → client, handshake data
	packetClose   packetType = '1' // either side: the session ends
	packetPing    packetType = '2' // server → client heartbeat; "2probe" from the client during an upgrade
	packetPong    packetType = '3' // client → server heartbeat answer; "3probe" from the server
	packetMessage packetType = '4' // either side: application data
	packetUpgrade packetType = '5' // client → server: switch to the probed WebSocket
	packetNoop    packetType = '6' // server → client: ends a pending poll during an upgrade
)

// recordSeparator joins packets in a polling payload (protocol v4).
const recordSeparator = "\x1e"

// binaryPrefix starts a binary message packet where only text can go: in a
// polling payload it is followed by the data in standard base64 (protocol
// v4). In a session's queue it is followed by the raw bytes, which a
// WebSocket sends as one binary frame and polling turns into base64.
const binaryPrefix = 'b'

// probe is the data of the ping and pong that test a WebSocket before an
// upgrade.
const probe = "probe"

// Encoded control packets the server sends.
const (
	encodedClose = string(packetClose)
	encodedPing  = string(packetPing)
	encodedNoop  = string(packetNoop)
)

// Errors of the packet codec; each one closes the session as a parse error.
var (
	errEmptyPacket   = errors.New("engineio: empty packet")
	errUnknownPacket = errors.New("engineio: unknown packet type")
	errBadBase64     = errors.New("engineio: binary packet is not valid base64")
	errInvalidUTF8   = errors.New("engineio: packet is not valid UTF-8")
)

// packet is one decoded Engine.IO packet.
type packet struct {
	typ  packetType
	data string
	// binary marks a message packet whose data is bytes ("b" + base64 in
	// a payload, or a binary WebSocket frame).
	binary bool
}

// encode returns the packet as it waits in a session's queue: the type,
// then the data; a binary message as queuedBinary makes it.
func (p packet) encode() string {
	if p.binary {
		return queuedBinary([]byte(p.data))
	}
	return string(p.typ) + p.data
}

// decodePacket parses one text packet: a type and its data, or a binary
// message as "b" and standard base64 (which the reference client sends in
// polling payloads, and which the reference server also takes in a text
// WebSocket frame).
func decodePacket(s string) (packet, error) {
	if s == "" {
		return packet{}, errEmptyPacket
	}
	if s[0] == binaryPrefix {
		// Strict, and no line breaks (which the decoder would skip): one
		// encoding for given bytes, as the reference client writes it.
		b, err := base64.StdEncoding.Strict().DecodeString(s[1:])
		if err != nil || strings.ContainsAny(s, "\r\n") {
			return packet{}, errBadBase64
		}
		return packet{typ: packetMessage, data: string(b), binary: true}, nil
	}
	if !utf8.ValidString(s) {
		return packet{}, errInvalidUTF8
	}
	t := packetType(s[0])
	if t < packetOpen || t > packetNoop {
		return packet{}, errUnknownPacket
	}
	return packet{typ: t, data: s[1:]}, nil
}

// queuedBinary is how a binary message waits in a session's queue: the
// prefix, then the raw bytes.
func queuedBinary(data []byte) string {
	return string(binaryPrefix) + string(data)
}

// isBinary reports whether a queued packet is a binary message.
func isBinary(queued string) bool {
	return queued != "" && queued[0] == binaryPrefix
}

// decodePayload parses a polling payload: packets joined by the record
// separator. It refuses the whole payload if any packet is malformed, so
// nothing from a bad payload reaches the Handler.
func decodePayload(s string) ([]packet, error) {
	packets := make([]packet, 0, strings.Count(s, recordSeparator)+1)
	for {
		head, rest, more := strings.Cut(s, recordSeparator)
		p, err := decodePacket(head)
		if err != nil {
			return nil, err
		}
		packets = append(packets, p)
		if !more {
			return packets, nil
		}
		s = rest
	}
}

// encodePayload joins queued packets into one polling payload, binary
// messages in base64.
func encodePayload(queued []string) string {
	var n int
	for _, q := range queued {
		n += len(q) + 1
		if isBinary(q) {
			n += base64.StdEncoding.EncodedLen(len(q)) - len(q)
		}
	}
	var b strings.Builder
	b.Grow(n)
	for i, q := range queued {
		if i > 0 {
			b.WriteString(recordSeparator)
		}
		if !isBinary(q) {
			b.WriteString(q)
			continue
		}
		b.WriteByte(binaryPrefix)
		enc := base64.NewEncoder(base64.StdEncoding, &b)
		_, _ = enc.Write([]byte(q[1:])) // a strings.Builder never fails
		_ = enc.Close()
	}
	return b.String()
}
