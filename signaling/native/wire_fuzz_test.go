package native

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"

	"signalbox/signaling"
)

// FuzzDecodeRequest checks that any frame either decodes to a request
// with the fields its type needs, or fails with a coded error: the decoder
// never panics and never lets an uncoded error reach a client.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"type":"join","room":"math","name":"Ana"}`,
		`{"type":"signal","to":"abc","data":{"candidate":{"candidate":"candidate:1 1 udp 1 10.0.0.2 5000 typ host","sdpMid":"0","sdpMLineIndex":0}}}`,
		`{"type":"broadcast","data":{"chat":"你好"}}`,
		`{"type":"resume","token":"t","lastSeq":12}`,
		`{"type":"leave"}`, `{"type":"ping"}`, `{}`, `[]`, `null`, `{"type":7}`,
		"{\"type\":\"join\",\"room\":\"\xff\"}", `{"type":"signal","to":"x","data":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		req, err := decodeRequest(frame)
		if err != nil {
			if _, ok := signaling.CodeOf(err); !ok {
				t.Fatalf("decodeRequest(%q) error %v has no code", frame, err)
			}
			return
		}
		if err := req.check(); err != nil {
			t.Fatalf("decoded request fails its own check: %v", err)
		}
		if (req.Type == typeSignal || req.Type == typeBroadcast) && !json.Valid(req.Data) {
			t.Fatalf("decoded %s with invalid data %q", req.Type, req.Data)
		}
	})
}

// FuzzDecodeMatchesEncodingJSON checks decodeRequest against the decoder
// it replaced (encoding/json, after a UTF-8 check): whatever it accepts,
// that one decodes to the same request.
func FuzzDecodeMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"type":"join","room":"math","name":"Ana","chatOnly":true,"overflow":false}`,
		`{"type":"signal","to":"abc","data":{"sdp":"v=0\r\n"},"to":"def"}`,
		`{"type":"resume","token":"t","lastSeq":12,"extra":[1,{"a":null}]}`,
		`{"type":"join","room":"\u006dath","name":null}`, ` {"type" : "ping"} `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		req, err := decodeRequest(frame)
		if err != nil {
			return
		}
		var ref request
		if !utf8.Valid(frame) || json.Unmarshal(frame, &ref) != nil {
			t.Fatalf("decodeRequest accepted %q, which encoding/json refuses", frame)
		}
		if !reflect.DeepEqual(req, ref) {
			t.Fatalf("decodeRequest(%q) = %+v, encoding/json %+v", frame, req, ref)
		}
	})
}
