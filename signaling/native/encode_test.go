package native

import (
	"encoding/json"
	"testing"

	"signalbox/signaling"
)

// TestAppendRelayMatchesMarshal checks the hand-written relay encoder
// against encoding/json on the struct it replaces.
func TestAppendRelayMatchesMarshal(t *testing.T) {
	names := []string{"", "Ana", `Ben "the" \ one`, "<b>&amp;</b>", "tab\there\nnew\rline", "\x00\x01\x1f\b\f",
		"line\u2028sep\u2029", "你好 🎉", "bad\xffutf8", "\x7f"}
	datas := []string{`{}`, `"x"`, `{"candidate":{"candidate":"candidate:1 1 udp 1 10.0.0.2 5000 typ host","sdpMid":"0"}}`, `[1,2.5,true,null]`}
	for _, name := range names {
		for _, data := range datas {
			from := signaling.PeerInfo{ID: "AbC-_123", Name: name}
			for _, typ := range []string{"signal", "broadcast"} {
				want, err := json.Marshal(relayFrame{Type: typ, From: from.ID, Name: from.Name, Data: json.RawMessage(data)})
				if err != nil {
					t.Fatal(err)
				}
				if got := appendRelay(nil, typ, from, json.RawMessage(data)); string(got) != string(want) {
					t.Errorf("appendRelay(%q, %q, %s) =\n %s\nwant\n %s", typ, name, data, got, want)
				}
			}
		}
	}
}

func TestAppendFrameAddsSeq(t *testing.T) {
	from := signaling.PeerInfo{ID: "A", Name: "Ana"}
	tests := []struct {
		m    *signaling.Message
		want string
	}{
		{&signaling.Message{Kind: signaling.KindSignal, Peer: from, Data: json.RawMessage(`{"x":1}`)},
			`{"seq":7,"type":"signal","from":"A","name":"Ana","data":{"x":1}}`},
		{&signaling.Message{Kind: signaling.KindBroadcast, Peer: from, Data: json.RawMessage(`"hi"`)},
			`{"seq":7,"type":"broadcast","from":"A","name":"Ana","data":"hi"}`},
		{&signaling.Message{Kind: signaling.KindFrame, Frame: []byte(`{"type":"pong"}`)}, `{"seq":7,"type":"pong"}`},
		{&signaling.Message{Kind: signaling.KindFrame, Frame: []byte(`{}`)}, `{"seq":7}`},
		{&signaling.Message{Kind: signaling.KindPeerJoined, Room: "r", Peer: from},
			`{"seq":7,"type":"peer-joined","room":"r","peer":{"id":"A","name":"Ana"}}`},
		{&signaling.Message{Kind: signaling.KindPeerLeft, Room: "r", Peer: signaling.PeerInfo{ID: "W", Name: "Window", ChatOnly: true}, Reason: signaling.ReasonLeft},
			`{"seq":7,"type":"peer-left","room":"r","peer":{"id":"W","name":"Window","chatOnly":true},"reason":"left"}`},
	}
	for _, tt := range tests {
		if got := string(appendFrame([]byte("junk")[:0], signaling.Entry{Seq: 7, Msg: tt.m})); got != tt.want {
			t.Errorf("appendFrame(kind %d) = %s, want %s", tt.m.Kind, got, tt.want)
		}
	}
}
