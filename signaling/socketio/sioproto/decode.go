package sioproto

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// maxIDDigits is the most digits an ack id may have (MaxID has 16).
const maxIDDigits = 16

// Decode parses one packet, as received in an Engine.IO message:
//
//	<type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
//
// It follows socket.io-parser's decoder, and also requires the payload the
// protocol makes mandatory (EVENT, ACK and their binary forms). Deliberate
// differences: a numeric event name, which socket.io-parser lets through,
// is refused with ErrBadPayload (Signalbox events are named by strings);
// a namespace holding a control character or invalid UTF-8 is refused with
// ErrBadNamespace (it could not be echoed safely: "\x1e" splits a polling
// payload); the attachment count is at most MaxAttachments.
//
// A BINARY_EVENT or BINARY_ACK is decoded with its placeholders still in
// Args; its Attachments binary messages follow, and Reconstruct fills
// them in.
func Decode(s string) (Packet, error) {
	if s == "" {
		return Packet{}, ErrEmpty
	}
	if s[0] < '0' || s[0] > '6' {
		return Packet{}, fmt.Errorf("%w: %q", ErrUnknownType, s[0])
	}
	p := Packet{Type: Type(s[0] - '0')}
	rest := s[1:]

	if p.Binary() {
		digits, after, found := strings.Cut(rest, "-")
		n, ok := parseDigits(digits)
		if !found || !ok || n > MaxAttachments {
			return p, fmt.Errorf("%w in %v", ErrBadAttachments, p.Type)
		}
		p.Attachments = int(n)
		rest = after
	}

	var err error
	if p.Namespace, rest, err = cutNamespace(rest); err != nil {
		return p, err
	}

	end := 0
	for end < len(rest) && isDigit(rest[end]) {
		end++
	}
	if end > 0 {
		id, ok := parseDigits(rest[:end])
		if !ok || end > maxIDDigits || id > MaxID {
			return p, fmt.Errorf("%w: %s", ErrBadID, rest[:end])
		}
		p.HasID, p.ID = true, id
	}
	if err := p.decodePayload(rest[end:]); err != nil {
		return p, fmt.Errorf("%v in %q: %w", p.Type, p.Namespace, err)
	}
	return p, nil
}

// cutNamespace splits a leading namespace ("/name," or "/name" up to the
// end) from s. Without one, the namespace is MainNamespace.
func cutNamespace(s string) (nsp, rest string, err error) {
	if !strings.HasPrefix(s, "/") {
		return MainNamespace, s, nil
	}
	nsp, rest, _ = strings.Cut(s, ",")
	if !validNamespace(nsp) {
		return MainNamespace, rest, fmt.Errorf("%w: %.40q", ErrBadNamespace, nsp)
	}
	return nsp, rest, nil
}

// validNamespace reports whether nsp, which starts with "/", is printable
// UTF-8 without a comma: a namespace Encode can write back.
func validNamespace(nsp string) bool {
	return utf8.ValidString(nsp) && !strings.ContainsFunc(nsp, func(r rune) bool {
		return r < 0x20 || r == 0x7f || r == ','
	})
}

// decodePayload checks the JSON payload against p's type and stores it.
func (p *Packet) decodePayload(payload string) error {
	if payload == "" {
		switch p.Type {
		case Event, BinaryEvent:
			return fmt.Errorf("%w: missing event array", ErrBadPayload)
		case Ack, BinaryAck:
			return fmt.Errorf("%w: missing ack array", ErrBadPayload)
		}
		return nil
	}
	switch p.Type {
	case Connect:
		if jsonKind(payload) != '{' || !json.Valid([]byte(payload)) {
			return fmt.Errorf("%w: want an object", ErrBadPayload)
		}
		p.Data = json.RawMessage(payload)
	case ConnectError:
		if k := jsonKind(payload); (k != '{' && k != '"') || !json.Valid([]byte(payload)) {
			return fmt.Errorf("%w: want an object or a string", ErrBadPayload)
		}
		p.Data = json.RawMessage(payload)
	case Disconnect:
		return fmt.Errorf("%w: DISCONNECT carries no payload", ErrBadPayload)
	case Ack, BinaryAck:
		args, err := decodeArray(payload)
		if err != nil {
			return err
		}
		p.Args = args
	case Event, BinaryEvent:
		args, err := decodeArray(payload)
		if err != nil {
			return err
		}
		if len(args) == 0 || jsonKind(string(args[0])) != '"' {
			return fmt.Errorf("%w: an event array starts with the event name", ErrBadPayload)
		}
		if err := decodeName(args[0], &p.Event); err != nil {
			return fmt.Errorf("%w: event name: %w", ErrBadPayload, err)
		}
		if Reserved(p.Event) {
			return fmt.Errorf("%w: %q", ErrReservedEvent, p.Event)
		}
		p.Args = args[1:]
	}
	return nil
}

// decodeArray splits a JSON array into its raw elements, which share one
// copy of payload. jsontext (the mirror of Go's encoding/json/v2) checks
// the array and finds its elements' ends in one pass, where encoding/json
// would validate, then copy every element (or a second, hand-written pass
// would split it). As encoding/json, it takes invalid UTF-8 inside
// strings and repeated keys: the data is relayed, not read.
func decodeArray(payload string) ([]json.RawMessage, error) {
	if jsonKind(payload) != '[' {
		return nil, fmt.Errorf("%w: want an array", ErrBadPayload)
	}
	b := []byte(payload)
	d := arrayDecoders.Get().(*arrayDecoder)
	defer arrayDecoders.Put(d)
	d.buf = *bytes.NewBuffer(b)
	defer func() { d.buf = bytes.Buffer{} }()
	d.dec.Reset(&d.buf, jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	args, err := d.elements(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	return args, nil
}

// arrayDecoders are decodeArray's decoders, reused.
var arrayDecoders = sync.Pool{New: func() any { return new(arrayDecoder) }}

type arrayDecoder struct {
	dec jsontext.Decoder
	buf bytes.Buffer // the payload, read in place by dec
}

// elements reads the array b (dec's input) and returns its elements as
// subslices of b without surrounding white space.
func (d *arrayDecoder) elements(b []byte) ([]json.RawMessage, error) {
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, err
	}
	args := make([]json.RawMessage, 0, 3) // an event name and its usual arguments
	for d.dec.PeekKind() != ']' {
		start := d.dec.InputOffset()
		if err := d.dec.SkipValue(); err != nil {
			return nil, err
		}
		args = append(args, bytes.TrimLeft(b[start:d.dec.InputOffset()], " \t\r\n,"))
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, err
	}
	if _, err := d.dec.ReadToken(); err != io.EOF {
		if err == nil {
			err = errors.New("more than one JSON value")
		}
		return nil, err
	}
	return args, nil
}

// decodeName decodes the JSON string raw into name; one without escapes
// or invalid UTF-8 (which the decoder replaces), as event names are,
// needs no decoder.
func decodeName(raw json.RawMessage, name *string) error {
	if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		*name = string(inner)
		return nil
	}
	return json.Unmarshal(raw, name)
}

// jsonKind returns the first byte of a JSON text after leading whitespace:
// '{', '[', '"', or something else; 0 when there is none.
func jsonKind(s string) byte {
	s = strings.TrimLeft(s, " \t\r\n")
	if s == "" {
		return 0
	}
	return s[0]
}

// parseDigits parses a non-empty run of ASCII digits; ok is false for
// anything else or a value over MaxID.
func parseDigits(s string) (n uint64, ok bool) {
	if s == "" || len(s) > maxIDDigits {
		return 0, false
	}
	for i := range len(s) {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + uint64(s[i]-'0')
	}
	return n, n <= MaxID
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
