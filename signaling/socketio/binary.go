package socketio

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"signalbox/signaling"
	"signalbox/signaling/socketio/engineio"
	"signalbox/signaling/socketio/sioproto"
	"signalbox/signaling/transport"
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
	if !c.guard.Done(p, "event", transport.Truncate(pk.Event, maxEventNameLen), err) {
		c.Close(reasonMisbehaving) // as for any failed event
	}
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

// appendRelay appends an encoded relay to dst: a text packet, or the
// parts of a binaryFrame, the packet then each attachment as
// engineio.BinaryData.
func appendRelay(dst []string, b []byte) []string {
	if len(b) == 0 || b[0] != 0 {
		return append(dst, string(b))
	}
	b = b[1:]
	for first := true; len(b) > 0; first = false {
		n, k := binary.Uvarint(b)
		part := b[k : k+int(n)] // binaryFrame made it: lengths are right
		b = b[k+int(n):]
		if first {
			dst = append(dst, string(part))
		} else {
			dst = append(dst, engineio.BinaryData(part))
		}
	}
	return dst
}

// appendBinary appends a binary packet and its attachments to dst.
func appendBinary(dst []string, packet string, attachments [][]byte) []string {
	dst = append(dst, packet)
	for _, a := range attachments {
		dst = append(dst, engineio.BinaryData(a))
	}
	return dst
}
