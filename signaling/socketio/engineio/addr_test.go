package engineio

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestSessionsPerAddress: one address holds at most MaxSessionsPerAddr
// sessions, counted from the handshake (before the client says anything
// else); a closed session frees its place.
func TestSessionsPerAddress(t *testing.T) {
	h := newHarness(t, Config{MaxSessionsPerAddr: 2}, newRecorder(false))
	_, s1 := h.openPolling()
	h.openPolling()
	res, err := h.do(context.Background(), http.MethodGet, "EIO=4&transport=polling", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "too many sessions") {
		t.Errorf("third handshake = %d %q, want 429 too many sessions", res.status, res.body)
	}
	s1.Close()
	h.get(s1.ID()) // the close packet: the session ends
	h.openPolling()
}
