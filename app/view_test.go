package app

import (
	"encoding/json"
	"fmt"
	"maps"
	"testing"

	"signalbox/signaling"
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

// TestViewMarksChatOnlyPeers checks the window learns which peers joined
// to chat only, and that the others carry no chatOnly field at all.
func TestViewMarksChatOnlyPeers(t *testing.T) {
	hub := newHub(t, 4)
	join(t, hub, "lab", "Ana", androidUA)
	p, err := hub.Connect(signaling.ConnInfo{RemoteAddr: "127.0.0.1:5000", Transport: "websocket"}, testLink{})
	if err != nil {
		t.Fatal(err)
	}
	if err := hub.JoinWith(p, "lab", signaling.JoinOptions{Name: "Window", ChatOnly: true}); err != nil {
		t.Fatalf("JoinWith(chat-only) = %v", err)
	}
	var v viewer
	view, _ := v.view(hub.Snapshot())
	peers := view.Rooms[0].Peers
	if len(peers) != 2 || peers[0].ChatOnly || !peers[1].ChatOnly {
		t.Fatalf("room peers = %+v, want Ana in a call and Window chat-only", peers)
	}
	data, err := json.Marshal(peers)
	if err != nil {
		t.Fatal(err)
	}
	var raw []map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw[0]["chatOnly"]; ok || raw[1]["chatOnly"] != true {
		t.Errorf("JSON peers = %s, want chatOnly only on Window", data)
	}
}

// TestViewRoutes checks each peer's route: relayed when the relay carries
// its call (its allocation, or its one partner's), direct when it has
// someone to call and the relay carries nothing of it, none when alone or
// chat-only; in a mesh, each peer by its own allocation.
func TestViewRoutes(t *testing.T) {
	hub := newHub(t, 4)
	ana := join(t, hub, "pair-1", "Ana", androidUA)
	join(t, hub, "pair-1", "Ben", androidUA)
	cleo := join(t, hub, "pair-2", "Cleo", androidUA)
	join(t, hub, "alone", "Dev", androidUA)
	eve := join(t, hub, "mesh", "Eve", androidUA)
	join(t, hub, "mesh", "Fay", androidUA)
	join(t, hub, "mesh", "Gus", androidUA)
	for _, tc := range []struct {
		name    string
		relayed map[string]bool
		want    map[string]string
	}{
		{"nothing relayed", nil, map[string]string{"Ana": RouteDirect, "Ben": RouteDirect, "Cleo": "", "Dev": "", "Eve": RouteDirect, "Fay": RouteDirect, "Gus": RouteDirect}},
		// Ben's host candidate with Ana's relay: one allocation, both relayed.
		{"Ana's allocation carries the call", map[string]bool{ana.ID(): true}, map[string]string{"Ana": RouteRelayed, "Ben": RouteRelayed, "Cleo": "", "Dev": "", "Eve": RouteDirect, "Fay": RouteDirect, "Gus": RouteDirect}},
		{"a lone peer's allocation", map[string]bool{cleo.ID(): true}, map[string]string{"Ana": RouteDirect, "Ben": RouteDirect, "Cleo": RouteRelayed, "Dev": "", "Eve": RouteDirect, "Fay": RouteDirect, "Gus": RouteDirect}},
		{"in a mesh, each by its own", map[string]bool{eve.ID(): true}, map[string]string{"Ana": RouteDirect, "Ben": RouteDirect, "Cleo": "", "Dev": "", "Eve": RouteRelayed, "Fay": RouteDirect, "Gus": RouteDirect}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := viewer{relayed: tc.relayed}
			view, _ := v.view(hub.Snapshot())
			got := map[string]string{}
			for _, r := range view.Rooms {
				for _, p := range r.Peers {
					got[p.Name] = p.Route
				}
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("routes = %v, want %v", got, tc.want)
			}
		})
	}
}
