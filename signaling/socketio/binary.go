package socketio

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"signalbox/signaling"
	"signalbox/signaling/socketio/sioproto"
)

// Binary data crosses the hub, and reaches native peers, as a marker: a
// JSON object with one member, {"_binary":"<standard base64>"}, in place
// of each attachment (docs/socketio.md, "Binary data"). A socket.io
// client's attachments become markers when it sends; markers become
// attachments again for every socket.io recipient, so binary travels
// between socket.io peers as binary, and a native peer may send binary to
// them by writing markers.
const markerKey = "_binary"

// markerNeedle is what every marker holds, to skip data without one
// cheaply.
var markerNeedle = []byte(`"` + markerKey + `"`)

// marker returns the marker for data.
func marker(data []byte) json.RawMessage {
	b := make([]byte, 0, len(`{"":""}`)+len(markerKey)+base64.StdEncoding.EncodedLen(len(data)))
	b = append(b, `{"`+markerKey+`":"`...)
	b = base64.StdEncoding.AppendEncode(b, data)
	return append(b, `"}`...)
}

// unmarker returns the bytes of obj when it is a marker: exactly one
// member, markerKey, whose value is a string of standard base64.
func unmarker(obj []sioproto.Member) ([]byte, bool) {
	if len(obj) != 1 || obj[0].Name != markerKey {
		return nil, false
	}
	var s string
	if json.Unmarshal(obj[0].Value, &s) != nil {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	return b, err == nil
}

// assembly is a binary packet from the client waiting for its
// attachments (read side).
type assembly struct {
	pk    sioproto.Packet
	parts [][]byte
	size  int64 // bytes of the attachments so far
	got   int   // attachments so far, kept or not
}

// attachment takes one binary message from the client: the next
// attachment of the packet being assembled. Once all have come, the
// packet is carried out with markers in place of its placeholders. The
// attachments of one packet together may not exceed the payload limit:
// beyond it they are counted and dropped, and the event fails with
// too-large. A binary message with no packet waiting for it is a protocol
// error and closes the session, as in the reference server.
func (c *conn) attachment(data []byte) {
	a := c.bin
	if a == nil {
		c.log.Info("binary message with no packet to attach it to")
		c.Close(reasonProtocol)
		return
	}
	a.got++
	a.size += int64(len(data))
	if a.size <= c.srv.maxPayload {
		a.parts = append(a.parts, data)
	} else {
		a.parts = nil
	}
	if a.got < a.pk.Attachments {
		return
	}
	c.bin = nil
	if a.parts == nil {
		c.tooLarge(a.pk)
		return
	}
	args, err := sioproto.Reconstruct(a.pk.Args, a.pk.Attachments, func(num int) json.RawMessage {
		return marker(a.parts[num])
	})
	if err != nil {
		c.log.Info("malformed binary packet", "err", err)
		c.Close(reasonProtocol)
		return
	}
	a.pk.Args = args
	c.dispatch(a.pk)
}

// tooLarge fails a binary packet whose attachments were over the limit:
// an event is answered as any failed event is, an ack dropped; before
// CONNECT it closes the session, as any packet but CONNECT does.
func (c *conn) tooLarge(pk sioproto.Packet) {
	c.log.Info("binary attachments over the limit", "max", c.srv.maxPayload)
	if pk.Namespace != sioproto.MainNamespace {
		return // for a namespace the client is not in: ignored, as dispatch does
	}
	p := c.peer.Load()
	if p == nil {
		c.log.Info("packet before CONNECT", "type", pk.Type)
		c.Close(reasonProtocol)
		return
	}
	if pk.Type != sioproto.BinaryEvent {
		return // an ack's data is ignored anyway
	}
	err := fmt.Errorf("binary attachments over %d bytes: %w", c.srv.maxPayload, signaling.ErrTooLarge)
	c.fail(p, pk, err)
}

// relayBinary returns the "message"(data, from) packet for a relayed m
// whose data holds markers, as a BINARY_EVENT and its attachments; ok is
// false when the data holds no marker after all, or more than
// sioproto.MaxAttachments, and goes as JSON.
func relayBinary(m *signaling.Message) (packet string, attachments [][]byte, ok bool) {
	if !bytes.Contains(m.Data, markerNeedle) {
		return "", nil, false
	}
	args, attachments, err := sioproto.Deconstruct([]json.RawMessage{m.Data}, markerKey, unmarker)
	if err != nil || len(attachments) == 0 {
		return "", nil, false
	}
	packet = mustEncode(sioproto.Packet{
		Type: sioproto.BinaryEvent, Attachments: len(attachments),
		Event: evMessage, Args: jsonArgs([]any{args[0], m.Peer.ID}),
	})
	return packet, attachments, true
}

// binaryFrame joins a binary packet and its attachments into one byte
// slice that no text packet can be: a NUL, then each part as a uvarint
// length and its bytes. It lets the hub's per-message encoding cache
// (signaling.Message.Encoded) hold a binary relay.
func binaryFrame(packet string, attachments [][]byte) []byte {
	n := 1 + binary.MaxVarintLen64 + len(packet)
	for _, a := range attachments {
		n += binary.MaxVarintLen64 + len(a)
	}
	b := make([]byte, 1, n)
	b = binary.AppendUvarint(b, uint64(len(packet)))
	b = append(b, packet...)
	for _, a := range attachments {
		b = binary.AppendUvarint(b, uint64(len(a)))
		b = append(b, a...)
	}
	return b
}

// sendRelay sends an encoded relay: a text packet, or a binaryFrame,
// whose parts it sends as the packet and its attachments; false as for
// send.
func (c *conn) sendRelay(b []byte) bool {
	if len(b) == 0 || b[0] != 0 {
		return c.send(string(b))
	}
	b = b[1:]
	first := true
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		part := b[k : k+int(n)] // binaryFrame made it: lengths are right
		b = b[k+int(n):]
		if first {
			if !c.send(string(part)) {
				return false
			}
			first = false
			continue
		}
		if c.sess.SendBinary(part) != nil {
			return false
		}
	}
	return true
}

// sendBinary sends a binary packet and its attachments; false as for send.
func (c *conn) sendBinary(packet string, attachments [][]byte) bool {
	if !c.send(packet) {
		return false
	}
	for _, a := range attachments {
		if c.sess.SendBinary(a) != nil {
			return false
		}
	}
	return true
}
