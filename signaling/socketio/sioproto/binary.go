package sioproto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Member is one name and value of a JSON object, in the object's order.
type Member struct {
	Name  string
	Value json.RawMessage
}

// placeholderKey marks a placeholder object, {"_placeholder":true,"num":N},
// which stands for attachment N of a binary packet.
const placeholderKey = "_placeholder"

// Placeholder returns the placeholder for attachment num, as
// socket.io-parser writes it.
func Placeholder(num int) json.RawMessage {
	return json.RawMessage(`{"_placeholder":true,"num":` + strconv.Itoa(num) + `}`)
}

// Reconstruct returns args with every placeholder replaced by
// attach(num), for a binary packet of n attachments. A placeholder whose
// num is not an integer below n fails with ErrBadAttachments, as in
// socket.io-parser. Objects are rewritten with their members in order;
// args holding no placeholder come back as they are.
func Reconstruct(args []json.RawMessage, n int, attach func(num int) json.RawMessage) ([]json.RawMessage, error) {
	replace := func(obj []Member) (json.RawMessage, bool, error) {
		if !isPlaceholder(obj) {
			return nil, false, nil
		}
		num, ok := placeholderNum(obj)
		if !ok || num >= n {
			return nil, false, fmt.Errorf("%w: placeholder for attachment %d of %d", ErrBadAttachments, num, n)
		}
		return attach(num), true, nil
	}
	return rewriteAll(args, []byte(placeholderKey), replace)
}

// Deconstruct returns args with each object that match recognises
// replaced by a placeholder, numbered in order, and the bytes match
// returned for each: the attachments of a binary packet. key is a string
// every recognised object holds, to skip arguments that hold none without
// parsing them.
func Deconstruct(args []json.RawMessage, key string, match func(obj []Member) ([]byte, bool)) ([]json.RawMessage, [][]byte, error) {
	var attachments [][]byte
	replace := func(obj []Member) (json.RawMessage, bool, error) {
		b, ok := match(obj)
		if !ok {
			return nil, false, nil
		}
		if len(attachments) == MaxAttachments {
			return nil, false, fmt.Errorf("%w: more than %d", ErrBadAttachments, MaxAttachments)
		}
		attachments = append(attachments, b)
		return Placeholder(len(attachments) - 1), true, nil
	}
	out, err := rewriteAll(args, []byte(key), replace)
	return out, attachments, err
}

func isPlaceholder(obj []Member) bool {
	for _, m := range obj {
		if m.Name == placeholderKey {
			return string(m.Value) == "true"
		}
	}
	return false
}

func placeholderNum(obj []Member) (int, bool) {
	for _, m := range obj {
		if m.Name == "num" {
			n, ok := parseDigits(string(m.Value))
			return int(n), ok
		}
	}
	return 0, false
}

// rewriteAll applies rewrite to each argument that holds key.
func rewriteAll(args []json.RawMessage, key []byte, replace func([]Member) (json.RawMessage, bool, error)) ([]json.RawMessage, error) {
	var out []json.RawMessage
	for i, a := range args {
		if !bytes.Contains(a, key) {
			continue
		}
		r, err := rewrite(a, replace)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = append(make([]json.RawMessage, 0, len(args)), args...)
		}
		out[i] = r
	}
	if out == nil {
		return args, nil
	}
	return out, nil
}

// rewrite returns raw, one valid JSON value, with each object that replace
// takes replaced by its result, outermost first: what replaces an object
// is not looked into. Written by hand because encoding/json cannot decode
// an object and keep its members' order; the json.Decoder's token stream
// splits it, and valid JSON nests at most 10,000 deep (encoding/json's
// limit), which bounds the recursion.
func rewrite(raw json.RawMessage, replace func([]Member) (json.RawMessage, bool, error)) (json.RawMessage, error) {
	switch jsonKind(string(raw)) {
	case '{':
		obj, err := members(raw)
		if err != nil {
			return nil, err
		}
		if r, ok, err := replace(obj); err != nil || ok {
			return r, err
		}
		var b bytes.Buffer
		b.WriteByte('{')
		for i, m := range obj {
			if i > 0 {
				b.WriteByte(',')
			}
			name, _ := json.Marshal(m.Name) // cannot fail for a string
			b.Write(name)
			b.WriteByte(':')
			v, err := rewrite(m.Value, replace)
			if err != nil {
				return nil, err
			}
			b.Write(v)
		}
		b.WriteByte('}')
		return b.Bytes(), nil
	case '[':
		elems, err := decodeArray(string(raw))
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		b.WriteByte('[')
		for i, e := range elems {
			if i > 0 {
				b.WriteByte(',')
			}
			v, err := rewrite(e, replace)
			if err != nil {
				return nil, err
			}
			b.Write(v)
		}
		b.WriteByte(']')
		return b.Bytes(), nil
	}
	return raw, nil
}

// members splits a JSON object into its members, in order.
func members(raw json.RawMessage) ([]Member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // the '{'
		return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	var out []Member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
		}
		name, _ := tok.(string) // an object's keys are strings
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
		}
		out = append(out, Member{Name: name, Value: v})
	}
	return out, nil
}
