package socketio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"signalbox/signaling"
	"signalbox/signaling/socketio/sioproto"
)

// logPrefix opens every "log" line, as in the tutorial's server.
const logPrefix = ">>> Message from server: "

// The events of the tutorial, and Signalbox's own few (docs/socketio.md).
const (
	evCreateOrJoin = "create or join" // client: join a room, creating it if empty
	evCreated      = "created"        // server: (room, id) you created the room
	evJoin         = "join"           // server: (room, id) another peer joined your room
	evJoined       = "joined"         // server: (room, id) you joined a room with peers in it
	evReady        = "ready"          // server: (room) the room is complete; asks for an ack
	evFull         = "full"           // server: (room) the room is full (or locked)
	evMessage      = "message"        // both: (data[, from]) relayed to the rest of the room
	evLog          = "log"            // server: ([">>> Message from server: ", ...])
	evIPAddr       = "ipaddr"         // client: asks; server: (address) once per LAN IPv4 address
	evBye          = "bye"            // client: leave the room; server: (room, id, reason) a peer left
	evLeft         = "left"           // server: (room, reason) you were removed from the room
	evError        = "error"          // server: ({code, message, event}) a request failed
)

// frameSeparator joins several encoded packets in one KindFrame message.
// It is Engine.IO's record separator, which no JSON text holds unescaped,
// so it never occurs inside a packet.
const frameSeparator = "\x1e"

// frame joins encoded packets into the bytes of one KindFrame message, so
// a reply takes its place in the peer's outbox behind the hub's messages.
func frame(packets ...string) []byte {
	return []byte(strings.Join(packets, frameSeparator))
}

// splitFrame undoes frame.
func splitFrame(b []byte) []string {
	return strings.Split(string(b), frameSeparator)
}

// mustEncode encodes one of the server's own packets, which are valid by
// construction.
func mustEncode(p sioproto.Packet) string {
	s, err := sioproto.Encode(p)
	if err != nil {
		panic(fmt.Sprintf("socketio: encoding %v: %v", p.Type, err))
	}
	return s
}

// jsonArgs marshals event or ack arguments; raw JSON passes as it is.
func jsonArgs(vs []any) []json.RawMessage {
	out := make([]json.RawMessage, len(vs))
	for i, v := range vs {
		if raw, ok := v.(json.RawMessage); ok {
			out[i] = raw
			continue
		}
		out[i] = marshal(v)
	}
	return out
}

// marshal encodes v as JSON without escaping <, > and &, which a Socket.IO
// packet never needs, so log lines read as the tutorial's do.
func marshal(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("socketio: encoding %T: %v", v, err)) // plain values always encode
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// event returns the EVENT packet name(args...).
func event(name string, args ...any) string {
	return mustEncode(sioproto.Packet{Type: sioproto.Event, Event: name, Args: jsonArgs(args)})
}

// eventWithAck returns the EVENT packet name(args...) asking for ack id.
func eventWithAck(id uint64, name string, args ...any) string {
	return mustEncode(sioproto.Packet{Type: sioproto.Event, HasID: true, ID: id, Event: name, Args: jsonArgs(args)})
}

// ackPacket returns the ACK packet answering the client's ack id with one
// argument.
func ackPacket(id uint64, arg any) string {
	return mustEncode(sioproto.Packet{Type: sioproto.Ack, HasID: true, ID: id, Args: jsonArgs([]any{arg})})
}

// logLine returns a "log" event: one array argument, the tutorial's prefix
// then args, which the tutorial's page hands to console.log.
func logLine(args ...any) string {
	return event(evLog, append([]any{logPrefix}, args...))
}

// narrate returns the "log" event of args, or "" (no packet) when the
// server sends no logs.
func (c *conn) narrate(args ...any) string {
	if !c.srv.logs {
		return ""
	}
	return logLine(args...)
}

// connectOK returns the CONNECT packet accepting the default namespace.
func connectOK(sid string) string {
	data, _ := json.Marshal(struct { // cannot fail: one string
		SID string `json:"sid"`
	}{sid})
	return mustEncode(sioproto.Packet{Type: sioproto.Connect, Data: data})
}

// connectErrorData is the payload of CONNECT_ERROR: the client's
// connect_error handler gets an Error whose message is Message and whose
// data is Data.
type connectErrorData struct {
	Message string        `json:"message"`
	Data    *errorPayload `json:"data,omitempty"`
}

// connectError returns a CONNECT_ERROR packet for namespace nsp. A nil
// detail sends the message alone, as the reference server does for an
// unknown namespace.
func connectError(nsp, message string, detail *errorPayload) string {
	data, _ := json.Marshal(connectErrorData{Message: message, Data: detail}) // cannot fail: plain fields
	return mustEncode(sioproto.Packet{Type: sioproto.ConnectError, Namespace: nsp, Data: data})
}

// disconnectPacket tells the client the server ended its socket; the
// client does not reconnect by itself.
func disconnectPacket() string {
	return mustEncode(sioproto.Packet{Type: sioproto.Disconnect})
}

// errorPayload is the argument of the "error" event and the detail of a
// CONNECT_ERROR: the same stable codes as the native protocol's error frame.
type errorPayload struct {
	Code    signaling.Code `json:"code"`
	Message string         `json:"message"`
	Event   string         `json:"event,omitempty"`
}

// errorFor describes err to the client. Errors without a code are the
// server's own fault and are reported without detail.
func errorFor(event string, err error) errorPayload {
	code, ok := signaling.CodeOf(err)
	if !ok {
		return errorPayload{Code: "internal", Message: "internal server error", Event: event}
	}
	return errorPayload{Code: code, Message: err.Error(), Event: event}
}

// reply is the one argument of the server's ACK to a client event.
type reply struct {
	OK        bool           `json:"ok"`
	Room      string         `json:"room,omitempty"`
	ID        string         `json:"id,omitempty"`
	Addresses []string       `json:"addresses,omitempty"`
	Code      signaling.Code `json:"code,omitempty"`
	Message   string         `json:"message,omitempty"`
}

// errorReply is the ACK argument for a failed event.
func errorReply(event string, err error) reply {
	e := errorFor(event, err)
	return reply{OK: false, Code: e.Code, Message: e.Message}
}

// encodeRelay encodes a relayed payload as "message"(data, from); the hub
// caches it once for every socket.io recipient. It is the hot path of a
// relay, so it appends instead of going through sioproto.Encode, which
// would check data again: the hub's data is one JSON value (every
// transport checks what it relays), and a peer id is base64url
// (signaling's randomID), which needs no escaping.
//
// Data holding binary markers encodes as a BINARY_EVENT and its
// attachments instead, framed by binaryFrame (binary.go), so a room's
// socket.io recipients share that work too.
func encodeRelay(m *signaling.Message) []byte {
	if packet, attachments, ok := relayBinary(m); ok {
		return binaryFrame(packet, attachments)
	}
	b := make([]byte, 0, len(relayPrefix)+len(m.Data)+len(m.Peer.ID)+4)
	b = append(b, relayPrefix...)
	b = append(b, m.Data...)
	b = append(b, ',', '"')
	b = append(b, m.Peer.ID...)
	return append(b, '"', ']')
}

// relayPrefix starts every relayed "message" EVENT packet.
const relayPrefix = `2["` + evMessage + `",`
