package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// Limits of one run.
const (
	// handshakeTimeout bounds connecting, welcome and joined.
	handshakeTimeout = 10 * time.Second
	// defaultHold is how long the peer stays when not told.
	defaultHold = time.Minute
)

// userAgent is what the peer says it is, so the window shows a device.
const userAgent = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36 wsjoin"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wsjoin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "the server's WebSocket URL, e.g. ws://127.0.0.1:7480/ws (required)")
	room := fs.String("room", "smoke", "room to join")
	name := fs.String("name", "Smoke Peer", "display name")
	hold := fs.Duration("hold", defaultHold, "how long to stay in the room")
	overflow := fs.Bool("overflow", false, "join room as a class address, as the browser client does (a full room seats the peer in the class's next room)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *url == "" {
		fmt.Fprintln(stderr, "wsjoin: --url is required")
		return 2
	}
	conn, err := join(*url, *room, *name, *overflow)
	if err != nil {
		fmt.Fprintln(stderr, "wsjoin:", err)
		return 1
	}
	defer conn.ws.Close()
	fmt.Fprintf(stdout, "joined %s %s\n", *room, conn.id)

	ended := make(chan error, 1)
	go func() { ended <- conn.drain() }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-sig:
	case <-time.After(*hold):
	case err := <-ended:
		fmt.Fprintln(stdout, "ended:", err)
		return 0
	}
	_ = conn.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	return 0
}

type peer struct {
	ws *websocket.Conn
	id string
}

// join connects, waits for welcome, joins room and waits for joined.
func join(url, room, name string, overflow bool) (*peer, error) {
	d := websocket.Dialer{HandshakeTimeout: handshakeTimeout}
	ws, _, err := d.Dial(url, http.Header{"User-Agent": {userAgent}})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	p := &peer{ws: ws}
	ws.SetReadDeadline(time.Now().Add(handshakeTimeout))
	for {
		var f struct {
			Type string `json:"type"`
			Code string `json:"code"`
			Peer struct {
				ID string `json:"id"`
			} `json:"peer"`
			Self struct {
				ID string `json:"id"`
			} `json:"self"`
		}
		if err := ws.ReadJSON(&f); err != nil {
			ws.Close()
			return nil, fmt.Errorf("read: %w", err)
		}
		switch f.Type {
		case "welcome":
			req, _ := json.Marshal(map[string]any{"type": "join", "room": room, "name": name, "overflow": overflow})
			if err := ws.WriteMessage(websocket.TextMessage, req); err != nil {
				ws.Close()
				return nil, fmt.Errorf("send join: %w", err)
			}
		case "joined":
			p.id = f.Self.ID
			ws.SetReadDeadline(time.Time{})
			return p, nil
		case "error":
			ws.Close()
			return nil, fmt.Errorf("join refused: %s", f.Code)
		}
	}
}

// drain reads (and drops) frames until the connection ends, so pings are
// answered; it returns why it ended.
func (p *peer) drain() error {
	for {
		if _, _, err := p.ws.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return fmt.Errorf("closed %d %s", ce.Code, ce.Text)
			}
			return err
		}
	}
}
