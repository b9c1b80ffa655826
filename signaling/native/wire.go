package native

import (
	"bytes"
	"encoding/json"
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
	typeRename    = "rename"
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
	// ChatOnly (join only): the peer makes no call (PeerInfo.ChatOnly).
	ChatOnly bool `json:"chatOnly"`
	// Overflow (join only): room is a class address; when it is full,
	// seat me in the class's next room (signaling.JoinOptions.Overflow).
	Overflow bool `json:"overflow"`
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
	case typeRename:
		if req.Name == "" {
			return missing("name")
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
		Class    string               `json:"class,omitempty"`
		Self     signaling.PeerInfo   `json:"self"`
		Peers    []signaling.PeerInfo `json:"peers"`
		Capacity int                  `json:"capacity"`
		Token    string               `json:"token"`
		Lost     *uint64              `json:"lost,omitempty"`
		Moved    bool                 `json:"moved,omitempty"`
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
		f := joinedFrame{Type: "joined", Room: m.Room, Class: m.Class, Self: m.Peer, Peers: m.Peers, Capacity: m.Capacity, Token: m.Token}
		if m.Kind == signaling.KindResumed {
			f.Type, f.Lost, f.Moved = "resumed", &m.Lost, m.Moved
		}
		v = f
	case signaling.KindPeerJoined:
		v = presenceFrame{Type: "peer-joined", Room: m.Room, Peer: m.Peer}
	case signaling.KindPeerLeft:
		v = presenceFrame{Type: "peer-left", Room: m.Room, Peer: m.Peer, Reason: m.Reason}
	case signaling.KindPeerAway:
		v = presenceFrame{Type: "peer-away", Room: m.Room, Peer: m.Peer}
	case signaling.KindPeerBack:
		v = presenceFrame{Type: "peer-back", Room: m.Room, Peer: m.Peer}
	case signaling.KindPeerRenamed:
		v = presenceFrame{Type: "peer-renamed", Room: m.Room, Peer: m.Peer}
	case signaling.KindSignal:
		return appendRelay(nil, "signal", m.Peer, m.Data)
	case signaling.KindBroadcast:
		return appendRelay(nil, "broadcast", m.Peer, m.Data)
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

// appendFrame appends the frame for outbox entry e: its message with
// "seq" first. Messages that several peers receive (presence, broadcast)
// are encoded once and the encoding is kept with the message for the
// others; a signal, which has one recipient, is written straight into dst
// (the relay path allocates nothing here), and so is a transport's own
// frame. Other messages are per peer and rare: encoded each time, so
// nothing is kept in the peer's replay history but the message itself.
func appendFrame(dst []byte, e signaling.Entry) []byte {
	m := e.Msg
	switch m.Kind {
	case signaling.KindSignal:
		dst = append(dst, `{"seq":`...)
		dst = strconv.AppendUint(dst, e.Seq, 10)
		dst = append(dst, ',')
		return appendRelayFields(dst, "signal", m.Peer, m.Data)
	case signaling.KindFrame:
		return withSeq(dst, e.Seq, m.Frame)
	case signaling.KindPeerJoined, signaling.KindPeerLeft, signaling.KindBroadcast,
		signaling.KindPeerAway, signaling.KindPeerBack, signaling.KindPeerRenamed:
		return withSeq(dst, e.Seq, m.Encoded(signaling.EncodingNative, encode))
	}
	return withSeq(dst, e.Seq, encode(m))
}

// withSeq writes body, a JSON object, to buf with "seq":seq as its first
// field.
func withSeq(buf []byte, seq uint64, body []byte) []byte {
	return append(appendSeq(buf, seq, body), body[1:]...)
}

// appendSeq appends what withSeq puts before body[1:]: `{"seq":N` and a
// comma unless body is the empty object.
func appendSeq(buf []byte, seq uint64, body []byte) []byte {
	buf = append(buf, `{"seq":`...)
	buf = strconv.AppendUint(buf, seq, 10)
	if len(body) > 2 {
		buf = append(buf, ',')
	}
	return buf
}

// appendRelay appends a signal or broadcast frame (relayFrame's fields, in
// its order) without json.Marshal: the relay is the hot path, and Marshal
// would validate and compact data again although the decoder already
// checked it. Data must be valid JSON, which every transport guarantees.
func appendRelay(dst []byte, typ string, from signaling.PeerInfo, data json.RawMessage) []byte {
	return appendRelayFields(append(dst, '{'), typ, from, data)
}

// appendRelayFields is appendRelay without the opening brace.
func appendRelayFields(dst []byte, typ string, from signaling.PeerInfo, data json.RawMessage) []byte {
	dst = append(dst, `"type":"`...)
	dst = append(dst, typ...)
	dst = append(dst, `","from":`...)
	dst = appendString(dst, from.ID)
	dst = append(dst, `,"name":`...)
	dst = appendString(dst, from.Name)
	dst = append(dst, `,"data":`...)
	dst = append(dst, data...)
	return append(dst, '}')
}

// appendString appends s as a JSON string, escaped as encoding/json does
// (including its HTML-safe escapes of <, > and &, and of U+2028 and
// U+2029); invalid UTF-8 becomes U+FFFD.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
