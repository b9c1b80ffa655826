package signaling

import "errors"

// Code is a stable, machine-readable error identifier sent to clients in
// {"type":"error","code":…}. Codes never change meaning; docs/protocol.md
// lists them all.
type Code string

// The error codes a client can cause.
const (
	CodeBadJSON       Code = "bad-json"        // the frame is not a JSON object
	CodeUnknownType   Code = "unknown-type"    // the type field names no message
	CodeBadField      Code = "bad-field"       // a field is missing or has the wrong type
	CodeTooLarge      Code = "too-large"       // the frame exceeds the size limit
	CodeBadRoomName   Code = "bad-room-name"   // the room name is empty, too long or has control characters
	CodeRoomFull      Code = "room-full"       // the room holds its capacity already
	CodeRoomLocked    Code = "room-locked"     // the room takes no new peers
	CodeTooManyRooms  Code = "too-many-rooms"  // the server holds its maximum number of rooms
	CodeServerFull    Code = "server-full"     // the server holds its maximum number of peers
	CodeAlreadyInRoom Code = "already-in-room" // join while already in a room
	CodeNotInRoom     Code = "not-in-room"     // signal, broadcast or leave outside a room
	CodeUnknownPeer   Code = "unknown-peer"    // the signal's target is not in the sender's room
	CodeRateLimited   Code = "rate-limited"    // the peer sends faster than its rate limit
	CodeBadToken      Code = "bad-token"       // resume with an unknown or expired token
	CodeSlowConsumer  Code = "slow-consumer"   // the peer fell too far behind and is disconnected
	CodeShuttingDown  Code = "shutting-down"   // the server is stopping
	// CodeClusterUnavailable: the request needs the other servers of the
	// cluster, which cannot be reached now (see docs/cluster.md).
	CodeClusterUnavailable Code = "cluster-unavailable"
	CodeAddressFull        Code = "address-full"  // the client's address holds its maximum of peers
	CodeAddressRooms       Code = "address-rooms" // the client's address created its maximum of open rooms
)

// AllCodes lists every Code, for metrics and documentation tests.
var AllCodes = []Code{
	CodeBadJSON, CodeUnknownType, CodeBadField, CodeTooLarge, CodeBadRoomName,
	CodeRoomFull, CodeRoomLocked, CodeTooManyRooms, CodeServerFull,
	CodeAlreadyInRoom, CodeNotInRoom, CodeUnknownPeer, CodeRateLimited,
	CodeBadToken, CodeSlowConsumer, CodeShuttingDown, CodeAddressFull, CodeAddressRooms, CodeClusterUnavailable,
}

// Error is an error a client caused, with the Code it is reported under.
// The sentinels below are *Error values; wrap them with fmt.Errorf("…: %w")
// to add context and test with errors.Is.
type Error struct {
	Code Code
	Text string
}

func (e *Error) Error() string { return e.Text }

// The sentinel errors of the hub and the transports.
var (
	ErrBadJSON       = &Error{CodeBadJSON, "malformed JSON"}
	ErrUnknownType   = &Error{CodeUnknownType, "unknown message type"}
	ErrBadField      = &Error{CodeBadField, "missing or invalid field"}
	ErrTooLarge      = &Error{CodeTooLarge, "message too large"}
	ErrBadRoomName   = &Error{CodeBadRoomName, "invalid room name"}
	ErrRoomFull      = &Error{CodeRoomFull, "room is full"}
	ErrRoomLocked    = &Error{CodeRoomLocked, "room is locked"}
	ErrTooManyRooms  = &Error{CodeTooManyRooms, "too many rooms on this server"}
	ErrServerFull    = &Error{CodeServerFull, "server is full"}
	ErrAlreadyInRoom = &Error{CodeAlreadyInRoom, "already in a room"}
	ErrNotInRoom     = &Error{CodeNotInRoom, "not in a room"}
	ErrUnknownPeer   = &Error{CodeUnknownPeer, "no such peer in this room"}
	ErrRateLimited   = &Error{CodeRateLimited, "too many messages, slow down"}
	ErrBadToken      = &Error{CodeBadToken, "unknown or expired resume token"}
	ErrSlowConsumer  = &Error{CodeSlowConsumer, "too far behind, disconnected"}
	ErrShuttingDown  = &Error{CodeShuttingDown, "server is shutting down"}
	ErrAddressFull   = &Error{CodeAddressFull, "too many connections from your address"}
	ErrAddressRooms  = &Error{CodeAddressRooms, "too many rooms created from your address"}
)

// CodeOf returns the Code of the first *Error in err's chain, and false when
// there is none (an internal error, which clients never see in detail).
func CodeOf(err error) (Code, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, true
	}
	return "", false
}
