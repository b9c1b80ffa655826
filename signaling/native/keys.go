package native

import (
	"encoding/json"
	"fmt"
	"strings"

	"signalbox/signaling"
)

// requestKeys are the keys of a request object. encoding/json matches
// object keys to struct fields without regard to case, so {"TYPE":"ping"}
// would pass for {"type":"ping"}; the protocol says keys are
// case-sensitive, and checkKeys holds it to that.
var requestKeys = []string{"type", "room", "name", "to", "data", "token", "lastSeq", "chatOnly"}

// checkKeys refuses a frame, valid JSON already decoded, whose top-level
// object has a key that differs from a request key only in case: it would
// have been taken for that key. Other unknown keys are ignored, as the
// protocol says. Hand-written: encoding/json has no case-sensitive mode
// (encoding/json/v2, which has, is not in the standard library yet); the
// scan skips values without decoding them and allocates only for keys
// with escapes.
func checkKeys(frame []byte) error {
	depth := 0
	for i := 0; i < len(frame); i++ {
		switch frame[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case '"':
			end := stringEnd(frame, i)
			if depth == 1 && isKey(frame, end) {
				if err := checkKey(frame[i : end+1]); err != nil {
					return err
				}
			}
			i = end
		}
	}
	return nil
}

// stringEnd returns the index of the quote closing the string that opens
// at frame[start].
func stringEnd(frame []byte, start int) int {
	for i := start + 1; i < len(frame); i++ {
		switch frame[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(frame) - 1 // unreachable for valid JSON
}

// isKey reports whether the string closing at end is followed by a colon.
func isKey(frame []byte, end int) bool {
	for i := end + 1; i < len(frame); i++ {
		switch frame[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}

// checkKey checks one quoted key.
func checkKey(quoted []byte) error {
	key := string(quoted[1 : len(quoted)-1])
	if strings.ContainsRune(key, '\\') {
		if json.Unmarshal(quoted, &key) != nil {
			return nil // unreachable: the frame decoded
		}
	}
	for _, k := range requestKeys {
		if key != k && strings.EqualFold(key, k) {
			return fmt.Errorf("key %q: keys are case-sensitive, did you mean %q? %w", truncate(key, 32), k, signaling.ErrBadField)
		}
	}
	return nil
}
