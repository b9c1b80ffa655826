package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
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
	c := &nativeConn{welcome: make(signal)}
	c.init(ws, recv)
	if err := c.start(ctx, c.handle, c.welcome, "welcome"); err != nil {
		return nil, err
	}
	return c, nil
}

// nativeConn is one native-protocol client.
type nativeConn struct {
	wsClient
	welcome signal
	partner string // guarded by mu
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

// handle passes a relayed frame on and parses the others.
func (c *nativeConn) handle(frame []byte) {
	if head := frame[:min(len(frame), 48)]; bytes.Contains(head, typeSignal) {
		c.recv(frame)
		return
	}
	c.control(frame)
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

func (c *nativeConn) Join(ctx context.Context, room string) error {
	b, _ := json.Marshal(map[string]string{"type": "join", "room": room})
	return c.join(ctx, b)
}

func (c *nativeConn) Send(payload []byte) error {
	c.mu.Lock()
	to := c.partner
	c.mu.Unlock()
	return c.send(func(b []byte) []byte {
		b = append(b, `{"type":"signal","to":"`...)
		b = append(b, to...)
		b = append(b, `","data":`...)
		b = append(b, payload...)
		return append(b, '}')
	})
}

func (c *nativeConn) Close() error { return c.closeWith(nil) }

// itoa is strconv.Itoa, short.
func itoa(n int) string { return strconv.Itoa(n) }
