package sioproto

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Type is a Socket.IO packet type: the first character on the wire.
type Type int

// The Socket.IO v5 packet types.
const (
	Connect      Type = 0 // client: join a namespace (optional auth object); server: accepted ({"sid":...})
	Disconnect   Type = 1 // either side: leave a namespace
	Event        Type = 2 // either side: a named event with arguments, maybe asking for an ack
	Ack          Type = 3 // either side: the answer to an event's ack id
	ConnectError Type = 4 // server: joining the namespace was refused ({"message":...})
	BinaryEvent  Type = 5 // either side: an EVENT whose arguments hold binary attachments
	BinaryAck    Type = 6 // either side: an ACK whose arguments hold binary attachments
)

// String returns the protocol's name for t.
func (t Type) String() string {
	switch t {
	case Connect:
		return "CONNECT"
	case Disconnect:
		return "DISCONNECT"
	case Event:
		return "EVENT"
	case Ack:
		return "ACK"
	case ConnectError:
		return "CONNECT_ERROR"
	case BinaryEvent:
		return "BINARY_EVENT"
	case BinaryAck:
		return "BINARY_ACK"
	default:
		return fmt.Sprintf("Type(%d)", int(t))
	}
}

// MainNamespace is the namespace a packet belongs to when it names none.
const MainNamespace = "/"

// MaxAttachments bounds the attachment count of one binary packet. The
// reference parser sets no bound; the transport's payload limit does in
// effect, and this one keeps a client from announcing more than a server
// would ever wait for.
const MaxAttachments = 64

// MaxID is the largest ack id accepted: the largest integer a JavaScript
// number holds exactly (Number.MAX_SAFE_INTEGER).
const MaxID = 1<<53 - 1

// Packet is one Socket.IO packet.
type Packet struct {
	// Type is the packet type.
	Type Type
	// Namespace is the namespace, starting with "/". Decode sets
	// MainNamespace when the wire names none; Encode accepts "" for it.
	Namespace string
	// HasID reports that ID is set: an EVENT asking for an ack, or the ACK
	// answering it.
	HasID bool
	// ID is the ack id, at most MaxID.
	ID uint64
	// Data is the raw JSON payload of CONNECT (an object: the client's auth,
	// or the server's {"sid":...}) and CONNECT_ERROR (an object, or a
	// string from old servers). Nil when absent; unused by other types.
	Data json.RawMessage
	// Event is the event name of an EVENT.
	Event string
	// Args are the arguments of an EVENT (after the name) or of an ACK (all
	// of them), each as raw JSON.
	Args []json.RawMessage
	// Attachments is the number of binary attachments of a BINARY_EVENT or
	// BINARY_ACK: binary messages that follow the packet, which
	// placeholders ({"_placeholder":true,"num":N}) in Args stand for.
	Attachments int
}

// Errors of Decode and Encode. Decode wraps them with details; test with
// errors.Is.
var (
	// ErrEmpty: an empty string is no packet.
	ErrEmpty = errors.New("sioproto: empty packet")
	// ErrUnknownType: the first character is not a packet type.
	ErrUnknownType = errors.New("sioproto: unknown packet type")
	// ErrBadAttachments: a binary packet whose attachment count is
	// malformed or over MaxAttachments, or a placeholder that names no
	// attachment.
	ErrBadAttachments = errors.New("sioproto: malformed attachments")
	// ErrBadNamespace: a namespace that holds a control character or
	// invalid UTF-8, or (Encode only: on the wire a comma ends it) does not
	// start with "/" or holds a comma.
	ErrBadNamespace = errors.New("sioproto: bad namespace")
	// ErrBadID: an ack id over MaxID.
	ErrBadID = errors.New("sioproto: ack id out of range")
	// ErrBadPayload: the payload is not JSON, or not the JSON the packet
	// type requires (an object for CONNECT, a non-empty array starting with
	// the event name for EVENT, an array for ACK, nothing for DISCONNECT).
	ErrBadPayload = errors.New("sioproto: bad payload")
	// ErrReservedEvent: the event name is one the protocol reserves.
	ErrReservedEvent = errors.New("sioproto: reserved event name")
)

// Binary reports whether p is a BINARY_EVENT or a BINARY_ACK.
func (p Packet) Binary() bool { return p.Type == BinaryEvent || p.Type == BinaryAck }

// Reserved reports whether name is an event name the protocol reserves:
// socket.io-parser refuses these because the libraries use them for their
// own events.
func Reserved(name string) bool {
	switch name {
	case "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener":
		return true
	}
	return false
}
