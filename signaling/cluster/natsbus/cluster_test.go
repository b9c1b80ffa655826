package natsbus

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/internal/testwait"
	"signalbox/signaling"
)

// threeNodes starts a nats-server and three Signalbox servers sharing it.
func threeNodes(t *testing.T, cfg signaling.Config) (*Embedded, []*node) {
	t.Helper()
	e := startNATS(t, "127.0.0.1:0", t.TempDir())
	t.Cleanup(e.Shutdown)
	var ns []*node
	for range 3 {
		ns = append(ns, startNode(t, e.ClientURL(), cfg))
	}
	return e, ns
}

// The native protocol across three servers: join, full, relay, presence,
// room isolation, the room list.
func TestRoomAcrossServers(t *testing.T) {
	_, ns := threeNodes(t, signaling.Config{})
	a, b, c, d := dial(t, ns[0]), dial(t, ns[1]), dial(t, ns[2]), dial(t, ns[2])

	if f := a.Join("math"); len(peerIDs(f, "peers")) != 0 {
		t.Fatalf("a joined %v, want an empty room", f)
	}
	bj := b.Join("math")
	if ids := peerIDs(bj, "peers"); !slices.Equal(ids, []string{a.ID}) {
		t.Errorf("b's joined peers = %v, want [a %s]", ids, a.ID)
	}
	if pj := a.Expect("peer-joined"); peerOf(pj) != b.ID {
		t.Errorf("a got %v, want peer-joined b", pj)
	}
	c.Send(frame{"type": "join", "room": "math"})
	if e := c.Expect("error"); e.Str("code") != "room-full" {
		t.Errorf("third join on a third server = %v, want room-full", e)
	}

	d.Join("art") // same server as c and b's neighbour: must hear nothing of math
	a.Send(frame{"type": "signal", "to": b.ID, "data": frame{"n": 1}})
	if s := b.Expect("signal"); s.Str("from") != a.ID {
		t.Errorf("b got %v, want a's signal", s)
	}
	b.Send(frame{"type": "signal", "to": a.ID, "data": frame{"n": 2}})
	if s := a.Expect("signal"); s.Str("from") != b.ID {
		t.Errorf("a got %v, want b's signal", s)
	}
	b.Send(frame{"type": "broadcast", "data": frame{"chat": "hi"}})
	if s := a.Expect("broadcast"); s.Str("from") != b.ID {
		t.Errorf("a got %v, want b's broadcast", s)
	}
	d.Send(frame{"type": "signal", "to": a.ID, "data": frame{"n": 3}})
	if e := d.Expect("error"); e.Str("code") != "unknown-peer" {
		t.Errorf("signal into another room = %v, want unknown-peer", e)
	}

	testwait.Until(t, "every server lists both rooms", readTimeout, func() bool {
		for _, n := range ns {
			rs := n.hub.Rooms()
			if len(rs) != 2 || rs[0].Name != "art" || rs[1].Name != "math" || rs[1].Peers != 2 {
				return false
			}
		}
		return true
	})
	snap := ns[2].hub.Snapshot()
	if len(snap.Rooms) != 2 || len(snap.Rooms[1].Peers) != 2 || snap.Rooms[1].Peers[0].Server == "" {
		t.Errorf("snapshot on a server with no member of math = %+v", snap.Rooms)
	}

	b.Send(frame{"type": "leave"})
	if l := a.Expect("peer-left"); peerOf(l) != b.ID || l.Str("reason") != "left" {
		t.Errorf("a got %v, want peer-left b (left)", l)
	}
	c.Join("math") // the seat b gave up
	if pj := a.Expect("peer-joined"); peerOf(pj) != c.ID {
		t.Errorf("a got %v, want peer-joined c", pj)
	}
	d.Send(frame{"type": "ping"})
	d.Expect("pong") // d saw nothing of math in between
}

// Per sender, order is kept across servers.
func TestOrderAcrossServers(t *testing.T) {
	_, ns := threeNodes(t, signaling.Config{Rate: 1e6, Burst: 1e6, OutboxSize: 2048})
	a, b := dial(t, ns[0]), dial(t, ns[1])
	a.Join("r")
	b.Join("r")
	a.Expect("peer-joined")
	const n = 500
	for i := range n {
		if i%2 == 0 {
			a.Send(frame{"type": "signal", "to": b.ID, "data": i})
		} else {
			a.Send(frame{"type": "broadcast", "data": i})
		}
	}
	for i := range n {
		f := b.Read()
		if got, _ := f["data"].(float64); int(got) != i {
			t.Fatalf("message %d: got %v", i, f)
		}
	}
}

// A peer whose connection drops resumes its seat on another server with
// its token; the others see no one leave.
func TestResumeOnAnotherServer(t *testing.T) {
	_, ns := threeNodes(t, signaling.Config{ResumeGrace: 5 * time.Second})
	a, b := dial(t, ns[0]), dial(t, ns[1])
	a.Join("math")
	b.Join("math")
	a.Expect("peer-joined")
	b.WS.Close() // Wi-Fi gone; the load balancer sends b elsewhere
	if f := a.Expect("peer-away"); peerOf(f) != b.ID {
		t.Errorf("a got %v, want peer-away b", f)
	}

	b2 := dial(t, ns[2])
	b2.Send(frame{"type": "resume", "token": b.Token, "lastSeq": b.Seq})
	r := b2.Expect("resumed")
	if r["self"].(map[string]any)["id"] != b.ID || r["moved"] != true || !slices.Equal(peerIDs(r, "peers"), []string{a.ID}) {
		t.Errorf("resumed = %v, want b's seat, moved, with a", r)
	}
	if s, _ := r["seq"].(float64); s <= b.Seq {
		t.Errorf("resumed seq %v, want after the last seen %v", s, b.Seq)
	}
	if f := a.Expect("peer-back"); peerOf(f) != b.ID {
		t.Errorf("a got %v, want peer-back b", f)
	}
	waitMoved(t, ns[0], b.ID, ns[2])
	a.Send(frame{"type": "signal", "to": b.ID, "data": "after"})
	if s := b2.Expect("signal"); s["data"] != "after" {
		t.Errorf("b on its new server got %v", s)
	}
	b2.Send(frame{"type": "signal", "to": a.ID, "data": "back"})
	if s := a.Expect("signal"); s["data"] != "back" { // no peer-left came first
		t.Errorf("a got %v, want b's signal and no presence change", s)
	}
	testwait.Until(t, "the old server forgets b", readTimeout, func() bool { return ns[1].hub.Stats().Peers == 0 })

	// A token resumes once: the old one is worth nothing now, the new one
	// moves the seat again.
	fresh := r.Str("token")
	if fresh == "" || fresh == b.Token {
		t.Fatalf("resumed token %q, want a new one", fresh)
	}
	b3 := dial(t, ns[0])
	b3.Send(frame{"type": "resume", "token": b.Token})
	if e := b3.Expect("error"); e.Str("code") != "bad-token" {
		t.Errorf("resume with the used token = %v", e)
	}
	b2.WS.Close()
	b4 := dial(t, ns[1])
	b4.Send(frame{"type": "resume", "token": fresh, "lastSeq": b2.Seq})
	if r := b4.Expect("resumed"); r["self"].(map[string]any)["id"] != b.ID {
		t.Errorf("second move = %v", r)
	}
}

// Admin actions decided on one server reach peers on the others.
func TestAdminAcrossServers(t *testing.T) {
	_, ns := threeNodes(t, signaling.Config{RoomCapacity: 3})
	a, b, c := dial(t, ns[0]), dial(t, ns[1]), dial(t, ns[2])
	a.Join("math")
	b.Join("math")
	a.Expect("peer-joined")
	if err := ns[2].hub.LockRoom("math", true); err != nil {
		t.Fatal(err)
	}
	c.Send(frame{"type": "join", "room": "math"})
	if e := c.Expect("error"); e.Str("code") != "room-locked" {
		t.Errorf("join of a room locked on another server = %v", e)
	}
	if err := ns[2].hub.Kick(b.ID); err != nil {
		t.Fatal(err)
	}
	if l := b.Expect("left"); l.Str("reason") != "kicked" {
		t.Errorf("b got %v, want left kicked", l)
	}
	if l := a.Expect("peer-left"); peerOf(l) != b.ID || l.Str("reason") != "kicked" {
		t.Errorf("a got %v, want peer-left b kicked", l)
	}
	if err := ns[1].hub.CloseRoom("math"); err != nil {
		t.Fatal(err)
	}
	if l := a.Expect("left"); l.Str("reason") != "room-closed" {
		t.Errorf("a got %v, want left room-closed", l)
	}
	if err := ns[1].hub.CloseRoom("math"); !errors.Is(err, signaling.ErrNoSuchRoom) {
		t.Errorf("close of a closed room = %v, want ErrNoSuchRoom", err)
	}
	c.Join("math") // closed rooms reopen unlocked
}

// 1,000 joins at once over three servers into rooms of two seat exactly
// two peers per room.
func TestConcurrentJoinsExactCapacity(t *testing.T) {
	// A long grace: a machine loaded by 1,000 joins may delay heartbeats.
	_, ns := threeNodes(t, signaling.Config{MaxPeers: 2000, ResumeGrace: time.Minute})
	const peers, rooms = 1000, 250 // four candidates per room of two
	var wg sync.WaitGroup
	errs := make([]error, peers)
	for i := range peers {
		p, err := ns[i%3].hub.Connect(signaling.ConnInfo{Transport: "test"}, link{})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { errs[i] = ns[i%3].hub.Join(p, fmt.Sprintf("room-%d", i%rooms), "") })
	}
	wg.Wait()
	seated := 0
	for i, err := range errs {
		switch {
		case err == nil:
			seated++
		case !errors.Is(err, signaling.ErrRoomFull):
			t.Errorf("join %d: %v", i, err)
		}
	}
	if seated != 2*rooms {
		t.Errorf("%d peers seated, want %d", seated, 2*rooms)
		per := map[string][]int{}
		for i, err := range errs {
			if err == nil {
				per[fmt.Sprintf("room-%d", i%rooms)] = append(per[fmt.Sprintf("room-%d", i%rooms)], i)
			}
		}
		for r, is := range per {
			if len(is) != 2 {
				t.Logf("%s: seated %v", r, is)
				for _, st := range ns[0].bus.Rooms() {
					if st.Name == r {
						t.Logf("state %+v", st)
					}
				}
			}
		}
	}
	for _, st := range ns[0].bus.Rooms() {
		if len(st.Members) != 2 {
			t.Errorf("room %s has %d seats, want 2", st.Name, len(st.Members))
		}
	}
	testwait.Until(t, "every server's rooms hold 2 peers each", readTimeout, func() bool {
		for _, n := range ns {
			for _, r := range n.hub.Snapshot().Rooms {
				if len(r.Peers) != 2 {
					return false
				}
			}
		}
		return true
	})
}

// A server that dies without a word: after the grace period its peers'
// seats end and the others see them leave with timed-out.
func TestKilledServerSeatsTimeOut(t *testing.T) {
	// A grace long enough that a loaded machine never delays a live
	// server's heartbeats past it.
	const grace = 2 * time.Second
	_, ns := threeNodes(t, signaling.Config{ResumeGrace: grace})
	a, b, c := dial(t, ns[0]), dial(t, ns[1]), dial(t, ns[2])
	a.Join("math")
	b.Join("math")
	a.Expect("peer-joined")
	c.Join("art")

	start := time.Now()
	ns[1].kill()
	l := a.Expect("peer-left")
	if peerOf(l) != b.ID || l.Str("reason") != "timed-out" {
		t.Errorf("a got %v, want peer-left b timed-out", l)
	}
	// The grace period counts from the last heartbeat, up to one before the kill.
	if waited := time.Since(start); waited < grace-heartbeat {
		t.Errorf("b's seat ended after %v, before the grace period %v", waited, grace)
	}
	c.Send(frame{"type": "signal", "to": b.ID, "data": 1})
	c.Expect("error")
	d := dial(t, ns[2])
	d.Join("math") // b's seat is free again
	a.Expect("peer-joined")
}

// A seat of a killed server can be resumed on another within the grace period.
func TestResumeAfterServerKilled(t *testing.T) {
	_, ns := threeNodes(t, signaling.Config{ResumeGrace: 5 * time.Second})
	a, b := dial(t, ns[0]), dial(t, ns[1])
	a.Join("math")
	b.Join("math")
	a.Expect("peer-joined")
	ns[1].kill()
	b2 := dial(t, ns[2])
	b2.Send(frame{"type": "resume", "token": b.Token, "lastSeq": b.Seq})
	if r := b2.Expect("resumed"); r["moved"] != true {
		t.Errorf("resumed = %v", r)
	}
	a.Expect("peer-back") // no away came: the server died without a word
	waitMoved(t, ns[0], b.ID, ns[2])
	a.Send(frame{"type": "signal", "to": b.ID, "data": "still here"})
	if s := b2.Expect("signal"); s["data"] != "still here" {
		t.Errorf("b got %v", s)
	}
}

// NATS restarts in the middle of a relay run between two servers: relays
// refused while it is away are answered cluster-unavailable and never
// delivered; none is delivered twice or out of order; the only ones lost
// are those accepted just before the connection broke; a room wholly on
// one server keeps working; afterwards everything flows again.
func TestNATSRestartDuringRelay(t *testing.T) {
	dir := t.TempDir()
	e := startNATS(t, "127.0.0.1:0", dir)
	addr := e.srv.Addr().String()
	var e2 *Embedded // the restarted NATS; stopped after the servers (cleanups run last first)
	t.Cleanup(func() {
		if e2 != nil {
			e2.Shutdown()
		}
	})
	cfg := signaling.Config{Rate: 1e6, Burst: 1e6, OutboxSize: 4096, ResumeGrace: time.Minute}
	n0, n1 := startNode(t, e.ClientURL(), cfg), startNode(t, e.ClientURL(), cfg)
	a, b := dial(t, n0), dial(t, n1)
	a.Join("call")
	b.Join("call")
	a.Expect("peer-joined")
	c, d := dial(t, n0), dial(t, n0)
	c.Join("local")
	d.Join("local")
	c.Expect("peer-joined")

	// sendOne relays i from a to b and reports whether the server took it.
	sendOne := func(i int) bool {
		a.Send(frame{"type": "signal", "to": b.ID, "data": i})
		a.Send(frame{"type": "ping"})
		ok := true
		for {
			f := a.Read()
			switch f.Str("type") {
			case "pong":
				return ok
			case "error":
				if f.Str("code") != "cluster-unavailable" {
					t.Fatalf("relay %d refused with %v, want cluster-unavailable", i, f)
				}
				ok = false
			default:
				t.Fatalf("a got %v", f)
			}
		}
	}
	var accepted []int
	firstRefused := -1
	i := 0
	for ; i < 200; i++ {
		if sendOne(i) {
			accepted = append(accepted, i)
		}
	}
	e.Shutdown()
	// Keep relaying while NATS is away, until the servers have noticed.
	for ; firstRefused < 0 || i < firstRefused+20; i++ {
		if sendOne(i) {
			accepted = append(accepted, i)
		} else if firstRefused < 0 {
			firstRefused = i
		}
	}
	testwait.Until(t, "both servers see NATS gone", readTimeout, func() bool {
		return !n0.bus.Status().Connected && !n1.bus.Status().Connected
	})
	c.Send(frame{"type": "signal", "to": d.ID, "data": "local"}) // a room wholly on n0
	if s := d.Expect("signal"); s["data"] != "local" {
		t.Errorf("local relay during the outage: %v", s)
	}
	x := dial(t, n0)
	x.Send(frame{"type": "join", "room": "new"})
	if f := x.Expect("error"); f.Str("code") != "cluster-unavailable" {
		t.Errorf("join during the outage = %v, want cluster-unavailable", f)
	}

	e2 = startNATS(t, addr, dir)
	testwait.Until(t, "both servers reconnect", readTimeout, func() bool {
		return n0.bus.Status().Connected && n1.bus.Status().Connected
	})
	afterBack := i
	for end := i + 200; i < end; i++ {
		if !sendOne(i) {
			t.Fatalf("relay %d refused after NATS came back", i)
		}
		accepted = append(accepted, i)
	}

	last := accepted[len(accepted)-1]
	got := map[int]bool{}
	prev := -1
	for prev != last {
		f := b.Expect("signal")
		n := int(f["data"].(float64))
		if n <= prev {
			t.Fatalf("b got %d after %d: duplicated or out of order", n, prev)
		}
		got[n] = true
		prev = n
	}
	lost := 0
	for _, n := range accepted {
		if !got[n] {
			lost++
			if n >= afterBack || n < firstRefused-50 {
				t.Errorf("relay %d lost, outside the moment NATS went away (first refused %d)", n, firstRefused)
			}
		}
	}
	for n := range got {
		if !slices.Contains(accepted, n) {
			t.Errorf("relay %d was refused but delivered", n)
		}
	}
	t.Logf("%d relays accepted, %d refused during the outage, %d lost as it began", len(accepted), i-len(accepted), lost)

	x.Join("new") // joins work again
	c.Send(frame{"type": "signal", "to": d.ID, "data": "still local"})
	d.Expect("signal")
}

// A server whose NATS is not there yet starts anyway, says so, refuses
// joins with cluster-unavailable, and shares rooms once NATS comes.
func TestStartWithoutNATS(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // a free port, where NATS is not (yet)
	var e *Embedded
	t.Cleanup(func() {
		if e != nil {
			e.Shutdown()
		}
	})
	n := startNodeNoWait(t, "nats://"+addr, signaling.Config{})
	if st := n.bus.Status(); st.Ready || st.Connected || st.Error == "" {
		t.Errorf("status without NATS = %+v, want not ready, with an error", st)
	}
	a := dial(t, n)
	a.Send(frame{"type": "join", "room": "math"})
	if f := a.Expect("error"); f.Str("code") != "cluster-unavailable" {
		t.Errorf("join without NATS = %v, want cluster-unavailable", f)
	}
	e = startNATS(t, addr, t.TempDir())
	testwait.Until(t, "the server is ready", readTimeout, func() bool { return n.bus.Status().Ready })
	a.Join("math")
}

// waitMoved waits until n knows that peer id is now on server to: relays
// sent before then still go to the old server (docs/cluster.md).
func waitMoved(t *testing.T, n *node, id string, to *node) {
	t.Helper()
	testwait.Until(t, "the move is known", readTimeout, func() bool {
		for _, r := range n.hub.Snapshot().Rooms {
			for _, p := range r.Peers {
				if p.ID == id && p.Server == to.bus.Self() {
					return true
				}
			}
		}
		return false
	})
}

// A socket.io page (the tutorial's protocol) and a native client on
// another server share a room: presence and relay cross the cluster both ways.
func TestSocketIOAcrossServers(t *testing.T) {
	_, ns := threeNodes(t, signaling.Config{})
	sio := dialSocketIO(t, ns[0])
	sio.emit(`["create or join","math"]`)
	sio.Expect(`42["created","math"`)
	b := dial(t, ns[1])
	b.Join("math")
	sio.Expect(`42["join","math","` + b.ID + `"]`)
	b.Send(frame{"type": "broadcast", "data": "from native"})
	sio.Expect(`42["message","from native"`)
	sio.emit(`["message",{"sdp":"x"}]`)
	if f := b.Expect("broadcast"); f["data"].(map[string]any)["sdp"] != "x" {
		t.Errorf("native peer got %v", f)
	}
	b.Send(frame{"type": "leave"})
	sio.Expect(`42["bye","math","` + b.ID + `","left"]`)
}

// sioClient speaks Engine.IO v4 / Socket.IO v5 over a WebSocket, packet by packet.
type sioClient struct {
	T  *testing.T
	WS *websocket.Conn
}

func dialSocketIO(t *testing.T, n *node) *sioClient {
	t.Helper()
	u := strings.TrimSuffix(n.url, "/ws") + "/socket.io/?EIO=4&transport=websocket"
	ws, _, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	c := &sioClient{T: t, WS: ws}
	c.Expect("0{")
	c.write("40")
	c.Expect("40{")
	return c
}

func (c *sioClient) write(pk string) {
	c.T.Helper()
	if err := c.WS.WriteMessage(websocket.TextMessage, []byte(pk)); err != nil {
		c.T.Fatal(err)
	}
}

func (c *sioClient) emit(args string) { c.T.Helper(); c.write("42" + args) }

// Expect reads packets, answering pings, until one starting with prefix;
// any other event packet fails the test.
func (c *sioClient) Expect(prefix string) string {
	c.T.Helper()
	for {
		_ = c.WS.SetReadDeadline(time.Now().Add(readTimeout))
		_, b, err := c.WS.ReadMessage()
		if err != nil {
			c.T.Fatalf("waiting for %s: %v", prefix, err)
		}
		pk := string(b)
		switch {
		case strings.HasPrefix(pk, prefix):
			return pk
		case pk == "2":
			c.write("3")
		case strings.Contains(pk, `["ready"`), strings.Contains(pk, `["ipaddr"`): // the tutorial's extras
		default:
			c.T.Fatalf("got %s, want %s…", pk, prefix)
		}
	}
}

// A seat resumed on its own server gets a fresh token, which the cluster
// learns: a later move to another server works with it.
func TestLocalResumeThenMove(t *testing.T) {
	_, ns := threeNodes(t, signaling.Config{ResumeGrace: 5 * time.Second})
	a, b := dial(t, ns[0]), dial(t, ns[1])
	a.Join("math")
	b.Join("math")
	a.Expect("peer-joined")
	b.WS.Close()
	b2 := dial(t, ns[1]) // same server
	b2.Send(frame{"type": "resume", "token": b.Token, "lastSeq": b.Seq})
	r := b2.Expect("resumed")
	if r["moved"] == true {
		t.Errorf("resume on the same server says moved: %v", r)
	}
	fresh := r.Str("token")
	b2.WS.Close()
	b3 := dial(t, ns[2])
	testwait.Until(t, "the new token reaches the cluster", readTimeout, func() bool {
		for _, st := range ns[2].bus.Rooms() {
			for _, m := range st.Members {
				if m.ID == b.ID && m.TokenHash == signaling.TokenHash(fresh) {
					return true
				}
			}
		}
		return false
	})
	b3.Send(frame{"type": "resume", "token": fresh, "lastSeq": b2.Seq})
	if r := b3.Expect("resumed"); r["moved"] != true {
		t.Errorf("move after a local resume = %v", r)
	}
}
