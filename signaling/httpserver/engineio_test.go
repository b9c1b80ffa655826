package httpserver

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The Engine.IO endpoint answers a handshake by any method but GET as the
// reference server does (400, code 2), not with the mux's 405, while the
// bundle files below it stay GET-only.
func TestEngineIOBadHandshakeMethod(t *testing.T) {
	addr := serve(t, newServer(t, Config{}))
	for _, method := range []string{"PUT", "DELETE", "PATCH", "OPTIONS", "POST", "FOO"} {
		req, err := http.NewRequest(method, "http://"+addr+"/socket.io/?EIO=4&transport=polling", nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || strings.TrimSpace(string(body)) != `{"code":2,"message":"Bad handshake method"}` {
			t.Errorf("%s handshake = %d %s, want 400 Bad handshake method", method, res.StatusCode, body)
		}
	}
	res, err := http.Post("http://"+addr+"/socket.io/socket.io.js", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST to a bundle file = %d, want 405", res.StatusCode)
	}
}
