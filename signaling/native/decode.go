package native

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"

	"signalbox/signaling"
)

// requestKeys are the keys of a request object. Keys are case-sensitive
// (docs/protocol.md); one that differs from a request key only in case is
// refused (bad-field) rather than ignored, because a lenient decoder
// (encoding/json, which this one replaced) would take it for that key.
var requestKeys = []string{"type", "room", "name", "to", "data", "token", "lastSeq", "chatOnly", "overflow"}

// decoders are the token decoders of decodeRequest, reused: a frame is
// decoded in one pass over its bytes (syntax, UTF-8, the request's
// fields) with no copy but the fields kept.
var decoders = sync.Pool{New: func() any { return new(decoder) }}

type decoder struct {
	dec jsontext.Decoder
	buf bytes.Buffer // the frame, read in place by dec
	key []byte       // an unquoted key with escapes
}

// decodeRequest parses one client frame and checks the fields its type
// needs. Its errors wrap the signaling sentinels, so each maps to a code:
// bad-json for a frame that is not one JSON object (or not UTF-8),
// bad-field for a field of the wrong type, a missing one, or a key that
// is a request key in another case. Unknown keys are ignored; of repeated
// keys the last counts, as in JavaScript.
//
// It reads tokens with jsontext (the mirror of Go's encoding/json/v2),
// which validates as it goes: encoding/json's Unmarshal validated the
// frame, then decoded it by reflection, then a third pass checked the
// keys' case, for 88 % of the server's work on a relayed message.
func decodeRequest(frame []byte) (request, error) {
	d := decoders.Get().(*decoder)
	defer decoders.Put(d)
	d.buf = *bytes.NewBuffer(frame)
	d.dec.Reset(&d.buf, jsontext.AllowDuplicateNames(true))
	req, err := d.request()
	d.buf = bytes.Buffer{} // the frame is the caller's
	if err != nil {
		return request{}, err
	}
	return req, req.check()
}

// request decodes the frame's one top-level object.
func (d *decoder) request() (request, error) {
	var req request
	switch d.dec.PeekKind() {
	case '{':
	case 'n': // null: an object with nothing in it, as encoding/json had it
		if _, err := d.dec.ReadToken(); err != nil {
			return req, badJSON(err)
		}
		return req, d.end()
	default:
		if _, err := d.dec.ReadValue(); err != nil {
			return req, badJSON(err)
		}
		return req, fmt.Errorf("frame is not a JSON object: %w", signaling.ErrBadJSON)
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return req, badJSON(err)
	}
	for d.dec.PeekKind() != '}' {
		name, err := d.dec.ReadValue()
		if err != nil {
			return req, badJSON(err)
		}
		if err := d.field(&req, d.unquote(name)); err != nil {
			return req, err
		}
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return req, badJSON(err)
	}
	return req, d.end()
}

// end checks that nothing but white space follows the object.
func (d *decoder) end() error {
	if _, err := d.dec.ReadToken(); err != io.EOF {
		if err == nil {
			err = errors.New("more than one JSON value")
		}
		return badJSON(err)
	}
	return nil
}

// unquote returns a name's text; the bytes are the frame's or d.key's,
// valid until the next call.
func (d *decoder) unquote(quoted jsontext.Value) []byte {
	if bytes.IndexByte(quoted, '\\') < 0 {
		return quoted[1 : len(quoted)-1]
	}
	d.key, _ = jsontext.AppendUnquote(d.key[:0], quoted) // valid: the decoder read it
	return d.key
}

// field decodes the value of the member named name into req.
func (d *decoder) field(req *request, name []byte) error {
	var err error
	switch string(name) {
	case "type":
		req.Type, err = d.str("type")
	case "room":
		req.Room, err = d.str("room")
	case "name":
		req.Name, err = d.str("name")
	case "to":
		req.To, err = d.str("to")
	case "token":
		req.Token, err = d.str("token")
	case "data":
		var v jsontext.Value
		if v, err = d.dec.ReadValue(); err == nil {
			req.Data = bytes.Clone(v)
		}
	case "lastSeq":
		req.LastSeq, err = d.uint("lastSeq")
	case "chatOnly":
		req.ChatOnly, err = d.bool("chatOnly")
	case "overflow":
		req.Overflow, err = d.bool("overflow")
	default:
		for _, k := range requestKeys {
			if strings.EqualFold(string(name), k) {
				return fmt.Errorf("key %q: keys are case-sensitive, did you mean %q? %w", truncate(string(name), 32), k, signaling.ErrBadField)
			}
		}
		err = d.dec.SkipValue()
	}
	if err != nil && !errors.Is(err, signaling.ErrBadField) {
		return badJSON(err)
	}
	return err
}

// str reads a string member; null reads as "" (absent).
func (d *decoder) str(field string) (string, error) {
	v, err := d.value(field, `"`, "string")
	if err != nil || v == nil {
		return "", err
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), nil
	}
	s, err := jsontext.AppendUnquote(nil, v)
	return string(s), err
}

// uint reads an unsigned integer member; null reads as 0.
func (d *decoder) uint(field string) (uint64, error) {
	v, err := d.value(field, "0", "uint64")
	if err != nil || v == nil {
		return 0, err
	}
	n, perr := strconv.ParseUint(string(v), 10, 64)
	if perr != nil {
		return 0, mistyped(field, "uint64")
	}
	return n, nil
}

// bool reads a boolean member; null reads as false.
func (d *decoder) bool(field string) (bool, error) {
	v, err := d.value(field, "tf", "bool")
	return err == nil && v != nil && v[0] == 't', err
}

// value reads a member's value, whose kind must be one of kinds (or null:
// then it returns nil). Another kind is bad-field: "field must be a want".
func (d *decoder) value(field string, kinds string, want string) (jsontext.Value, error) {
	k := d.dec.PeekKind()
	v, err := d.dec.ReadValue()
	switch {
	case err != nil:
		return nil, err
	case k == 'n':
		return nil, nil
	case !strings.ContainsRune(kinds, rune(k)):
		return nil, mistyped(field, want)
	}
	return v, nil
}

func mistyped(field, want string) error {
	return fmt.Errorf("field %q must be a %s: %w", field, want, signaling.ErrBadField)
}

func badJSON(err error) error {
	return fmt.Errorf("%v: %w", err, signaling.ErrBadJSON)
}
