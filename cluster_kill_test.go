package main

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/internal/testwait"
	"signalbox/signaling/cluster/natsbus"
)

// childEnv makes the test binary run signalbox itself (TestMain), so a
// test can kill a real server process with SIGKILL.
const childEnv = "SIGNALBOX_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(childEnv); ok {
		os.Exit(run(strings.Fields(args), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// startChild runs a headless signalbox joined to the NATS at natsURL and
// waits until it shares rooms. The child picks its own port (a port found
// free and handed over could be taken in between) and the test reads it
// from the join address the child prints.
func startChild(t *testing.T, natsURL string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir(), "DISPLAY=", "WAYLAND_DISPLAY=",
		childEnv+"=--headless --addr 127.0.0.1:0 --mdns=false --https=false --turn=false --log-level warn --cluster "+natsURL)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := joinAddr(t, out)
	testwait.Until(t, "the child server shares rooms", 30*time.Second, func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var h struct {
			Status  string
			Cluster struct{ Ready bool }
		}
		return json.NewDecoder(resp.Body).Decode(&h) == nil && h.Status == "ok" && h.Cluster.Ready
	})
	return cmd, addr
}

// joinAddr reads a child's output up to the join address it prints
// ("Join from any device on this network: http://HOST:PORT/"), for at most
// 30 s, and returns HOST:PORT; the rest of the output is drained.
func joinAddr(t *testing.T, out io.Reader) string {
	t.Helper()
	const prefix = "Join from any device on this network: http://"
	found := make(chan string, 1)
	go func() {
		defer close(found)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), prefix); ok {
				found <- strings.TrimSuffix(rest, "/")
				_, _ = io.Copy(io.Discard, out)
				return
			}
		}
	}()
	select {
	case addr, ok := <-found:
		if !ok {
			t.Fatal("the child ended before printing its join address")
		}
		return addr
	case <-time.After(30 * time.Second):
		t.Fatal("the child printed no join address within 30 s")
		return ""
	}
}

type wsPeer struct {
	t     *testing.T
	ws    *websocket.Conn
	id    string
	token string
	seq   float64
}

func wsDial(t *testing.T, addr string) *wsPeer {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	p := &wsPeer{t: t, ws: ws}
	p.id = p.expect("welcome")["peer"].(map[string]any)["id"].(string)
	return p
}

func (p *wsPeer) send(v map[string]any) {
	p.t.Helper()
	if err := p.ws.WriteJSON(v); err != nil {
		p.t.Fatal(err)
	}
}

// expect reads frames until one of type typ (a read times out the test).
func (p *wsPeer) expect(typ string) map[string]any {
	p.t.Helper()
	_ = p.ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	var f map[string]any
	if err := p.ws.ReadJSON(&f); err != nil {
		p.t.Fatalf("waiting for %s: %v", typ, err)
	}
	if s, ok := f["seq"].(float64); ok {
		p.seq = s
	}
	if f["type"] != typ {
		p.t.Fatalf("got %v, want a %s frame", f, typ)
	}
	return f
}

func (p *wsPeer) join(room string) {
	p.t.Helper()
	p.send(map[string]any{"type": "join", "room": room})
	p.token = p.expect("joined")["token"].(string)
}

// A real server process killed with SIGKILL: a peer that reconnects to
// another server within the grace period resumes its seat; the others'
// seats end after it, and their partners see peer-left timed-out.
func TestSIGKILLedServer(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 10 s grace period")
	}
	e, err := natsbus.StartEmbedded(natsbus.EmbeddedConfig{Name: "kill", Listen: "127.0.0.1:0", StoreDir: t.TempDir()},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	a, addrA := startChild(t, e.ClientURL())
	_, addrB := startChild(t, e.ClientURL())

	stays, comesBack := wsDial(t, addrA), wsDial(t, addrA)
	partner1, partner2 := wsDial(t, addrB), wsDial(t, addrB)
	comesBack.join("one")
	partner1.join("one")
	comesBack.expect("peer-joined")
	stays.join("two")
	partner2.join("two")
	stays.expect("peer-joined")

	start := time.Now()
	if err := a.Process.Kill(); err != nil { // SIGKILL: no goodbye of any kind
		t.Fatal(err)
	}
	back := wsDial(t, addrB)
	back.send(map[string]any{"type": "resume", "token": comesBack.token, "lastSeq": comesBack.seq})
	if r := back.expect("resumed"); r["moved"] != true || r["self"].(map[string]any)["id"] != comesBack.id {
		t.Errorf("resumed on the other server = %v", r)
	}

	if f := partner1.expect("peer-back"); f["peer"].(map[string]any)["id"] != comesBack.id {
		t.Errorf("partner of the resumed peer got %v", f)
	}
	left := partner2.expect("peer-left")
	if left["reason"] != "timed-out" || left["peer"].(map[string]any)["id"] != stays.id {
		t.Errorf("partner of the peer that did not come back got %v", left)
	}
	t.Logf("seat ended %v after the kill", time.Since(start).Round(100*time.Millisecond))
	partner1.send(map[string]any{"type": "signal", "to": comesBack.id, "data": "hello again"})
	if s := back.expect("signal"); s["data"] != "hello again" {
		t.Errorf("resumed peer got %v", s)
	}
	partner1.send(map[string]any{"type": "ping"})
	partner1.expect("pong") // and no peer-left before it
}
