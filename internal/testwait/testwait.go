package testwait

import (
	"testing"
	"time"
)

// poll is how often Until asks again.
const poll = 2 * time.Millisecond

// Until polls cond until it holds, and fails the test if it does not
// within limit. The limit is a generous bound for a loaded machine, never a
// measurement.
func Until(t testing.TB, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		<-tick.C
	}
}
