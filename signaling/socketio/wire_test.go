package socketio

import (
	"encoding/json"
	"testing"

	"signalbox/signaling"
)

// The relay's hand-built packet is the one sioproto.Encode builds.
func TestEncodeRelayMatchesEncoder(t *testing.T) {
	for _, data := range []string{`"got user media"`, `{"type":"offer","sdp":"v=0\r\n<&>"}`, `null`, `[1,{"a":"\u00e9"}]`} {
		m := &signaling.Message{Kind: signaling.KindBroadcast, Data: json.RawMessage(data), Peer: signaling.PeerInfo{ID: "Ab-_09xyz"}}
		got, want := string(encodeRelay(m)), event(evMessage, m.Data, m.Peer.ID)
		if got != want {
			t.Errorf("encodeRelay(%s) = %s, want %s", data, got, want)
		}
	}
}
