package loadtest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/gorilla/websocket"
)

// Client buffer sizes: frames are a few hundred bytes.
const (
	clientReadBuffer  = 1024
	clientWriteBuffer = 1024
)

// writeTimeout bounds one write of a client; a server that stalls longer
// has failed the run anyway.
const writeTimeout = 10 * time.Second

// Errors a connection reports.
var (
	errRoomFull   = errors.New("room is full")
	errRefused    = errors.New("server refused the request")
	errConnClosed = errors.New("connection closed")
)

// Target says where the server under test listens and what to call it.
type Target struct {
	// Addr is the server's host:port, on loopback.
	Addr string
	// LocalIP, when set, is the source address for connections
	// (127.0.0.x), to spread them over more ephemeral ports.
	LocalIP string
	// TLS speaks wss:// (HTTPS), as LAN devices reach Signalbox.
	TLS bool
}

// url returns the WebSocket URL of path on the target.
func (t Target) url(path string) string {
	if t.TLS {
		return "wss://" + t.Addr + path
	}
	return "ws://" + t.Addr + path
}

// Receiver is told about every relayed payload a connection receives. It
// runs on the connection's reader goroutine; frame is valid only during the
// call.
type Receiver func(frame []byte)

// Conn is one simulated peer's connection to the server.
type Conn interface {
	// Join asks to enter room and returns once the server has put the peer
	// in it (errRoomFull when full).
	Join(ctx context.Context, room string) error
	// WaitPartner returns once the room holds another peer too.
	WaitPartner(ctx context.Context) error
	// Send relays payload to the other peer of the room.
	Send(payload []byte) error
	// Close closes the connection the way a browser tab does when closed.
	Close() error
	// Done is closed when the connection has ended.
	Done() <-chan struct{}
}

// Driver makes connections of one protocol.
type Driver interface {
	// Name is the protocol's name in reports: "native", "socketio" or
	// "peerjs".
	Name() string
	// Dial connects and completes the protocol's handshake.
	Dial(ctx context.Context, t Target, recv Receiver) (Conn, error)
}

// DriverFor returns the driver named name.
func DriverFor(name string) (Driver, error) {
	switch name {
	case "native":
		return nativeDriver{}, nil
	case "socketio", "socket.io":
		return socketIODriver{}, nil
	case "peerjs":
		return newPeerJSDriver(), nil
	}
	return nil, fmt.Errorf("unknown protocol %q (want native, socketio or peerjs)", name)
}

// dialWS opens a WebSocket to url from t.LocalIP when set.
func dialWS(ctx context.Context, t Target, url string) (*websocket.Conn, error) {
	d := websocket.Dialer{
		ReadBufferSize:   clientReadBuffer,
		WriteBufferSize:  clientWriteBuffer,
		HandshakeTimeout: writeTimeout,
	}
	nd := net.Dialer{}
	if t.LocalIP != "" {
		nd.LocalAddr = &net.TCPAddr{IP: net.ParseIP(t.LocalIP)}
	}
	d.NetDialContext = nd.DialContext
	if t.TLS {
		// The server is on loopback with a certificate from its own
		// local CA, which this generic tool does not know: what is
		// measured is the cost of TLS, not the trust in it.
		d.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	ws, resp, err := d.DialContext(ctx, url, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	return ws, err
}

// signal is a one-shot event a reader goroutine raises and others wait for.
type signal chan struct{}

func (s signal) raise() {
	select {
	case <-s:
	default:
		close(s)
	}
}

// wait blocks until s is raised, the connection ends or ctx is done.
func wait(ctx context.Context, s signal, done <-chan struct{}, errp func() error) error {
	select {
	case <-s:
		return nil
	default:
	}
	select {
	case <-s:
		return nil
	case <-done:
		if err := errp(); err != nil {
			return err
		}
		return errConnClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}
