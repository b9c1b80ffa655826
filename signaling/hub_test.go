package signaling

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeLink records what the hub asks of a connection; no sockets.
type fakeLink struct {
	mu     sync.Mutex
	wakes  int
	closed []Reason
}

func (l *fakeLink) Wake() {
	l.mu.Lock()
	l.wakes++
	l.mu.Unlock()
}

func (l *fakeLink) Close(r Reason) {
	l.mu.Lock()
	l.closed = append(l.closed, r)
	l.mu.Unlock()
}

func (l *fakeLink) closeReasons() []Reason {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Reason(nil), l.closed...)
}

func newHub(t *testing.T, cfg Config) *Hub {
	t.Helper()
	h, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

func connect(t *testing.T, h *Hub) (*Peer, *fakeLink) {
	t.Helper()
	l := &fakeLink{}
	p, err := h.Connect(ConnInfo{RemoteAddr: "127.0.0.1:1", Transport: "test"}, l)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	return p, l
}

func join(t *testing.T, h *Hub, p *Peer, room string) {
	t.Helper()
	if err := h.Join(p, room, ""); err != nil {
		t.Fatalf("Join(%q): %v", room, err)
	}
}

// take takes every pending entry of p, as its current link does.
func take(p *Peer) []Entry {
	p.mu.Lock()
	link := p.link
	p.mu.Unlock()
	return p.Take(link, nil)
}

// inbox takes every pending message of p.
func inbox(p *Peer) []*Message {
	var out []*Message
	for _, e := range take(p) {
		out = append(out, e.Msg)
	}
	return out
}

func kinds(ms []*Message) []Kind {
	var out []Kind
	for _, m := range ms {
		out = append(out, m.Kind)
	}
	return out
}

func TestJoinCreatesRoomAndLastLeaveRemovesIt(t *testing.T) {
	h := newHub(t, Config{})
	a, _ := connect(t, h)
	b, _ := connect(t, h)
	join(t, h, a, "math")
	join(t, h, b, "math")

	am := inbox(a)
	if len(am) != 2 || am[0].Kind != KindJoined || am[1].Kind != KindPeerJoined || am[1].Peer.ID != b.ID() {
		t.Fatalf("a's inbox = %v, want joined then peer-joined of b", kinds(am))
	}
	if len(am[0].Peers) != 0 || am[0].Capacity != 2 || am[0].Token == "" {
		t.Errorf("a's joined = %+v, want no peers, capacity 2 and a token", am[0])
	}
	bm := inbox(b)
	if len(bm) != 1 || bm[0].Kind != KindJoined || len(bm[0].Peers) != 1 || bm[0].Peers[0].ID != a.ID() {
		t.Fatalf("b's inbox = %+v, want joined listing a", bm)
	}
	if err := h.Leave(a); err != nil {
		t.Fatalf("Leave(a): %v", err)
	}
	if got := inbox(b); len(got) != 1 || got[0].Kind != KindPeerLeft || got[0].Reason != ReasonLeft {
		t.Fatalf("b's inbox after a left = %+v, want peer-left reason left", got)
	}
	if err := h.Leave(b); err != nil {
		t.Fatalf("Leave(b): %v", err)
	}
	if rooms := h.Rooms(); len(rooms) != 0 {
		t.Errorf("Rooms() after everyone left = %+v, want none", rooms)
	}
}

func TestJoinErrors(t *testing.T) {
	h := newHub(t, Config{RoomCapacity: 1, MaxRooms: 2})
	a, _ := connect(t, h)
	join(t, h, a, "one")
	b, _ := connect(t, h)
	tests := []struct {
		name string
		room string
		want error
	}{
		{"full", "one", ErrRoomFull},
		{"empty name", "  ", ErrBadRoomName},
		{"control character", "a\x07b", ErrBadRoomName},
		{"too long", string(make([]rune, 65)), ErrBadRoomName},
	}
	for _, tt := range tests {
		if err := h.Join(b, tt.room, ""); !errors.Is(err, tt.want) {
			t.Errorf("Join(%s) = %v, want %v", tt.name, err, tt.want)
		}
	}
	join(t, h, b, "two")
	c, _ := connect(t, h)
	if err := h.Join(c, "three", ""); !errors.Is(err, ErrTooManyRooms) {
		t.Errorf("Join beyond MaxRooms = %v, want ErrTooManyRooms", err)
	}
	if err := h.Join(b, "three", ""); !errors.Is(err, ErrAlreadyInRoom) {
		t.Errorf("Join while in a room = %v, want ErrAlreadyInRoom", err)
	}
	if err := h.LockRoom("two", true); err != nil {
		t.Fatal(err)
	}
	h.Leave(b)
	if err := h.Join(c, "one", ""); !errors.Is(err, ErrRoomFull) {
		t.Errorf("Join full = %v, want ErrRoomFull", err)
	}
}

func TestLockedRoomRefusesJoin(t *testing.T) {
	h := newHub(t, Config{RoomCapacity: 4})
	a, _ := connect(t, h)
	b, _ := connect(t, h)
	join(t, h, a, "lab")
	if err := h.LockRoom("lab", true); err != nil {
		t.Fatal(err)
	}
	if err := h.Join(b, "lab", ""); !errors.Is(err, ErrRoomLocked) {
		t.Fatalf("Join locked = %v, want ErrRoomLocked", err)
	}
	if err := h.LockRoom("lab", false); err != nil {
		t.Fatal(err)
	}
	join(t, h, b, "lab")
	if err := h.LockRoom("nowhere", true); !errors.Is(err, ErrNoSuchRoom) {
		t.Errorf("LockRoom(unknown) = %v, want ErrNoSuchRoom", err)
	}
}

func TestServerFull(t *testing.T) {
	h := newHub(t, Config{MaxPeers: 2})
	connect(t, h)
	connect(t, h)
	if _, err := h.Connect(ConnInfo{}, &fakeLink{}); !errors.Is(err, ErrServerFull) {
		t.Fatalf("third Connect = %v, want ErrServerFull", err)
	}
}

func TestCapacityHoldsUnderConcurrentJoins(t *testing.T) {
	for _, capacity := range []int{2, 16} {
		t.Run(fmt.Sprint(capacity), func(t *testing.T) {
			h := newHub(t, Config{RoomCapacity: capacity})
			const joiners = 1000
			peers := make([]*Peer, joiners)
			for i := range peers {
				peers[i], _ = connect(t, h)
			}
			var wg sync.WaitGroup
			errs := make([]error, joiners)
			start := make(chan struct{})
			for i, p := range peers {
				wg.Go(func() {
					<-start
					errs[i] = h.Join(p, "crowd", "")
				})
			}
			close(start)
			wg.Wait()
			ok, full := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case errors.Is(err, ErrRoomFull):
					full++
				default:
					t.Fatalf("Join: unexpected error %v", err)
				}
			}
			if ok != capacity || full != joiners-capacity {
				t.Errorf("%d concurrent joins: %d joined, %d full; want %d and %d", joiners, ok, full, capacity, joiners-capacity)
			}
			if rooms := h.Rooms(); len(rooms) != 1 || rooms[0].Peers != capacity {
				t.Errorf("Rooms() = %+v, want one room of %d", rooms, capacity)
			}
		})
	}
}

func TestRelayNeverCrossesRooms(t *testing.T) {
	h := newHub(t, Config{RoomCapacity: 3})
	a, _ := connect(t, h)
	b, _ := connect(t, h)
	c, _ := connect(t, h)
	x, _ := connect(t, h)
	for _, p := range []*Peer{a, b, c} {
		join(t, h, p, "red")
	}
	join(t, h, x, "blue")
	for _, p := range []*Peer{a, b, c, x} {
		inbox(p)
	}
	data := json.RawMessage(`{"sdp":"v=0"}`)
	if err := h.Signal(a, b.ID(), data); err != nil {
		t.Fatalf("Signal a→b: %v", err)
	}
	if err := h.Signal(a, x.ID(), data); !errors.Is(err, ErrUnknownPeer) {
		t.Errorf("Signal to another room's peer = %v, want ErrUnknownPeer", err)
	}
	if err := h.Signal(a, a.ID(), data); !errors.Is(err, ErrUnknownPeer) {
		t.Errorf("Signal to self = %v, want ErrUnknownPeer", err)
	}
	if err := h.Broadcast(a, json.RawMessage(`{"chat":"hi"}`)); err != nil {
		t.Fatalf("Broadcast: %v", err)
	}
	bm := inbox(b)
	if len(bm) != 2 || bm[0].Kind != KindSignal || bm[0].Peer.ID != a.ID() || string(bm[0].Data) != string(data) || bm[1].Kind != KindBroadcast {
		t.Errorf("b's inbox = %+v, want a's signal then broadcast", bm)
	}
	if cm := inbox(c); len(cm) != 1 || cm[0].Kind != KindBroadcast {
		t.Errorf("c's inbox = %v, want only the broadcast", kinds(cm))
	}
	if am := inbox(a); len(am) != 0 {
		t.Errorf("a received its own messages: %v", kinds(am))
	}
	if xm := inbox(x); len(xm) != 0 {
		t.Errorf("x in another room received %v", kinds(xm))
	}
	if err := h.Signal(x, "", data); !errors.Is(err, ErrUnknownPeer) {
		t.Errorf("Signal to empty id = %v, want ErrUnknownPeer", err)
	}
	lone, _ := connect(t, h)
	if err := h.Broadcast(lone, data); !errors.Is(err, ErrNotInRoom) {
		t.Errorf("Broadcast outside a room = %v, want ErrNotInRoom", err)
	}
	if err := h.Signal(lone, a.ID(), data); !errors.Is(err, ErrNotInRoom) {
		t.Errorf("Signal outside a room = %v, want ErrNotInRoom", err)
	}
	if err := h.Leave(lone); !errors.Is(err, ErrNotInRoom) {
		t.Errorf("Leave outside a room = %v, want ErrNotInRoom", err)
	}
}

func TestGraceKeepsSeatAndResumeReplays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHub(t, Config{ResumeGrace: 10 * time.Second})
		a, la := connect(t, h)
		b, _ := connect(t, h)
		join(t, h, a, "r")
		join(t, h, b, "r")
		seen := take(a)
		lastSeen := seen[len(seen)-1].Seq
		token := seen[0].Msg.Token
		inbox(b)

		h.Detach(a, la)
		if got := inbox(b); len(got) != 1 || got[0].Kind != KindPeerAway || got[0].Peer.ID != a.ID() {
			t.Fatalf("b got %v when a's connection dropped, want peer-away at once", kinds(got))
		}
		h.Signal(b, a.ID(), json.RawMessage(`"while away"`))
		time.Sleep(9 * time.Second)
		if got := inbox(b); len(got) != 0 {
			t.Fatalf("b saw %v while a was away within the grace", kinds(got))
		}

		nl := &fakeLink{}
		prov, err := h.Connect(ConnInfo{}, nl)
		if err != nil {
			t.Fatal(err)
		}
		seat, err := h.Resume(prov, token, lastSeen)
		if err != nil {
			t.Fatalf("Resume: %v", err)
		}
		if seat != a {
			t.Fatalf("Resume returned another seat")
		}
		got := inbox(a)
		if len(got) != 2 || got[0].Kind != KindSignal || string(got[0].Data) != `"while away"` || got[1].Kind != KindResumed {
			t.Fatalf("after resume a got %v, want the held signal then resumed", kinds(got))
		}
		if got[1].Lost != 0 || len(got[1].Peers) != 1 || got[1].Peers[0].ID != b.ID() {
			t.Errorf("resumed = %+v, want lost 0 and b as peer", got[1])
		}
		if got := inbox(b); len(got) != 1 || got[0].Kind != KindPeerBack || got[0].Peer.ID != a.ID() {
			t.Errorf("b got %v when a resumed, want peer-back", kinds(got))
		}
		time.Sleep(5 * time.Second) // past the original grace end
		if got := inbox(b); len(got) != 0 {
			t.Errorf("b saw %v although a resumed", kinds(got))
		}
		if _, err := h.Resume(prov, token, 0); !errors.Is(err, ErrBadToken) {
			t.Errorf("Resume by a discarded provisional peer = %v, want ErrBadToken", err)
		}
	})
}

func TestResumeReplaysWritesLostInFlight(t *testing.T) {
	h := newHub(t, Config{})
	a, la := connect(t, h)
	b, _ := connect(t, h)
	join(t, h, a, "r")
	join(t, h, b, "r")
	first := take(a) // joined, peer-joined: "written" to a link that is silently dead
	h.Signal(b, a.ID(), json.RawMessage(`1`))
	inbox(a) // also written, never arrived
	prov, _ := h.Connect(ConnInfo{}, &fakeLink{})
	if _, err := h.Resume(prov, first[0].Msg.Token, first[0].Seq); err != nil {
		t.Fatal(err)
	}
	// The old link's writer may still be running: it takes nothing, so
	// the replay and resumed all reach the new link.
	if stolen := a.Take(la, nil); len(stolen) != 0 {
		t.Fatalf("the replaced link took %d messages", len(stolen))
	}
	got := inbox(a)
	if want := []Kind{KindPeerJoined, KindSignal, KindResumed}; fmt.Sprint(kinds(got)) != fmt.Sprint(want) {
		t.Errorf("replay = %v, want %v", kinds(got), want)
	}
	if r := la.closeReasons(); len(r) != 1 || r[0] != ReasonReplaced {
		t.Errorf("old link closed with %v, want [replaced]", r)
	}
}

func TestGraceExpiryTellsOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHub(t, Config{ResumeGrace: 10 * time.Second})
		a, la := connect(t, h)
		b, _ := connect(t, h)
		join(t, h, a, "r")
		join(t, h, b, "r")
		token := inbox(a)[0].Token
		inbox(b)
		h.Detach(a, la)
		time.Sleep(11 * time.Second)
		got := inbox(b)
		if len(got) != 2 || got[0].Kind != KindPeerAway || got[1].Kind != KindPeerLeft || got[1].Reason != ReasonTimedOut {
			t.Fatalf("b got %+v, want peer-left timed-out", got)
		}
		prov, _ := h.Connect(ConnInfo{}, &fakeLink{})
		if _, err := h.Resume(prov, token, 0); !errors.Is(err, ErrBadToken) {
			t.Errorf("Resume after grace = %v, want ErrBadToken", err)
		}
		if st := h.Stats(); st.Peers != 2 || st.Rooms != 1 {
			t.Errorf("Stats = %d peers %d rooms, want 2 and 1", st.Peers, st.Rooms)
		}
	})
}

func TestDetachOutsideRoomAndDisconnect(t *testing.T) {
	h := newHub(t, Config{})
	a, la := connect(t, h)
	h.Detach(a, la)
	b, _ := connect(t, h)
	c, _ := connect(t, h)
	join(t, h, b, "r")
	join(t, h, c, "r")
	inbox(c)
	h.Disconnect(b)
	if got := inbox(c); len(got) != 1 || got[0].Reason != ReasonLeft {
		t.Errorf("c got %+v, want peer-left left", got)
	}
	if st := h.Stats(); st.Peers != 1 {
		t.Errorf("peers = %d, want 1", st.Peers)
	}
	h.Detach(b, &fakeLink{}) // stale: ignored
}

func TestSlowConsumerIsDropped(t *testing.T) {
	h := newHub(t, Config{OutboxSize: 4, RoomCapacity: 3})
	a, _ := connect(t, h)
	slow, ls := connect(t, h)
	join(t, h, a, "r")
	join(t, h, slow, "r")
	inbox(a)
	for i := range 10 {
		if err := h.Broadcast(a, json.RawMessage(fmt.Sprint(i))); err != nil {
			t.Fatalf("Broadcast %d: %v", i, err)
		}
	}
	if r := ls.closeReasons(); len(r) != 1 || r[0] != ReasonDropped {
		t.Fatalf("slow link closed with %v, want [dropped]", r)
	}
	got := inbox(a)
	if len(got) != 1 || got[0].Kind != KindPeerLeft || got[0].Reason != ReasonDropped {
		t.Fatalf("a got %+v, want peer-left dropped", got)
	}
	if st := h.Stats(); st.SlowDropped != 1 || st.Peers != 1 {
		t.Errorf("Stats = %+v, want 1 dropped and 1 peer", st)
	}
}

func TestAdmin(t *testing.T) {
	h := newHub(t, Config{RoomCapacity: 3})
	a, la := connect(t, h)
	b, _ := connect(t, h)
	c, _ := connect(t, h)
	for _, p := range []*Peer{a, b, c} {
		join(t, h, p, "r")
	}
	for _, p := range []*Peer{a, b, c} {
		inbox(p)
	}
	if err := h.Kick(a.ID()); err != nil {
		t.Fatal(err)
	}
	if got := inbox(a); len(got) != 1 || got[0].Kind != KindLeft || got[0].Reason != ReasonKicked {
		t.Errorf("kicked peer got %+v, want left kicked", got)
	}
	if r := la.closeReasons(); len(r) != 1 || r[0] != ReasonKicked {
		t.Errorf("kicked link closed with %v", r)
	}
	if got := inbox(b); len(got) != 1 || got[0].Reason != ReasonKicked {
		t.Errorf("b got %+v, want peer-left kicked", got)
	}
	if err := h.Kick(a.ID()); !errors.Is(err, ErrNoSuchPeer) {
		t.Errorf("Kick twice = %v, want ErrNoSuchPeer", err)
	}
	inbox(c)
	if err := h.CloseRoom("r"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*Peer{b, c} {
		got := inbox(p)
		if len(got) == 0 || got[len(got)-1].Kind != KindLeft || got[len(got)-1].Reason != ReasonRoomClosed {
			t.Errorf("%s got %v, want to end with left room-closed", p.ID(), kinds(got))
		}
	}
	if len(h.Rooms()) != 0 {
		t.Error("room still listed after CloseRoom")
	}
	join(t, h, b, "again") // still connected, may join another room
	if err := h.CloseRoom("nowhere"); !errors.Is(err, ErrNoSuchRoom) {
		t.Errorf("CloseRoom(unknown) = %v", err)
	}
}

func TestSnapshotAndEvents(t *testing.T) {
	h := newHub(t, Config{})
	events, cancel := h.Subscribe(64)
	a, _ := connect(t, h)
	lobby, _ := connect(t, h)
	if err := h.Join(a, "r", "  Ana\tB  "); err != nil {
		t.Fatal(err)
	}
	snap := h.Snapshot()
	if len(snap.Rooms) != 1 || len(snap.Rooms[0].Peers) != 1 || snap.Rooms[0].Peers[0].Name != "Ana B" {
		t.Fatalf("Snapshot rooms = %+v", snap.Rooms)
	}
	if len(snap.Lobby) != 1 || snap.Lobby[0].ID != lobby.ID() {
		t.Errorf("Snapshot lobby = %+v", snap.Lobby)
	}
	cancel()
	var got []EventKind
	for ev := range events {
		got = append(got, ev.Kind)
	}
	want := []EventKind{EventPeerConnected, EventPeerConnected, EventRoomOpened, EventPeerJoined}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events = %v, want %v", got, want)
	}
}

func TestShutdownClosesEveryLink(t *testing.T) {
	h := newHub(t, Config{})
	a, la := connect(t, h)
	_, lb := connect(t, h)
	join(t, h, a, "r")
	h.Shutdown()
	for _, l := range []*fakeLink{la, lb} {
		if r := l.closeReasons(); len(r) != 1 || r[0] != ReasonShutdown {
			t.Errorf("link closed with %v, want [shutdown]", r)
		}
	}
	if _, err := h.Connect(ConnInfo{}, &fakeLink{}); !errors.Is(err, ErrShuttingDown) {
		t.Errorf("Connect after Shutdown = %v", err)
	}
}

// TestChatOnlySeat follows a chat-only seat through every message that
// describes it: the others see the flag on peer-joined, joined.peers,
// resumed.peers and peer-left; it sees it on itself; ordinary peers stay
// unflagged; and the flag belongs to the seat, not the peer, so a later
// ordinary join of the same peer drops it.
func TestChatOnlySeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHub(t, Config{RoomCapacity: 3, ResumeGrace: 10 * time.Second})
		a, la := connect(t, h)
		w, _ := connect(t, h)
		b, _ := connect(t, h)
		join(t, h, a, "r")
		if err := h.JoinWith(w, "r", JoinOptions{Name: "Window", ChatOnly: true}); err != nil {
			t.Fatalf("JoinWith(chat-only): %v", err)
		}
		join(t, h, b, "r")

		want := func(who string, got PeerInfo, id string, chatOnly bool) {
			t.Helper()
			if got.ID != id || got.ChatOnly != chatOnly {
				t.Errorf("%s = %+v, want id %s chatOnly %v", who, got, id, chatOnly)
			}
		}
		am := take(a)
		if len(am) != 3 {
			t.Fatalf("a's inbox = %d messages, want joined and two peer-joined", len(am))
		}
		want("a's joined.self", am[0].Msg.Peer, a.ID(), false)
		want("a's peer-joined (window)", am[1].Msg.Peer, w.ID(), true)
		want("a's peer-joined (b)", am[2].Msg.Peer, b.ID(), false)
		if wm := inbox(w); len(wm) != 2 || wm[0].Kind != KindJoined {
			t.Fatalf("window's inbox = %v, want joined, peer-joined", kinds(wm))
		} else {
			want("window's joined.self", wm[0].Peer, w.ID(), true)
			want("window's joined.peers[0]", wm[0].Peers[0], a.ID(), false)
		}
		if bm := inbox(b); len(bm) != 1 || len(bm[0].Peers) != 2 {
			t.Fatalf("b's inbox = %+v, want joined listing a and the window", bm)
		} else {
			want("b's joined.peers[0]", bm[0].Peers[0], a.ID(), false)
			want("b's joined.peers[1]", bm[0].Peers[1], w.ID(), true)
		}
		snap := h.Snapshot().Rooms[0].Peers
		if len(snap) != 3 || snap[0].ChatOnly || !snap[1].ChatOnly || snap[2].ChatOnly {
			t.Errorf("Snapshot peers = %+v, want only the window chat-only", snap)
		}

		// a drops and resumes: resumed lists the window as chat-only.
		h.Detach(a, la)
		prov, err := h.Connect(ConnInfo{}, &fakeLink{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Resume(prov, am[0].Msg.Token, am[2].Seq); err != nil {
			t.Fatalf("Resume: %v", err)
		}
		if got := inbox(a); len(got) != 1 || got[0].Kind != KindResumed || len(got[0].Peers) != 2 {
			t.Fatalf("a after resume = %+v, want resumed with two peers", got)
		} else {
			want("a's resumed.self", got[0].Peer, a.ID(), false)
			want("a's resumed.peers[0]", got[0].Peers[0], w.ID(), true)
			want("a's resumed.peers[1]", got[0].Peers[1], b.ID(), false)
		}

		if err := h.Leave(w); err != nil {
			t.Fatal(err)
		}
		if got := inbox(b); len(got) != 3 || got[0].Kind != KindPeerAway || got[1].Kind != KindPeerBack {
			t.Fatalf("b after a dropped and resumed, and the window left = %v, want peer-away, peer-back, peer-left", kinds(got))
		} else {
			got = got[2:]
			if got[0].Kind != KindPeerLeft {
				t.Fatalf("b's last = %v, want peer-left", kinds(got))
			}
			want("b's peer-left", got[0].Peer, w.ID(), true)
		}
		inbox(a)
		join(t, h, w, "r") // an ordinary join now
		if got := inbox(a); len(got) != 1 || got[0].Kind != KindPeerJoined {
			t.Fatalf("a after the window rejoined = %v, want peer-joined", kinds(got))
		} else {
			want("a's peer-joined (window, ordinary)", got[0].Peer, w.ID(), false)
		}
		for _, ps := range h.Snapshot().Rooms[0].Peers {
			if ps.ChatOnly {
				t.Errorf("Snapshot after the ordinary rejoin: %s (%s) still chat-only", ps.ID, ps.Name)
			}
		}
	})
}
