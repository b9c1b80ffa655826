package abuse

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/signaling/httpserver"
)

// readTimeout bounds every read: a frame that does not come fails the test
// instead of hanging it.
const readTimeout = 10 * time.Second

// server is a real httpserver.Server on a loopback port.
type server struct {
	srv  *httpserver.Server
	addr string // host:port
}

// startServer serves cfg on 127.0.0.1:0 until the test ends.
func startServer(t testing.TB, cfg httpserver.Config) *server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := httpserver.New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	})
	return &server{srv: srv, addr: ln.Addr().String()}
}

// device returns the loopback address that models device n (n ≥ 0):
// 127.0.x.y with x ≥ 1, distinct for each n and never 127.0.0.1.
func device(n int) net.IP {
	return net.IPv4(127, 0, byte(1+n/250), byte(1+n%250)).To4()
}

// dialerFrom dials from ip.
func dialerFrom(ip net.IP) *net.Dialer {
	return &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: readTimeout}
}

// httpFrom is an HTTP client whose connections come from ip.
func httpFrom(ip net.IP) *http.Client {
	return &http.Client{
		Transport: &http.Transport{DialContext: dialerFrom(ip).DialContext, DisableKeepAlives: true},
		Timeout:   readTimeout,
	}
}

// wsClient is a native-protocol client.
type wsClient struct {
	ws      *websocket.Conn
	id      string
	welcome frame
}

type frame map[string]any

func (f frame) str(k string) string { s, _ := f[k].(string); return s }

// dialWS connects to /ws from ip and reads the welcome; the error is the
// refusal when the server sent an error frame first.
func dialWS(s *server, ip net.IP) (*wsClient, error) {
	d := websocket.Dialer{NetDialContext: dialerFrom(ip).DialContext, HandshakeTimeout: readTimeout}
	ws, resp, err := d.Dial("ws://"+s.addr+"/ws", nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial: %w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial: %w", err)
	}
	c := &wsClient{ws: ws}
	f, err := c.read()
	if err != nil {
		ws.Close()
		return nil, err
	}
	if f.str("type") != "welcome" {
		ws.Close()
		return nil, fmt.Errorf("refused: %s %s", f.str("code"), f.str("message"))
	}
	c.id = f["peer"].(map[string]any)["id"].(string)
	c.welcome = f
	return c, nil
}

// dialWSWelcome is dialWS from 127.0.0.1, this machine.
func dialWSWelcome(s *server) (*wsClient, error) { return dialWS(s, net.IPv4(127, 0, 0, 1)) }

func (c *wsClient) send(v any) error {
	c.ws.SetWriteDeadline(time.Now().Add(readTimeout))
	return c.ws.WriteJSON(v)
}

func (c *wsClient) read() (frame, error) {
	c.ws.SetReadDeadline(time.Now().Add(readTimeout))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		return nil, err
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	return f, nil
}

// await reads until a frame of type typ, failing on an error frame.
func (c *wsClient) await(typ string) (frame, error) {
	for {
		f, err := c.read()
		if err != nil {
			return nil, err
		}
		switch f.str("type") {
		case typ:
			return f, nil
		case "error":
			return f, fmt.Errorf("error %s: %s", f.str("code"), f.str("message"))
		}
	}
}

// join joins room and waits for joined.
func (c *wsClient) join(room string) error {
	if err := c.send(map[string]any{"type": "join", "room": room}); err != nil {
		return err
	}
	_, err := c.await("joined")
	return err
}

// reset closes the connection with a TCP reset, as a killed script does.
func (c *wsClient) reset() {
	if tcp, ok := c.ws.NetConn().(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	c.ws.NetConn().Close()
}

func (c *wsClient) close() { c.ws.Close() }

// bye closes the connection normally (a close frame): the peer leaves at
// once, with no resume grace.
func (c *wsClient) bye() {
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(readTimeout))
	_, _, _ = c.ws.ReadMessage() // the server's close frame, or the end
	c.ws.Close()
}

// rss returns the process's resident set size in bytes, after a full
// collection that returns free memory to the OS.
func rss(t testing.TB) int64 {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("no /proc/self/statm: %v", err)
	}
	fields := strings.Fields(string(b))
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// heap returns the live heap after a full collection.
func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// clientFiles stands in for the built browser client: the pages the
// server treats specially, with texts the tests recognise.
func clientFiles() fstest.MapFS {
	return fstest.MapFS{
		"index.html":  {Data: []byte("client page")},
		"window.html": {Data: []byte("window page")},
		"trust.html":  {Data: []byte("trust page")},
	}
}
