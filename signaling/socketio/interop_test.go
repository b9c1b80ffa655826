package socketio_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gorilla/websocket"

	"signalbox/signaling"
	"signalbox/signaling/socketio"
)

// TestNativeAndSocketIOShareRoom puts a native peer and a socket.io peer in
// one room: each sees the other join, leave and relay.
func TestNativeAndSocketIOShareRoom(t *testing.T) {
	env := newEnv(t, signaling.Config{RoomCapacity: 2}, socketio.Config{})
	nat := env.dialNative(t)
	nat.send(map[string]string{"type": "join", "room": "mix", "name": "Nat"})
	nat.expect("joined")

	sio := env.dial(t)
	sid := sio.connect(map[string]string{"name": "Ada"})
	sio.emit("create or join", "mix")
	sio.expect(e("log"), e("log", logArgs("Room mix has 1 client(s)")), e("log"), e("joined", "mix", sid), e("ready", "mix"))

	var joined struct {
		Peer signaling.PeerInfo
	}
	_ = json.Unmarshal(nat.expect("peer-joined"), &joined)
	if joined.Peer != (signaling.PeerInfo{ID: sid, Name: "Ada"}) {
		t.Fatalf("native peer saw %+v join, want %s Ada", joined.Peer, sid)
	}

	nat.send(map[string]any{"type": "broadcast", "data": map[string]string{"type": "offer", "sdp": "v=0"}})
	sio.expect(e("message", map[string]string{"type": "offer", "sdp": "v=0"}, nat.id))
	nat.send(map[string]any{"type": "signal", "to": sid, "data": map[string]any{"type": "candidate", "label": 0}})
	sio.expect(e("message", map[string]any{"type": "candidate", "label": 0}, nat.id))

	sio.emit("message", map[string]string{"type": "answer", "sdp": "v=0"})
	var relay struct {
		From, Name string
		Data       map[string]string
	}
	_ = json.Unmarshal(nat.expect("broadcast"), &relay)
	if relay.From != sid || relay.Name != "Ada" || relay.Data["type"] != "answer" {
		t.Fatalf("native peer got %+v", relay)
	}
	// The echo is queued after the relay: wait for it, or the leave
	// below could overtake it.
	sio.skipUntil("log") // Got message

	nat.send(map[string]string{"type": "leave"})
	sio.expect(e("log"), e("bye", "mix", nat.id, "left"))

	nat.send(map[string]string{"type": "join", "room": "mix"})
	nat.expect("joined")
	sio.expect(e("join", "mix", nat.id), e("ready", "mix"))

	sio.ws.Close() // the tab closes: the seat is freed at once
	var left struct {
		Peer   signaling.PeerInfo
		Reason string
	}
	_ = json.Unmarshal(nat.expect("peer-left"), &left)
	if left.Peer.ID != sid || left.Reason != "left" {
		t.Fatalf("native peer saw %+v leave", left)
	}
}

// TestPolling runs the tutorial's first steps on the polling transport.
func TestPolling(t *testing.T) {
	env := newEnv(t, signaling.Config{}, socketio.Config{})
	p := env.openPolling(t)
	p.post("40")
	got := packets(p.get())
	if len(got) != 1 || !strings.HasPrefix(got[0], `0{"sid":"`) {
		t.Fatalf("CONNECT answered %q", got)
	}
	if snap := env.hub.Snapshot(); len(snap.Lobby) != 1 || snap.Lobby[0].Transport != "socket.io/polling" {
		t.Fatalf("lobby = %+v, want one socket.io/polling peer", snap.Lobby)
	}
	p.post("42[\"create or join\",\"p\"]\x1e421[\"ipaddr\"]")
	var all []string
	for len(all) < 7 {
		all = append(all, packets(p.get())...)
	}
	if !strings.HasPrefix(all[3], `2["created","p",`) || all[6] != `31[{"ok":true,"addresses":["10.1.2.3","192.168.5.6"]}]` {
		t.Fatalf("got %q", all)
	}

	// The upgrade to a WebSocket shows in the snapshot (the window's
	// transport column).
	ws, _, err := websocket.DefaultDialer.Dial(env.wsURL(socketio.Path+"?EIO=4&transport=websocket&sid="+url.QueryEscape(p.sid)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	for _, pk := range []string{"2probe", "5"} {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(pk)); err != nil {
			t.Fatal(err)
		}
		if pk == "2probe" {
			if _, b, err := ws.ReadMessage(); err != nil || string(b) != "3probe" {
				t.Fatalf("probe answered %q, %v", b, err)
			}
		}
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`42["ipaddr"]`)); err != nil {
		t.Fatal(err)
	}
	// Once an event sent over the WebSocket has been answered there, the
	// session is on it.
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(string(b), `42["ipaddr"`) {
			break
		}
	}
	if snap := env.hub.Snapshot(); len(snap.Rooms) != 1 || snap.Rooms[0].Peers[0].Transport != "socket.io/websocket" {
		t.Fatalf("rooms = %+v, want one socket.io/websocket peer", snap.Rooms)
	}
}

// TestClientFiles checks that the socket.io-client bundle is served from
// the client files, and only its files.
func TestClientFiles(t *testing.T) {
	files := fstest.MapFS{
		"socket.io/socket.io.js":         {Data: []byte("/* client */")},
		"socket.io/socket.io.js.map":     {Data: []byte("{}")},
		"socket.io/socket.io.esm.min.js": {Data: []byte("export{}")},
		"socket.io/other.js":             {Data: []byte("x")},
		"index.html":                     {Data: []byte("<!doctype html>")},
	}
	env := newEnv(t, signaling.Config{}, socketio.Config{Client: files})
	tests := []struct {
		method, path string
		status       int
		contentType  string
	}{
		{"GET", "/socket.io/socket.io.js", 200, "application/javascript; charset=utf-8"},
		{"HEAD", "/socket.io/socket.io.js", 200, "application/javascript; charset=utf-8"},
		{"GET", "/socket.io/socket.io.js.map", 200, "application/json"},
		{"GET", "/socket.io/socket.io.esm.min.js", 200, "application/javascript; charset=utf-8"},
		{"GET", "/socket.io/socket.io.min.js", 404, ""},
		{"GET", "/socket.io/other.js", 404, ""},
		{"GET", "/socket.io/index.html", 404, ""},
		{"GET", "/socket.io/../index.html", 404, ""},
		{"POST", "/socket.io/socket.io.js", 404, ""},
		{"GET", "/socket.io/?EIO=3&transport=polling", 400, "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, env.srv.URL+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.contentType != "" && resp.Header.Get("Content-Type") != tt.contentType {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tt.contentType)
			}
		})
	}

	// A second fetch with the ETag is answered 304.
	resp, err := http.Get(env.srv.URL + "/socket.io/socket.io.js")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("GET", env.srv.URL+"/socket.io/socket.io.js", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation answered %d, want 304", resp.StatusCode)
	}
}
