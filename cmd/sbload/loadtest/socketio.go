package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/gorilla/websocket"
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
	c := &sioConn{ws: ws, recv: recv, connected: make(signal), partnerIn: make(signal),
		joined: make(chan error, 1), done: make(chan struct{})}
	go c.read()
	if err := wait(ctx, c.connected, c.done, c.err); err != nil {
		ws.Close()
		return nil, fmt.Errorf("waiting for socket.io connect: %w", err)
	}
	return c, nil
}

// sioConn is one socket.io client. Its reader goroutine is the only
// reader and answers the server's pings; writes are serialised by wmu.
type sioConn struct {
	ws        *websocket.Conn
	recv      Receiver
	connected signal
	partnerIn signal
	joined    chan error
	done      chan struct{}

	mu      sync.Mutex
	readErr error

	wmu  sync.Mutex
	wbuf []byte
}

func (c *sioConn) read() {
	defer close(c.done)
	var buf bytes.Buffer
	for {
		_, r, err := c.ws.NextReader()
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			c.mu.Unlock()
			return
		}
		frame := buf.Bytes()
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

func (c *sioConn) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr
}

func (c *sioConn) Join(ctx context.Context, room string) error {
	arg, _ := json.Marshal(room)
	if err := c.write(append([]byte(`42["create or join",`), append(arg, ']')...)); err != nil {
		return err
	}
	select {
	case err := <-c.joined:
		return err
	case <-c.done:
		return fmt.Errorf("join: %w", errConnClosed)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *sioConn) WaitPartner(ctx context.Context) error {
	return wait(ctx, c.partnerIn, c.done, c.err)
}

func (c *sioConn) Send(payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	b := append(c.wbuf[:0], sioMessage...)
	b = append(b, payload...)
	b = append(b, ']')
	c.wbuf = b
	return c.writeLocked(b)
}

func (c *sioConn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(b)
}

func (c *sioConn) writeLocked(b []byte) error {
	c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// Close disconnects from the namespace and closes the WebSocket, as
// socket.disconnect() does in a browser.
func (c *sioConn) Close() error {
	c.wmu.Lock()
	_ = c.writeLocked([]byte("41"))
	_ = c.ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.wmu.Unlock()
	return closeAfter(c.ws, c.done)
}

func (c *sioConn) Done() <-chan struct{} { return c.done }
