package native

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"signalbox/signaling"
)

// ProtocolVersion is the version of the protocol in docs/protocol.md. It
// changes only when a change would break existing clients.
const ProtocolVersion = 1

// The request types a client sends.
const (
	typeJoin      = "join"
	typeLeave     = "leave"
	typeSignal    = "signal"
	typeBroadcast = "broadcast"
	typeResume    = "resume"
	typePing      = "ping"
)

// request is any client frame; which fields matter depends on Type.
type request struct {
	Type    string          `json:"type"`
	Room    string          `json:"room"`
	Name    string          `json:"name"`
	To      string          `json:"to"`
	Data    json.RawMessage `json:"data"`
	Token   string          `json:"token"`
	LastSeq uint64          `json:"lastSeq"`
}

// decodeRequest parses one client frame and checks the fields its type
// needs. Its errors wrap the signaling sentinels, so each maps to a code.
func decodeRequest(frame []byte) (request, error) {
	var req request
	if !utf8.Valid(frame) {
		return req, fmt.Errorf("frame is not valid UTF-8: %w", signaling.ErrBadJSON)
	}
	if err := json.Unmarshal(frame, &req); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return req, fmt.Errorf("field %q must be a %s: %w", typeErr.Field, typeErr.Type, signaling.ErrBadField)
		}
		return req, fmt.Errorf("%v: %w", err, signaling.ErrBadJSON)
	}
	return req, req.check()
}

// check verifies that the fields req.Type needs are present.
func (req request) check() error {
	missing := func(field string) error {
		return fmt.Errorf("%s needs %q: %w", req.Type, field, signaling.ErrBadField)
	}
	switch req.Type {
	case typeJoin:
		if req.Room == "" {
			return missing("room")
		}
	case typeSignal:
		if req.To == "" {
			return missing("to")
		}
		if isAbsent(req.Data) {
			return missing("data")
		}
	case typeBroadcast:
		if isAbsent(req.Data) {
			return missing("data")
		}
	case typeResume:
		if req.Token == "" {
			return missing("token")
		}
	case typeLeave, typePing:
	case "":
		return fmt.Errorf("frame has no type: %w", signaling.ErrBadField)
	default:
		return fmt.Errorf("type %q: %w", truncate(req.Type, 32), signaling.ErrUnknownType)
	}
	return nil
}

func isAbsent(data json.RawMessage) bool {
	return len(data) == 0 || bytes.Equal(data, []byte("null"))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// The frames the server sends, one struct each, named after their type.
type (
	welcomeFrame struct {
		Type         string                `json:"type"`
		Protocol     int                   `json:"protocol"`
		Server       serverInfo            `json:"server"`
		Peer         signaling.PeerInfo    `json:"peer"`
		PingInterval int64                 `json:"pingInterval"`
		Limits       limits                `json:"limits"`
		ICEServers   []signaling.ICEServer `json:"iceServers"`
	}
	serverInfo struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	limits struct {
		MaxMessageSize int64   `json:"maxMessageSize"`
		Rate           float64 `json:"rate"`
		Burst          int     `json:"burst"`
		RoomCapacity   int     `json:"roomCapacity"`
		ResumeGrace    int64   `json:"resumeGrace"`
	}
	joinedFrame struct {
		Type     string               `json:"type"`
		Room     string               `json:"room"`
		Self     signaling.PeerInfo   `json:"self"`
		Peers    []signaling.PeerInfo `json:"peers"`
		Capacity int                  `json:"capacity"`
		Token    string               `json:"token"`
		Lost     *uint64              `json:"lost,omitempty"`
	}
	presenceFrame struct {
		Type   string             `json:"type"`
		Room   string             `json:"room"`
		Peer   signaling.PeerInfo `json:"peer"`
		Reason signaling.Reason   `json:"reason,omitempty"`
	}
	relayFrame struct {
		Type string          `json:"type"`
		From string          `json:"from"`
		Name string          `json:"name"`
		Data json.RawMessage `json:"data"`
	}
	leftFrame struct {
		Type   string           `json:"type"`
		Room   string           `json:"room"`
		Reason signaling.Reason `json:"reason"`
	}
	errorFrame struct {
		Type    string         `json:"type"`
		Code    signaling.Code `json:"code"`
		Message string         `json:"message"`
		Request string         `json:"request,omitempty"`
	}
)

// encode returns m as a JSON object without its seq field; withSeq adds
// it. Splitting the two lets a broadcast be encoded once for all
// recipients.
func encode(m *signaling.Message) []byte {
	var v any
	switch m.Kind {
	case signaling.KindJoined, signaling.KindResumed:
		f := joinedFrame{Type: "joined", Room: m.Room, Self: m.Peer, Peers: m.Peers, Capacity: m.Capacity, Token: m.Token}
		if m.Kind == signaling.KindResumed {
			f.Type, f.Lost = "resumed", &m.Lost
		}
		v = f
	case signaling.KindPeerJoined:
		v = presenceFrame{Type: "peer-joined", Room: m.Room, Peer: m.Peer}
	case signaling.KindPeerLeft:
		v = presenceFrame{Type: "peer-left", Room: m.Room, Peer: m.Peer, Reason: m.Reason}
	case signaling.KindSignal:
		v = relayFrame{Type: "signal", From: m.Peer.ID, Name: m.Peer.Name, Data: m.Data}
	case signaling.KindBroadcast:
		v = relayFrame{Type: "broadcast", From: m.Peer.ID, Name: m.Peer.Name, Data: m.Data}
	case signaling.KindLeft:
		v = leftFrame{Type: "left", Room: m.Room, Reason: m.Reason}
	case signaling.KindError:
		v = errorFrameFor(m.Ref, m.Err)
	case signaling.KindFrame:
		return m.Frame
	default:
		panic(fmt.Sprintf("native: no encoding for message kind %d", m.Kind))
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("native: encoding %T: %v", v, err)) // only valid JSON reaches here
	}
	return b
}

// errorFrameFor describes err to the client. Errors without a code are
// the server's own fault and are reported without detail.
func errorFrameFor(ref string, err error) errorFrame {
	code, ok := signaling.CodeOf(err)
	if !ok {
		return errorFrame{Type: "error", Code: "internal", Message: "internal server error", Request: ref}
	}
	return errorFrame{Type: "error", Code: code, Message: err.Error(), Request: ref}
}

// withSeq writes body, a JSON object, to buf with "seq":seq as its first
// field.
func withSeq(buf []byte, seq uint64, body []byte) []byte {
	buf = append(buf, `{"seq":`...)
	buf = strconv.AppendUint(buf, seq, 10)
	if len(body) > 2 {
		buf = append(buf, ',')
	}
	return append(buf, body[1:]...)
}
