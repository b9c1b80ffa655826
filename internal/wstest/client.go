package wstest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Frame is one frame of the protocol, decoded as JSON.
type Frame map[string]any

// Str returns the string at key, or "".
func (f Frame) Str(key string) string { s, _ := f[key].(string); return s }

// Client is one test connection. ID comes from the welcome, Token from
// the last joined frame, Seq from the last frame read.
type Client struct {
	T       testing.TB
	WS      *websocket.Conn
	Timeout time.Duration // bounds every read
	ID      string
	Token   string
	Seq     float64
}

// Dial connects to url (ws://…/ws), reads the welcome and closes the
// connection when the test ends. timeout bounds every read.
func Dial(t testing.TB, url string, timeout time.Duration) *Client {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	c := &Client{T: t, WS: ws, Timeout: timeout}
	w := c.Read()
	if w.Str("type") != "welcome" {
		t.Fatalf("first frame = %v, want welcome", w)
	}
	c.ID = w["peer"].(map[string]any)["id"].(string)
	return c
}

// Send writes v as a JSON text frame.
func (c *Client) Send(v any) {
	c.T.Helper()
	if err := c.WS.WriteJSON(v); err != nil {
		c.T.Fatalf("send: %v", err)
	}
}

// SendRaw writes b as one frame of kind.
func (c *Client) SendRaw(kind int, b []byte) {
	c.T.Helper()
	if err := c.WS.WriteMessage(kind, b); err != nil {
		c.T.Fatalf("send: %v", err)
	}
}

// Read reads the next frame.
func (c *Client) Read() Frame {
	c.T.Helper()
	_ = c.WS.SetReadDeadline(time.Now().Add(c.Timeout))
	_, b, err := c.WS.ReadMessage()
	if err != nil {
		c.T.Fatalf("read: %v", err)
	}
	var f Frame
	if err := json.Unmarshal(b, &f); err != nil {
		c.T.Fatalf("frame %s: %v", b, err)
	}
	if s, ok := f["seq"].(float64); ok {
		c.Seq = s
	}
	return f
}

// Expect reads the next frame and fails unless its type is typ.
func (c *Client) Expect(typ string) Frame {
	c.T.Helper()
	f := c.Read()
	if f.Str("type") != typ {
		c.T.Fatalf("got frame %v, want type %q", f, typ)
	}
	return f
}

// Await reads frames until one of type typ and returns it, skipping the
// others (pongs, presence) on the way.
func (c *Client) Await(typ string) Frame {
	c.T.Helper()
	for {
		if f := c.Read(); f.Str("type") == typ {
			return f
		}
	}
}

// Join joins room and returns the joined frame.
func (c *Client) Join(room string) Frame {
	c.T.Helper()
	c.Send(Frame{"type": "join", "room": room})
	f := c.Expect("joined")
	c.Token = f.Str("token")
	return f
}

// ExpectClose reads until the server closes, and returns the close code.
func (c *Client) ExpectClose() int {
	c.T.Helper()
	_ = c.WS.SetReadDeadline(time.Now().Add(c.Timeout))
	for {
		_, _, err := c.WS.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		if err != nil {
			c.T.Fatalf("read: %v, want a close frame", err)
		}
	}
}
