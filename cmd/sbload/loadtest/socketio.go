package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
)

// socketIODriver speaks socket.io v4 (Engine.IO 4, Socket.IO 5) over the
// WebSocket transport alone, frame by frame, with the tutorial's events:
// "create or join" answered by created, joined or full; "join" to the room
// when a second peer arrives; "message" relayed to the room.
type socketIODriver struct{}

func (socketIODriver) Name() string { return "socketio" }

// Engine.IO and Socket.IO frames the client sends or recognises.
var (
	eioPing      = []byte("2")
	eioPong      = []byte("3")
	sioConnect   = []byte("40")
	sioMessage   = []byte(`42["message",`)
	sioEvent     = []byte("42")
	sioConnected = []byte("40{")
)

func (socketIODriver) Dial(ctx context.Context, t Target, recv Receiver) (Conn, error) {
	ws, err := dialWS(ctx, t, t.url("/socket.io/?EIO=4&transport=websocket"))
	if err != nil {
		return nil, err
	}
	c := &sioConn{connected: make(signal)}
	c.init(ws, recv)
	if err := c.start(ctx, c.handle, c.connected, "socket.io connect"); err != nil {
		return nil, err
	}
	return c, nil
}

// sioConn is one socket.io client; its reader answers the server's pings.
type sioConn struct {
	wsClient
	connected signal
}

// handle passes a relayed "message" on and answers the rest.
func (c *sioConn) handle(frame []byte) {
	switch {
	case len(frame) == 0:
	case bytes.HasPrefix(frame, sioMessage):
		c.recv(frame)
	case bytes.Equal(frame, eioPing):
		_ = c.write(eioPong)
	case frame[0] == '0': // Engine.IO open: connect to the main namespace
		_ = c.write(sioConnect)
	case bytes.HasPrefix(frame, sioConnected):
		c.connected.raise()
	case bytes.HasPrefix(frame, sioEvent):
		c.event(frame[len(sioEvent):])
	}
}

// event handles a Socket.IO event other than "message".
func (c *sioConn) event(body []byte) {
	var args []json.RawMessage
	if json.Unmarshal(body, &args) != nil || len(args) == 0 {
		return
	}
	var name string
	if json.Unmarshal(args[0], &name) != nil {
		return
	}
	switch name {
	case "created":
		c.joined <- nil
	case "joined":
		c.joined <- nil
		c.partnerIn.raise()
	case "join", "ready":
		c.partnerIn.raise()
	case "full":
		c.joined <- errRoomFull
	}
}

func (c *sioConn) Join(ctx context.Context, room string) error {
	arg, _ := json.Marshal(room)
	return c.join(ctx, append([]byte(`42["create or join",`), append(arg, ']')...))
}

func (c *sioConn) Send(payload []byte) error {
	return c.send(func(b []byte) []byte {
		b = append(b, sioMessage...)
		b = append(b, payload...)
		return append(b, ']')
	})
}

// Close disconnects from the namespace and closes the WebSocket, as
// socket.disconnect() does in a browser.
func (c *sioConn) Close() error { return c.closeWith([]byte("41")) }
