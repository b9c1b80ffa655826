package engineio

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Errors returned by Session.Send.
var (
	// ErrSessionClosed: the session is closed or closing; nothing more can
	// be sent on it.
	ErrSessionClosed = errors.New("engineio: session closed")
	// ErrSendOverflow: the session's send queue was full. The session has
	// been closed, with ReasonSendOverflow.
	ErrSendOverflow = errors.New("engineio: send queue full")
	// ErrRecordSeparator: the data holds the record separator "\x1e", which
	// cannot cross the polling transport (protocol v4 assumes data never
	// holds it; JSON never does). The session stays open.
	ErrRecordSeparator = errors.New("engineio: data holds the record separator")
)

// Reasons given to Handler.Close. The strings are the reference server's,
// so the Socket.IO layer can hand them on as disconnect reasons.
const (
	// ReasonTransportClose: the client closed the session (a close packet,
	// or its WebSocket closed cleanly).
	ReasonTransportClose = "transport close"
	// ReasonTransportError: the connection failed or the client broke the
	// transport rules (an aborted poll, two polls at once, a WebSocket
	// message over MaxPayload, a ping from the client).
	ReasonTransportError = "transport error"
	// ReasonParseError: the client sent a malformed packet (bad base64
	// included) or a POST body of Content-Type application/octet-stream.
	ReasonParseError = "parse error"
	// ReasonPingTimeout: no pong within PingTimeout of a ping.
	ReasonPingTimeout = "ping timeout"
	// ReasonForcedClose: the server closed the session (Session.Close).
	ReasonForcedClose = "forced close"
	// ReasonServerShutdown: Server.Shutdown closed the session.
	ReasonServerShutdown = "server shutting down"
	// ReasonSendOverflow: the session's send queue overflowed.
	ReasonSendOverflow = "send queue overflow"
)

// errorCode is the "code" of the reference server's JSON error body.
type errorCode int

// The reference server's error codes and their messages.
const (
	codeUnknownTransport   errorCode = 0 // "Transport unknown"
	codeUnknownSID         errorCode = 1 // "Session ID unknown"
	codeBadHandshakeMethod errorCode = 2 // "Bad handshake method"
	codeBadRequest         errorCode = 3 // "Bad request"
	codeForbidden          errorCode = 4 // "Forbidden"
	codeUnsupportedVersion errorCode = 5 // "Unsupported protocol version"
)

// message returns the reference server's message for c.
func (c errorCode) message() string {
	switch c {
	case codeUnknownTransport:
		return "Transport unknown"
	case codeUnknownSID:
		return "Session ID unknown"
	case codeBadHandshakeMethod:
		return "Bad handshake method"
	case codeForbidden:
		return "Forbidden"
	case codeUnsupportedVersion:
		return "Unsupported protocol version"
	default:
		return "Bad request"
	}
}

// errorBody is the JSON body of an error answer.
type errorBody struct {
	Code    errorCode `json:"code"`
	Message string    `json:"message"`
}

// writeError answers a request the way the reference server does: 403 for
// codeForbidden, the given status otherwise, and the JSON error body. An
// empty message takes the code's standard message.
func writeError(w http.ResponseWriter, status int, code errorCode, message string) {
	if code == codeForbidden {
		status = http.StatusForbidden
	}
	if message == "" {
		message = code.message()
	}
	body, _ := json.Marshal(errorBody{Code: code, Message: message}) // cannot fail: an int and a string
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may be gone; nothing to do about it
}
