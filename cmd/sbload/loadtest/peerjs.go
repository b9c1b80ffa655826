package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
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
	c := &peerJSConn{drv: d, id: id, open: make(signal)}
	c.init(ws, recv)
	if err := c.start(ctx, c.handle, c.open, "OPEN"); err != nil {
		return nil, err
	}
	return c, nil
}

// peerJSConn is one PeerJS client on the shared wsClient (one reader
// goroutine, writes serialised by wmu).
type peerJSConn struct {
	wsClient
	drv  *peerJSDriver
	id   string
	open signal

	// room and partner are guarded by wsClient.mu.
	room    string
	partner string
}

var (
	peerJSCandidate = []byte(`{"type":"CANDIDATE"`)
	peerJSOpen      = []byte(`{"type":"OPEN"`)
)

// handle takes one frame from the server: a relayed payload or the OPEN
// greeting.
func (c *peerJSConn) handle(frame []byte) {
	switch {
	case bytes.HasPrefix(frame, peerJSCandidate):
		c.recv(frame)
	case bytes.HasPrefix(frame, peerJSOpen):
		c.open.raise()
	}
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

func (c *peerJSConn) Send(payload []byte) error {
	c.mu.Lock()
	to := c.partner
	c.mu.Unlock()
	return c.send(func(b []byte) []byte {
		b = append(b, `{"type":"CANDIDATE","dst":"`...)
		b = append(b, to...)
		b = append(b, `","payload":`...)
		b = append(b, payload...)
		return append(b, '}')
	})
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
	return c.closeWith(nil)
}
