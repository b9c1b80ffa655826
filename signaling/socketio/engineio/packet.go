package engineio

import (
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
	errBinaryPacket  = errors.New("engineio: binary packets are not supported")
	errInvalidUTF8   = errors.New("engineio: packet is not valid UTF-8")
)

// packet is one decoded Engine.IO packet.
type packet struct {
	typ  packetType
	data string
}

// encode returns the packet in its wire form: the type, then the data.
func (p packet) encode() string {
	return string(p.typ) + p.data
}

// decodePacket parses one text packet. A base64 binary packet ("b...") is
// refused: this server speaks text only.
func decodePacket(s string) (packet, error) {
	if s == "" {
		return packet{}, errEmptyPacket
	}
	if !utf8.ValidString(s) {
		return packet{}, errInvalidUTF8
	}
	t := packetType(s[0])
	switch {
	case t == 'b':
		return packet{}, errBinaryPacket
	case t < packetOpen || t > packetNoop:
		return packet{}, errUnknownPacket
	}
	return packet{typ: t, data: s[1:]}, nil
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

// encodePayload joins encoded packets into one polling payload.
func encodePayload(encoded []string) string {
	return strings.Join(encoded, recordSeparator)
}
