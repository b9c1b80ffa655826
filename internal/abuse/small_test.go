package abuse

import (
	"io"
	"net/http"
	"testing"

	"signalbox/signaling"
	"signalbox/signaling/httpserver"
	"signalbox/signaling/socketio/engineio"
)

// TestSocketIOHandshakesPerAddress is repro 7 of issue 11 (socket.io
// sessions before CONNECT): one address opening handshakes in a loop gets
// at most its share; another address still connects.
func TestSocketIOHandshakesPerAddress(t *testing.T) {
	const tries = 300
	s := startServer(t, httpserver.Config{Hub: signaling.Config{LimitLoopback: true}})
	from := httpFrom(device(3000))
	opened, refused := 0, 0
	for range tries {
		resp, err := from.Get("http://" + s.addr + "/socket.io/?EIO=4&transport=polling")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			opened++
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("handshake answered %d", resp.StatusCode)
		}
	}
	resp, err := httpFrom(device(3001)).Get("http://" + s.addr + "/socket.io/?EIO=4&transport=polling")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("another address's handshake: %v %v", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
	t.Logf("FIGURES repro 7: %d socket.io handshakes from one address: %d opened, %d refused (limit %d)", tries, opened, refused, engineio.DefaultMaxSessionsPerAddr)
	if opened != engineio.DefaultMaxSessionsPerAddr {
		t.Errorf("one address opened %d sessions, want the limit %d", opened, engineio.DefaultMaxSessionsPerAddr)
	}
}

// TestSmallItems is the rest of repro 7 of issue 11, each as a hostile
// client tries it: a resume token works once (it rotates), keys are
// case-sensitive, blank-looking room names are refused, and no path
// reaches the window page.
func TestSmallItems(t *testing.T) {
	s := startServer(t, httpserver.Config{Client: clientFiles(), Hub: signaling.Config{LimitLoopback: true}})

	t.Run("resume token rotates", func(t *testing.T) {
		a, err := dialWS(s, device(1))
		if err != nil {
			t.Fatal(err)
		}
		if err := a.send(map[string]any{"type": "join", "room": "resume"}); err != nil {
			t.Fatal(err)
		}
		joined, err := a.await("joined")
		if err != nil {
			t.Fatal(err)
		}
		old := joined.str("token")
		a.reset()
		b, err := dialWS(s, device(1))
		if err != nil {
			t.Fatal(err)
		}
		defer b.close()
		b.send(map[string]any{"type": "resume", "token": old})
		resumed, err := b.await("resumed")
		if err != nil {
			t.Fatal(err)
		}
		if fresh := resumed.str("token"); fresh == "" || fresh == old {
			t.Errorf("resumed token = %q, want a new one (old %q)", fresh, old)
		}
		c, err := dialWS(s, device(1))
		if err != nil {
			t.Fatal(err)
		}
		defer c.close()
		c.send(map[string]any{"type": "resume", "token": old})
		if f, _ := c.await("resumed"); f.str("code") != string(signaling.CodeBadToken) {
			t.Errorf("second resume with the old token: %v, want bad-token", f)
		}
	})

	t.Run("keys are case-sensitive", func(t *testing.T) {
		c, err := dialWS(s, device(2))
		if err != nil {
			t.Fatal(err)
		}
		defer c.close()
		for _, raw := range []string{`{"TYPE":"ping"}`, `{"type":"join","ROOM":"x","room":"y"}`, `{"Type":"ping"}`, `{"\u0054ype":"ping"}`} {
			c.ws.WriteMessage(1, []byte(raw))
			if f, _ := c.await("pong"); f.str("code") != string(signaling.CodeBadField) {
				t.Errorf("%s answered %v, want bad-field", raw, f)
			}
		}
		c.ws.WriteMessage(1, []byte(`{"type":"ping","Extra":1}`))
		if _, err := c.await("pong"); err != nil {
			t.Errorf("an unknown key was not ignored: %v", err)
		}
	})

	t.Run("blank-looking room names", func(t *testing.T) {
		c, err := dialWS(s, device(3))
		if err != nil {
			t.Fatal(err)
		}
		defer c.close()
		for _, name := range []string{"\u3164", "\u2800", "\u3164\u3164", "math\u3164", "\uFFA0", " \u2003 "} {
			c.send(map[string]any{"type": "join", "room": name})
			if f, _ := c.await("joined"); f.str("code") != string(signaling.CodeBadRoomName) {
				t.Errorf("join %q answered %v, want bad-room-name", name, f)
			}
		}
	})

	t.Run("no path reaches the window page", func(t *testing.T) {
		for _, p := range []string{"/window.html", "/foo/..%2fwindow.html", "/foo/%2e%2e/window.html", "//window.html", "/./window.html", "/r/..%2f..%2fwindow.html"} {
			resp, err := http.Get("http://" + s.addr + p)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) == "window page" {
				t.Errorf("GET %s served the window page", p)
			}
		}
	})
}
