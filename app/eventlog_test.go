package app

import (
	"testing"
	"time"
)

func TestEventLog(t *testing.T) {
	var l eventLog
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	if got := l.since(0); len(got) != 0 {
		t.Fatalf("empty log since(0) = %v", got)
	}
	l.add(now, LogEntry{Kind: "a"}, LogEntry{Kind: "b", Time: now.Add(-time.Minute)})
	got := l.since(0)
	if len(got) != 2 || got[0].Seq != 1 || got[1].Seq != 2 || !got[0].Time.Equal(now) || !got[1].Time.Equal(now.Add(-time.Minute)) {
		t.Errorf("since(0) = %+v, want seq 1 stamped now and seq 2 keeping its time", got)
	}
	if got := l.since(1); len(got) != 1 || got[0].Kind != "b" {
		t.Errorf("since(1) = %+v, want [b]", got)
	}
	for range logCapacity + 10 {
		l.add(now, LogEntry{Kind: "x"})
	}
	all := l.since(0)
	if len(all) != logCapacity || all[0].Seq != 13 || all[len(all)-1].Seq != logCapacity+12 {
		t.Errorf("after overflow: %d entries, seq %d..%d; want %d entries, 13..%d",
			len(all), all[0].Seq, all[len(all)-1].Seq, logCapacity, logCapacity+12)
	}
	if got := l.since(5); len(got) != logCapacity {
		t.Errorf("since(a dropped seq) = %d entries, want all %d kept", len(got), logCapacity)
	}
}
