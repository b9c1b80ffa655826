package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// nativeDriver speaks Signalbox's native protocol (docs/protocol.md) at /ws
// and relays with "signal" to the partner's id.
type nativeDriver struct{}

func (nativeDriver) Name() string { return "native" }

func (nativeDriver) Dial(ctx context.Context, t Target, recv Receiver) (Conn, error) {
	ws, err := dialWS(ctx, t, t.url("/ws"))
	if err != nil {
		return nil, err
	}
	c := &nativeConn{ws: ws, recv: recv, welcome: make(signal), partnerIn: make(signal),
		joined: make(chan error, 1), done: make(chan struct{})}
	go c.read()
	if err := wait(ctx, c.welcome, c.done, c.err); err != nil {
		ws.Close()
		return nil, fmt.Errorf("waiting for welcome: %w", err)
	}
	return c, nil
}

// nativeConn is one native-protocol client. Its reader goroutine is the only
// reader; writes are serialised by wmu.
type nativeConn struct {
	ws        *websocket.Conn
	recv      Receiver
	welcome   signal
	partnerIn signal
	joined    chan error
	done      chan struct{}

	mu      sync.Mutex
	partner string
	readErr error

	wmu  sync.Mutex
	wbuf []byte
}

// serverFrame is the part of a server frame the client needs outside the
// relay hot path.
type serverFrame struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Request string `json:"request"`
	Peer    struct {
		ID string `json:"id"`
	} `json:"peer"`
	Peers []struct {
		ID string `json:"id"`
	} `json:"peers"`
}

var typeSignal = []byte(`"type":"signal"`)

func (c *nativeConn) read() {
	defer close(c.done)
	var buf bytes.Buffer
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			c.mu.Unlock()
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			c.mu.Lock()
			c.readErr = err
			c.mu.Unlock()
			return
		}
		frame := buf.Bytes()
		if head := frame[:min(len(frame), 48)]; bytes.Contains(head, typeSignal) {
			c.recv(frame)
			continue
		}
		c.control(frame)
	}
}

// control handles every frame but a relayed one.
func (c *nativeConn) control(frame []byte) {
	var f serverFrame
	if err := json.Unmarshal(frame, &f); err != nil {
		return
	}
	switch f.Type {
	case "welcome":
		c.welcome.raise()
	case "joined":
		if len(f.Peers) > 0 {
			c.setPartner(f.Peers[0].ID)
		}
		c.joined <- nil
	case "peer-joined":
		c.setPartner(f.Peer.ID)
	case "broadcast":
		c.recv(frame)
	case "error":
		if f.Request == "join" {
			err := fmt.Errorf("%s: %w", f.Code, errRefused)
			if f.Code == "room-full" {
				err = errRoomFull
			}
			c.joined <- err
		}
	}
}

func (c *nativeConn) setPartner(id string) {
	c.mu.Lock()
	c.partner = id
	c.mu.Unlock()
	c.partnerIn.raise()
}

func (c *nativeConn) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr
}

func (c *nativeConn) Join(ctx context.Context, room string) error {
	b, _ := json.Marshal(map[string]string{"type": "join", "room": room})
	if err := c.write(b); err != nil {
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

func (c *nativeConn) WaitPartner(ctx context.Context) error {
	return wait(ctx, c.partnerIn, c.done, c.err)
}

func (c *nativeConn) Send(payload []byte) error {
	c.mu.Lock()
	to := c.partner
	c.mu.Unlock()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	b := append(c.wbuf[:0], `{"type":"signal","to":"`...)
	b = append(b, to...)
	b = append(b, `","data":`...)
	b = append(b, payload...)
	b = append(b, '}')
	c.wbuf = b
	return c.writeLocked(b)
}

func (c *nativeConn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(b)
}

func (c *nativeConn) writeLocked(b []byte) error {
	c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

func (c *nativeConn) Close() error {
	c.wmu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.wmu.Unlock()
	return closeAfter(c.ws, c.done)
}

func (c *nativeConn) Done() <-chan struct{} { return c.done }

// closeLinger bounds how long Close waits for the server's close frame.
const closeLinger = 2 * time.Second

// closeAfter waits for the server to answer the close handshake (the
// reader then ends), then closes the socket.
func closeAfter(ws *websocket.Conn, done <-chan struct{}) error {
	t := time.NewTimer(closeLinger)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
	return ws.Close()
}

// itoa is strconv.Itoa, short.
func itoa(n int) string { return strconv.Itoa(n) }
