package native

import (
	"errors"
	"testing"

	"signalbox/signaling"
)

func TestKeysAreCaseSensitive(t *testing.T) {
	tests := []struct {
		frame string
		ok    bool
	}{
		{`{"type":"ping"}`, true},
		{`{"type":"ping","extra":{"TYPE":"x","Room":[1,"}"]}}`, true}, // nested keys are data
		{`{"type":"broadcast","data":{"Type":"x"}}`, true},
		{`{"type":"ping","note":"\"TYPE\":"}`, true}, // a key-like string inside a value
		{`{"type":"ping","Unknown":1}`, true},
		{`{"TYPE":"ping"}`, false},
		{`{"Type":"ping"}`, false},
		{`{"type":"join","ROOM":"a","room":"b"}`, false},
		{`{"type":"resume","Token":"x","token":"y"}`, false},
		{`{"type":"resume","token":"y","lastseq":3}`, false},
		{`{"\u0054YPE":"ping"}`, false},
		{`{"\u0074ype":"ping"}`, true}, // an escape, but exactly "type"
		{` { "type" : "ping" , "chatonly" : true } `, false},
	}
	for _, tt := range tests {
		_, err := decodeRequest([]byte(tt.frame))
		if tt.ok && err != nil {
			t.Errorf("decodeRequest(%s) = %v, want ok", tt.frame, err)
		}
		if !tt.ok && !errors.Is(err, signaling.ErrBadField) {
			t.Errorf("decodeRequest(%s) = %v, want bad-field", tt.frame, err)
		}
	}
}
