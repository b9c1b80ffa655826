package sioproto

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Encode returns p in its wire form, to send as one Engine.IO message. It
// checks what Decode checks, so it never produces a packet the other side
// must refuse: the namespace, the ack id, the attachment count, and the
// payload's JSON and shape for the type. A BINARY_EVENT or BINARY_ACK is
// written with its attachment count and its Args as they are (holding the
// placeholders, see Deconstruct); its attachments go as binary messages
// after it.
func Encode(p Packet) (string, error) {
	if p.Type < Connect || p.Type > BinaryAck {
		return "", fmt.Errorf("%w: %d", ErrUnknownType, int(p.Type))
	}
	if p.HasID && p.ID > MaxID {
		return "", fmt.Errorf("%w: %d", ErrBadID, p.ID)
	}
	if p.Attachments < 0 || p.Attachments > MaxAttachments || (p.Attachments > 0 && !p.Binary()) {
		return "", fmt.Errorf("%w: %d in %v", ErrBadAttachments, p.Attachments, p.Type)
	}
	var b strings.Builder
	b.WriteByte(byte('0' + p.Type))
	if p.Binary() {
		b.WriteString(strconv.Itoa(p.Attachments))
		b.WriteByte('-')
	}
	if p.Namespace != "" && p.Namespace != MainNamespace {
		if !strings.HasPrefix(p.Namespace, "/") || !validNamespace(p.Namespace) {
			return "", fmt.Errorf("%w: %q", ErrBadNamespace, p.Namespace)
		}
		b.WriteString(p.Namespace)
		b.WriteByte(',')
	}
	if p.HasID {
		b.WriteString(strconv.FormatUint(p.ID, 10))
	}
	if err := p.encodePayload(&b); err != nil {
		return "", fmt.Errorf("%v: %w", p.Type, err)
	}
	return b.String(), nil
}

// encodePayload writes p's JSON payload, checked against its type.
func (p Packet) encodePayload(b *strings.Builder) error {
	switch p.Type {
	case Connect, ConnectError:
		if p.Data == nil {
			return nil
		}
		k := jsonKind(string(p.Data))
		if (k != '{' && (p.Type == Connect || k != '"')) || !json.Valid(p.Data) {
			return fmt.Errorf("%w: Data must be a JSON object (or a string, for CONNECT_ERROR)", ErrBadPayload)
		}
		b.Write(p.Data)
	case Disconnect:
		if p.Data != nil || p.Args != nil {
			return fmt.Errorf("%w: DISCONNECT carries no payload", ErrBadPayload)
		}
	case Event, BinaryEvent:
		if Reserved(p.Event) {
			return fmt.Errorf("%w: %q", ErrReservedEvent, p.Event)
		}
		name, _ := json.Marshal(p.Event) // cannot fail for a string
		b.WriteByte('[')
		b.Write(name)
		for _, a := range p.Args {
			b.WriteByte(',')
			if err := writeArg(b, a); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case Ack, BinaryAck:
		b.WriteByte('[')
		for i, a := range p.Args {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeArg(b, a); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	}
	return nil
}

// writeArg writes one argument after checking it is one JSON value.
func writeArg(b *strings.Builder, a json.RawMessage) error {
	if !json.Valid(a) {
		return fmt.Errorf("%w: argument is not JSON: %.40q", ErrBadPayload, a)
	}
	b.Write(a)
	return nil
}
