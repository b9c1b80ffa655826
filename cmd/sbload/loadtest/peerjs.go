package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// peerJSDriver speaks the PeerJS server's protocol (npm "peer", the server
// of bench/peerjs) so the same scenarios can run against it:
// /peerjs?key=peerjs&id=ID&token=TOKEN, answered {"type":"OPEN"}; a payload
// goes out as {"type":"CANDIDATE","dst":ID,"payload":...} and comes in with
// "src" added.
//
// PeerJS has no rooms: an application tells each peer its partner's id out
// of band (a link, a QR code). The driver's directory plays that part: Join
// records the peer under the room in the generator's memory and sends
// nothing, so a PeerJS join costs the server nothing and its join latency is
// not comparable with the other columns'. The driver does not send PeerJS's
// 5-second HEARTBEAT (bench/peerjs raises the server's alive_timeout).
type peerJSDriver struct {
	mu    sync.Mutex
	rooms map[string][]*peerJSConn
}

func newPeerJSDriver() *peerJSDriver {
	return &peerJSDriver{rooms: make(map[string][]*peerJSConn)}
}

func (*peerJSDriver) Name() string { return "peerjs" }

// peerJSKey is the PeerJS server's default API key.
const peerJSKey = "peerjs"

func (d *peerJSDriver) Dial(ctx context.Context, t Target, recv Receiver) (Conn, error) {
	var b [12]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:8])
	token := hex.EncodeToString(b[8:])
	ws, err := dialWS(ctx, t, t.url("/peerjs?key="+peerJSKey+"&id="+id+"&token="+token))
	if err != nil {
		return nil, err
	}
	c := &peerJSConn{drv: d, id: id, ws: ws, recv: recv, open: make(signal), partnerIn: make(signal),
		done: make(chan struct{})}
	go c.read()
	if err := wait(ctx, c.open, c.done, c.err); err != nil {
		ws.Close()
		return nil, fmt.Errorf("waiting for OPEN: %w", err)
	}
	return c, nil
}

// peerJSConn is one PeerJS client. Its reader goroutine is the only reader;
// writes are serialised by wmu.
type peerJSConn struct {
	drv       *peerJSDriver
	id        string
	ws        *websocket.Conn
	recv      Receiver
	open      signal
	partnerIn signal
	done      chan struct{}

	mu      sync.Mutex
	room    string
	partner string
	readErr error

	wmu  sync.Mutex
	wbuf []byte
}

var (
	peerJSCandidate = []byte(`{"type":"CANDIDATE"`)
	peerJSOpen      = []byte(`{"type":"OPEN"`)
)

func (c *peerJSConn) read() {
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
		case bytes.HasPrefix(frame, peerJSCandidate):
			c.recv(frame)
		case bytes.HasPrefix(frame, peerJSOpen):
			c.open.raise()
		}
	}
}

func (c *peerJSConn) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr
}

// Join records c under room in the driver's directory; the second peer of
// a room learns the first's id and tells it its own.
func (c *peerJSConn) Join(ctx context.Context, room string) error {
	d := c.drv
	d.mu.Lock()
	defer d.mu.Unlock()
	peers := d.rooms[room]
	if len(peers) >= 2 {
		return errRoomFull
	}
	d.rooms[room] = append(peers, c)
	c.mu.Lock()
	c.room = room
	c.mu.Unlock()
	if len(peers) == 1 {
		other := peers[0]
		c.setPartner(other.id)
		other.setPartner(c.id)
	}
	return nil
}

func (c *peerJSConn) setPartner(id string) {
	c.mu.Lock()
	c.partner = id
	c.mu.Unlock()
	c.partnerIn.raise()
}

func (c *peerJSConn) WaitPartner(ctx context.Context) error {
	return wait(ctx, c.partnerIn, c.done, c.err)
}

func (c *peerJSConn) Send(payload []byte) error {
	c.mu.Lock()
	to := c.partner
	c.mu.Unlock()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	b := append(c.wbuf[:0], `{"type":"CANDIDATE","dst":"`...)
	b = append(b, to...)
	b = append(b, `","payload":`...)
	b = append(b, payload...)
	b = append(b, '}')
	c.wbuf = b
	c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// Close leaves the directory and closes the WebSocket as a browser tab
// does.
func (c *peerJSConn) Close() error {
	c.mu.Lock()
	room := c.room
	c.mu.Unlock()
	if room != "" {
		d := c.drv
		d.mu.Lock()
		peers := d.rooms[room]
		for i, p := range peers {
			if p == c {
				peers = append(peers[:i:i], peers[i+1:]...)
				break
			}
		}
		if len(peers) == 0 {
			delete(d.rooms, room)
		} else {
			d.rooms[room] = peers
		}
		d.mu.Unlock()
	}
	c.wmu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.wmu.Unlock()
	return closeAfter(c.ws, c.done)
}

func (c *peerJSConn) Done() <-chan struct{} { return c.done }
