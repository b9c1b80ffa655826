package natsbus

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"signalbox/signaling"
)

func TestDeliveryRoundTrip(t *testing.T) {
	for _, d := range []signaling.Delivery{
		{Room: "math", Kind: signaling.KindSignal, From: signaling.PeerInfo{ID: "a1", Name: "Ana"}, To: "b2", Data: json.RawMessage(`{"sdp":"v=0"}`)},
		{Room: "math · 2", Kind: signaling.KindBroadcast, From: signaling.PeerInfo{ID: "a1", Name: "Zoë ✓", ChatOnly: true}, Data: json.RawMessage(`"hi"`)},
		{Room: "r", Kind: signaling.KindPeerAway, From: signaling.PeerInfo{ID: "a1", Name: "A"}, Origin: "srv-1"},
		{Room: "r", Kind: signaling.KindPeerRenamed, From: signaling.PeerInfo{ID: "a1", Name: "New name"}, Origin: "srv-1", Renames: 300},
	} {
		got, err := parseDelivery(appendDelivery(nil, &d))
		if err != nil || !reflect.DeepEqual(got, d) {
			t.Errorf("parseDelivery(appendDelivery(%+v)) = %+v, %v", d, got, err)
		}
	}
}

func TestDeliveryMalformed(t *testing.T) {
	good := appendDelivery(nil, &signaling.Delivery{Room: "r", Kind: signaling.KindSignal, From: signaling.PeerInfo{ID: "a"}, To: "b", Data: json.RawMessage(`{}`)})
	badJSON := appendDelivery(nil, &signaling.Delivery{Room: "r", Kind: signaling.KindSignal, Data: json.RawMessage(`{"x":`)})
	huge := append([]byte{deliveryV1, 5, 0, 0}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)
	for name, b := range map[string][]byte{
		"empty":             nil,
		"json":              []byte(`{"d":{}}`),
		"other version":     append([]byte{2}, good[1:]...),
		"truncated":         good[:len(good)-1],
		"header only":       good[:3],
		"renames too large": {deliveryV1, 5, 0, 0x80, 0x80, 0x80, 0x80, 0x10, 0, 0, 0, 0, 0, 0},
		"trailing bytes":    append(append([]byte(nil), good...), 0),
		"data not JSON":     badJSON,
		"length too large":  huge,
	} {
		if d, err := parseDelivery(b); !errors.Is(err, errBadRelay) {
			t.Errorf("%s: parseDelivery = %+v, %v; want errBadRelay", name, d, err)
		}
	}
}

func FuzzParseDelivery(f *testing.F) {
	f.Add(appendDelivery(nil, &signaling.Delivery{Room: "r", Kind: signaling.KindSignal, From: signaling.PeerInfo{ID: "a"}, To: "b", Data: json.RawMessage(`[1]`)}))
	f.Add([]byte{deliveryV1, 1, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := parseDelivery(b)
		if err != nil {
			return
		}
		again, err := parseDelivery(appendDelivery(nil, &d))
		if err != nil || !reflect.DeepEqual(again, d) {
			t.Fatalf("%x decodes to %+v, which re-encodes to %+v, %v", b, d, again, err)
		}
	})
}
