package sioproto

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func raw(s ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(s))
	for i, v := range s {
		out[i] = json.RawMessage(v)
	}
	return out
}

// The examples of the protocol document (socket.io-protocol, "Packet
// encoding"), both ways.
var specExamples = []struct {
	wire string
	p    Packet
}{
	{`0`, Packet{Type: Connect, Namespace: "/"}},
	{`0{"sid":"wZX3oN0bSVIhsaknAAAI"}`, Packet{Type: Connect, Namespace: "/", Data: json.RawMessage(`{"sid":"wZX3oN0bSVIhsaknAAAI"}`)}},
	{`0/admin,`, Packet{Type: Connect, Namespace: "/admin"}},
	{`0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}`, Packet{Type: Connect, Namespace: "/admin", Data: json.RawMessage(`{"sid":"oSO0OpakMV_3jnilAAAA"}`)}},
	{`4{"message":"Not authorized"}`, Packet{Type: ConnectError, Namespace: "/", Data: json.RawMessage(`{"message":"Not authorized"}`)}},
	{`2["foo"]`, Packet{Type: Event, Namespace: "/", Event: "foo", Args: raw()}},
	{`2/admin,["bar"]`, Packet{Type: Event, Namespace: "/admin", Event: "bar", Args: raw()}},
	{`212["foo"]`, Packet{Type: Event, Namespace: "/", HasID: true, ID: 12, Event: "foo", Args: raw()}},
	{`312[]`, Packet{Type: Ack, Namespace: "/", HasID: true, ID: 12, Args: raw()}},
	{`2/admin,13["foo"]`, Packet{Type: Event, Namespace: "/admin", HasID: true, ID: 13, Event: "foo", Args: raw()}},
	{`3/admin,13["bar"]`, Packet{Type: Ack, Namespace: "/admin", HasID: true, ID: 13, Args: raw(`"bar"`)}},
	{`314["bar"]`, Packet{Type: Ack, Namespace: "/", HasID: true, ID: 14, Args: raw(`"bar"`)}},
	{`1`, Packet{Type: Disconnect, Namespace: "/"}},
	{`1/admin,`, Packet{Type: Disconnect, Namespace: "/admin"}},
	// Signalbox-shaped traffic.
	{`2["create or join","room-1"]`, Packet{Type: Event, Namespace: "/", Event: "create or join", Args: raw(`"room-1"`)}},
	{`20["message",{"type":"offer","sdp":"v=0"},3]`, Packet{Type: Event, Namespace: "/", HasID: true, ID: 0, Event: "message", Args: raw(`{"type":"offer","sdp":"v=0"}`, `3`)}},
	{`0{"token":"123"}`, Packet{Type: Connect, Namespace: "/", Data: json.RawMessage(`{"token":"123"}`)}},
	{`39007199254740991[]`, Packet{Type: Ack, Namespace: "/", HasID: true, ID: MaxID, Args: raw()}},
}

func TestDecodeSpecExamples(t *testing.T) {
	for _, tc := range specExamples {
		got, err := Decode(tc.wire)
		if err != nil {
			t.Errorf("Decode(%q) error %v", tc.wire, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.p) {
			t.Errorf("Decode(%q) = %+v, want %+v", tc.wire, got, tc.p)
		}
	}
}

func TestEncodeSpecExamples(t *testing.T) {
	for _, tc := range specExamples {
		got, err := Encode(tc.p)
		if err != nil {
			t.Errorf("Encode(%+v) error %v", tc.p, err)
			continue
		}
		if got != tc.wire {
			t.Errorf("Encode(%+v) = %q, want %q", tc.p, got, tc.wire)
		}
	}
}

// Inputs the reference decoder accepts in a looser form than the encoder
// writes.
func TestDecodeLenient(t *testing.T) {
	tests := []struct {
		wire string
		want Packet
	}{
		{`0/admin`, Packet{Type: Connect, Namespace: "/admin"}}, // namespace up to the end, no comma
		{`2/,["a"]`, Packet{Type: Event, Namespace: "/", Event: "a", Args: raw()}},
		{`2007["a"]`, Packet{Type: Event, Namespace: "/", HasID: true, ID: 7, Event: "a", Args: raw()}},
		{`2 [ "a" , 1 ]`, Packet{Type: Event, Namespace: "/", Event: "a", Args: raw(`1`)}},
		{`4"refused"`, Packet{Type: ConnectError, Namespace: "/", Data: json.RawMessage(`"refused"`)}},
		{`2/chat,["a",{"x":[1,2]},null,"é"]`, Packet{Type: Event, Namespace: "/chat", Event: "a", Args: raw(`{"x":[1,2]}`, `null`, `"é"`)}},
	}
	for _, tc := range tests {
		got, err := Decode(tc.wire)
		if err != nil {
			t.Errorf("Decode(%q) error %v", tc.wire, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Decode(%q) = %+v, want %+v", tc.wire, got, tc.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		wire string
		want error
	}{
		{``, ErrEmpty},
		{`7`, ErrUnknownType},
		{`a["x"]`, ErrUnknownType},
		{`5["x"]`, ErrBadAttachments},
		{`5-["x"]`, ErrBadAttachments},
		{`565-["x"]`, ErrBadAttachments}, // over MaxAttachments
		{`5x-["x"]`, ErrBadAttachments},
		{`51-`, ErrBadPayload},
		{`61-1`, ErrBadPayload},
		{`51-[1]`, ErrBadPayload},
		{"0/a\x1eb,", ErrBadNamespace}, // would split a polling payload if echoed
		{"2/a\x00,[\"x\"]", ErrBadNamespace},
		{"0/\xff", ErrBadNamespace},
		{"50-/a\x7f,[\"x\"]", ErrBadNamespace},
		{`2`, ErrBadPayload},               // EVENT needs its array
		{`212`, ErrBadPayload},             // ... even with an id
		{`3/admin,1`, ErrBadPayload},       // ACK needs its array
		{`2[]`, ErrBadPayload},             // no event name
		{`2[1]`, ErrBadPayload},            // numeric event name: refused here
		{`2{"a":1}`, ErrBadPayload},        // not an array
		{`2null`, ErrBadPayload},           // null is no array
		{`2["a"`, ErrBadPayload},           // truncated
		{`2["a"]x`, ErrBadPayload},         // trailing garbage
		{`2["a"]["b"]`, ErrBadPayload},     // two values
		{`3{}`, ErrBadPayload},             // ACK payload must be an array
		{`0[]`, ErrBadPayload},             // CONNECT payload must be an object
		{`0"token"`, ErrBadPayload},        // ... not a string
		{`0{`, ErrBadPayload},              // ... and valid
		{`1{}`, ErrBadPayload},             // DISCONNECT carries nothing
		{`4[]`, ErrBadPayload},             // CONNECT_ERROR: object or string
		{`2["connect"]`, ErrReservedEvent}, // reserved names
		{`2["disconnect",1]`, ErrReservedEvent},
		{`2/a,1["removeListener"]`, ErrReservedEvent},
		{`29007199254740992["a"]`, ErrBadID}, // over MaxID
		{`299999999999999999999["a"]`, ErrBadID},
	}
	for _, tc := range tests {
		_, err := Decode(tc.wire)
		if !errors.Is(err, tc.want) {
			t.Errorf("Decode(%q) error = %v, want %v", tc.wire, err, tc.want)
		}
	}
}

func TestDecodeBinary(t *testing.T) {
	tests := []struct {
		wire string
		want Packet
	}{
		{`52-/admin,3["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, Packet{
			Type: BinaryEvent, Namespace: "/admin", HasID: true, ID: 3, Attachments: 2, Event: "baz",
			Args: raw(`{"_placeholder":true,"num":0}`, `{"_placeholder":true,"num":1}`),
		}},
		{`61-15[{"_placeholder":true,"num":0}]`, Packet{
			Type: BinaryAck, Namespace: "/", HasID: true, ID: 15, Attachments: 1,
			Args: raw(`{"_placeholder":true,"num":0}`),
		}},
		{`50-["x"]`, Packet{Type: BinaryEvent, Namespace: "/", Event: "x", Args: []json.RawMessage{}}},
	}
	for _, tc := range tests {
		got, err := Decode(tc.wire)
		if err != nil {
			t.Errorf("Decode(%q) error %v", tc.wire, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Decode(%q) = %+v, want %+v", tc.wire, got, tc.want)
		}
		if back, err := Encode(got); err != nil || back != tc.wire {
			t.Errorf("Encode(Decode(%q)) = %q, %v", tc.wire, back, err)
		}
	}
}

func TestReconstruct(t *testing.T) {
	attach := func(num int) json.RawMessage { return json.RawMessage(`"att` + string(rune('0'+num)) + `"`) }
	tests := []struct {
		name string
		args []json.RawMessage
		n    int
		want []json.RawMessage
		err  error
	}{
		{"top level", raw(`{"_placeholder":true,"num":0}`), 1, raw(`"att0"`), nil},
		{"nested, order kept", raw(`{"z":1,"a":[{"_placeholder":true,"num":1},{"x":{"num":0,"_placeholder":true}}],"m":"_placeholder"}`), 2,
			raw(`{"z":1,"a":["att1",{"x":"att0"}],"m":"_placeholder"}`), nil},
		{"untouched", raw(`1`, `"s"`), 0, raw(`1`, `"s"`), nil},
		{"not a placeholder", raw(`{"_placeholder":false,"num":0}`), 1, raw(`{"_placeholder":false,"num":0}`), nil},
		{"num out of range", raw(`{"_placeholder":true,"num":1}`), 1, nil, ErrBadAttachments},
		{"num not a number", raw(`{"_placeholder":true,"num":"0"}`), 1, nil, ErrBadAttachments},
		{"no num", raw(`{"_placeholder":true}`), 1, nil, ErrBadAttachments},
	}
	for _, tc := range tests {
		got, err := Reconstruct(tc.args, tc.n, attach)
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Reconstruct = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestDeconstruct(t *testing.T) {
	match := func(obj []Member) ([]byte, bool) {
		if len(obj) == 1 && obj[0].Name == "bin" {
			return []byte(obj[0].Value), true
		}
		return nil, false
	}
	args, atts, err := Deconstruct(raw(`[{"bin":1},{"a":{"bin":2}}]`, `"bin"`, `{"bin":3,"x":0}`), "bin", match)
	if err != nil {
		t.Fatal(err)
	}
	want := raw(`[{"_placeholder":true,"num":0},{"a":{"_placeholder":true,"num":1}}]`, `"bin"`, `{"bin":3,"x":0}`)
	if !reflect.DeepEqual(args, want) {
		t.Errorf("args = %s, want %s", args, want)
	}
	if len(atts) != 2 || string(atts[0]) != "1" || string(atts[1]) != "2" {
		t.Errorf("attachments = %q, want [1 2]", atts)
	}
	many := "[" + strings.Repeat(`{"bin":0},`, MaxAttachments) + `{"bin":0}]`
	if _, _, err := Deconstruct(raw(many), "bin", match); !errors.Is(err, ErrBadAttachments) {
		t.Errorf("%d markers: error %v, want ErrBadAttachments", MaxAttachments+1, err)
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		p    Packet
		want error
	}{
		{"attachments on a text type", Packet{Type: Event, Event: "x", Attachments: 1}, ErrBadAttachments},
		{"too many attachments", Packet{Type: BinaryAck, Attachments: MaxAttachments + 1}, ErrBadAttachments},
		{"namespace with a record separator", Packet{Type: Connect, Namespace: "/a\x1e"}, ErrBadNamespace},
		{"unknown type", Packet{Type: 9}, ErrUnknownType},
		{"negative type", Packet{Type: -1}, ErrUnknownType},
		{"namespace without slash", Packet{Type: Connect, Namespace: "admin"}, ErrBadNamespace},
		{"namespace with comma", Packet{Type: Connect, Namespace: "/a,b"}, ErrBadNamespace},
		{"id too big", Packet{Type: Ack, HasID: true, ID: MaxID + 1}, ErrBadID},
		{"reserved event", Packet{Type: Event, Event: "connect_error"}, ErrReservedEvent},
		{"bad argument", Packet{Type: Event, Event: "x", Args: raw(`{`)}, ErrBadPayload},
		{"empty argument", Packet{Type: Ack, Args: raw(``)}, ErrBadPayload},
		{"connect with array", Packet{Type: Connect, Data: json.RawMessage(`[1]`)}, ErrBadPayload},
		{"connect with string", Packet{Type: Connect, Data: json.RawMessage(`"x"`)}, ErrBadPayload},
		{"connect with bad json", Packet{Type: Connect, Data: json.RawMessage(`{"a":}`)}, ErrBadPayload},
		{"connect error with number", Packet{Type: ConnectError, Data: json.RawMessage(`3`)}, ErrBadPayload},
		{"disconnect with data", Packet{Type: Disconnect, Data: json.RawMessage(`{}`)}, ErrBadPayload},
	}
	for _, tc := range tests {
		_, err := Encode(tc.p)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: Encode(%+v) error = %v, want %v", tc.name, tc.p, err, tc.want)
		}
	}
}

func TestEncodeEscapesEventName(t *testing.T) {
	got, err := Encode(Packet{Type: Event, Event: "say \"hi\"\x1e", Args: raw(`"a"`)})
	if err != nil {
		t.Fatal(err)
	}
	const want = `2["say \"hi\"\u001e","a"]`
	if got != want {
		t.Errorf("Encode = %q, want %q", got, want)
	}
}

func TestTypeString(t *testing.T) {
	tests := map[Type]string{Connect: "CONNECT", ConnectError: "CONNECT_ERROR", BinaryAck: "BINARY_ACK", 9: "Type(9)"}
	for typ, want := range tests {
		if got := typ.String(); got != want {
			t.Errorf("Type(%d).String() = %q, want %q", int(typ), got, want)
		}
	}
}

// FuzzSioDecode checks that Decode never panics and that whatever it
// accepts encodes and decodes back to the same packet.
func FuzzSioDecode(f *testing.F) {
	for _, tc := range specExamples {
		f.Add(tc.wire)
	}
	for _, s := range []string{``, `51-["a",{"_placeholder":true,"num":0}]`, `2/x`, `0/admin`, `2 ["a"]`, `4"x"`, `3/a,1[1,[2],{"3":4}]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Decode(s)
		if err != nil {
			return
		}
		enc, err := Encode(p)
		if err != nil {
			t.Fatalf("Decode(%q) = %+v, but Encode fails: %v", s, p, err)
		}
		again, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(Decode(%q))) = Decode(%q) fails: %v", s, enc, err)
		}
		if !reflect.DeepEqual(normalize(again), normalize(p)) {
			t.Fatalf("round trip of %q through %q: %+v, want %+v", s, enc, again, p)
		}
	})
}

// normalize compacts raw JSON so packets compare by value, not by the
// whitespace they were written with.
func normalize(p Packet) Packet {
	p.Data = compact(p.Data)
	args := make([]json.RawMessage, len(p.Args))
	for i, a := range p.Args {
		args[i] = compact(a)
	}
	p.Args = args
	return p
}

func compact(m json.RawMessage) json.RawMessage {
	if m == nil {
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, m); err != nil {
		return m
	}
	return b.Bytes()
}

// The codec stays pure: no transport, no HTTP, no hub, no desktop app;
// beyond the standard library, only jsontext, the mirror of Go's
// encoding/json/v2.
func TestImports(t *testing.T) {
	forbiddenPrefixes := []string{
		"net",
		"signalbox/",
		"github.com/",
	}
	allowed := map[string]bool{"github.com/go-json-experiment/json/jsontext": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbiddenPrefixes {
				if strings.HasPrefix(path, bad) && !allowed[path] {
					t.Errorf("%s imports %s", name, path)
				}
			}
		}
	}
}

// FuzzDecodeArray checks the array splitter against encoding/json: the
// same arrays accepted, split into the same elements.
func FuzzDecodeArray(f *testing.F) {
	for _, s := range []string{`[]`, ` [ ] `, `["message",{"a":[1,2,{"b":"],\"["}]},null]`, `[ "x" , 1 ,[ ] ]`, `["\\",","]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want []json.RawMessage
		werr := json.Unmarshal([]byte(s), &want)
		got, err := decodeArray(s)
		if jsonKind(s) != '[' || werr != nil {
			if err == nil {
				t.Fatalf("decodeArray(%q) = %q, but encoding/json refuses it: %v", s, got, werr)
			}
			return
		}
		if err != nil || len(got) != len(want) {
			t.Fatalf("decodeArray(%q) = %q, %v; want %q", s, got, err, want)
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("decodeArray(%q)[%d] = %q, want %q", s, i, got[i], want[i])
			}
		}
	})
}

// FuzzReconstruct checks that putting values in place of placeholders, and
// taking them out again, never panics and always leaves valid JSON.
func FuzzReconstruct(f *testing.F) {
	for _, s := range []string{`{"_placeholder":true,"num":0}`, `[{"a":{"_placeholder":true,"num":1}},"_placeholder"]`, `{"_placeholder":true}`, `{"_placeholder":true,"num":-1}`, `{"b":{"x":1}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return
		}
		args, err := Reconstruct(raw(s), 2, func(num int) json.RawMessage { return json.RawMessage(`{"b":{"x":` + strconv.Itoa(num) + `}}`) })
		if err != nil {
			if !errors.Is(err, ErrBadAttachments) {
				t.Fatalf("Reconstruct(%q) error %v, want ErrBadAttachments", s, err)
			}
			return
		}
		if !json.Valid(args[0]) {
			t.Fatalf("Reconstruct(%q) = %q, not JSON", s, args[0])
		}
		out, _, err := Deconstruct(args, `"b"`, func(obj []Member) ([]byte, bool) {
			return nil, len(obj) == 1 && obj[0].Name == "b"
		})
		if err == nil && !json.Valid(out[0]) {
			t.Fatalf("Deconstruct(%q) = %q, not JSON", args[0], out[0])
		}
	})
}

// BenchmarkDecodeEvent measures decoding the commonest packet relayed: the
// tutorial's "message" event carrying an ICE candidate.
func BenchmarkDecodeEvent(b *testing.B) {
	pk := `2["message",{"type":"candidate","label":0,"id":"0","candidate":"candidate:842163049 1 udp 1677729535 192.168.1.23 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag ` + strings.Repeat("a", 160) + `"},"room-1"]`
	b.SetBytes(int64(len(pk)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(pk); err != nil {
			b.Fatal(err)
		}
	}
}
