package app

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestViewLimitsRooms(t *testing.T) {
	hub := newHub(t, 2)
	for i := range maxViewRooms + 7 {
		join(t, hub, fmt.Sprintf("room-%04d", i), "Ana", androidUA)
	}
	join(t, hub, "room-0000", "Ben", "")
	var v viewer
	view, names := v.view(hub.Snapshot())
	if len(view.Rooms) != maxViewRooms || view.Omitted != 7 {
		t.Errorf("view: %d rooms, %d omitted; want %d and 7", len(view.Rooms), view.Omitted, maxViewRooms)
	}
	if view.Stats.Peers != maxViewRooms+8 || len(names) != maxViewRooms+1 {
		t.Errorf("stats count %d peers, names %d; want all peers counted, names of those shown", view.Stats.Peers, len(names))
	}
	if len(v.devices) != 2 {
		t.Errorf("%d user agents parsed, want 2 (each once)", len(v.devices))
	}
}

// BenchmarkView measures one batch on a busy server: snapshot, view and
// the JSON the webview receives, for 2,000 peers in 1,000 rooms (the view
// keeps 500 of them).
func BenchmarkView(b *testing.B) {
	hub := newHub(b, 2)
	for i := range 2000 {
		join(b, hub, fmt.Sprintf("room-%04d", i/2), fmt.Sprintf("Peer %d", i), androidUA)
	}
	var v viewer
	var size int
	b.ReportAllocs()
	for b.Loop() {
		view, _ := v.view(hub.Snapshot())
		data, err := json.Marshal(view)
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.ReportMetric(float64(size), "json-bytes")
}
