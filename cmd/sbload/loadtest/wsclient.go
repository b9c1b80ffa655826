package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// wsClient is what the clients of both protocols share: one WebSocket
// whose reader goroutine (readLoop) is the only reader, writes serialised
// by wmu, the answer to a join on joined, and the partner's arrival on
// partnerIn. A protocol's client embeds it and parses the frames.
type wsClient struct {
	ws        *websocket.Conn
	recv      Receiver
	partnerIn signal
	joined    chan error
	done      chan struct{} // closed when the reader ends

	mu      sync.Mutex // guards readErr, and the embedding client's fields
	readErr error

	wmu  sync.Mutex
	wbuf []byte // the last frame Send built, reused
}

// init sets up c for ws, whose relayed frames go to recv.
func (c *wsClient) init(ws *websocket.Conn, recv Receiver) {
	c.ws, c.recv = ws, recv
	c.partnerIn, c.joined, c.done = make(signal), make(chan error, 1), make(chan struct{})
}

// start runs handle on every frame in the background and waits for ready
// (the server's greeting, which handle raises); what names it in errors.
func (c *wsClient) start(ctx context.Context, handle func(frame []byte), ready signal, what string) error {
	go c.readLoop(handle)
	if err := wait(ctx, ready, c.done, c.err); err != nil {
		c.ws.Close()
		return fmt.Errorf("waiting for %s: %w", what, err)
	}
	return nil
}

// readLoop reads frames until the connection ends, handing each to handle
// (the frame is reused after handle returns), and closes done.
func (c *wsClient) readLoop(handle func(frame []byte)) {
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
		handle(buf.Bytes())
	}
}

func (c *wsClient) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr
}

// join sends the protocol's join request and waits for its answer.
func (c *wsClient) join(ctx context.Context, request []byte) error {
	if err := c.write(request); err != nil {
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

func (c *wsClient) WaitPartner(ctx context.Context) error {
	return wait(ctx, c.partnerIn, c.done, c.err)
}

// send writes the frame build makes in the reused buffer.
func (c *wsClient) send(build func(b []byte) []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wbuf = build(c.wbuf[:0])
	return c.writeLocked(c.wbuf)
}

func (c *wsClient) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(b)
}

func (c *wsClient) writeLocked(b []byte) error {
	c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// closeWith sends bye (the protocol's goodbye; nil for none) and the close
// frame, waits for the server's close, and closes the socket.
func (c *wsClient) closeWith(bye []byte) error {
	c.wmu.Lock()
	if bye != nil {
		_ = c.writeLocked(bye)
	}
	_ = c.ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.wmu.Unlock()
	return closeAfter(c.ws, c.done)
}

func (c *wsClient) Done() <-chan struct{} { return c.done }

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
