package app

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/app/service"
	"signalbox/app/settings"
	"signalbox/signaling"
)

// waitTimeout bounds how long a test on real sockets waits for an event.
const waitTimeout = 10 * time.Second

// fixture is an App on a real server on loopback, with a recorder for its
// events and a temporary configuration folder.
type fixture struct {
	app    *App
	svc    *service.Service
	rec    *recorder
	dir    string
	mu     sync.Mutex
	opened []string
}

// newFixture starts an App with the settings stored in configDir, whose
// server listens on 127.0.0.1 like `--addr 127.0.0.1:…` on the command
// line: on a free port when port is 0, else on the stored port.
func newFixture(t *testing.T, configDir string, port int) *fixture {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	stored := settings.Default("Lab")
	stored.MDNS = false
	if configDir != "" {
		var err error
		if stored, err = settings.Load(configDir, stored); err != nil {
			t.Fatal(err)
		}
	}
	override := func(s *settings.Settings) {
		_, p, _ := net.SplitHostPort(string(s.Addr))
		if port == 0 {
			p = "0"
		}
		s.Addr = settings.Addr(net.JoinHostPort("127.0.0.1", p))
	}
	st := stored.ApplyTo(settings.Settings{AllowOrigins: WindowOrigins("linux"), ListRooms: true})
	override(&st)
	client := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>client</title>")}}
	svc := service.New(service.Config{Settings: st, Client: client, Version: "test"}, log)
	f := &fixture{svc: svc, rec: newRecorder(), dir: configDir}
	f.app = New(svc, Config{
		ConfigDir: configDir, Settings: stored, Override: override, Fixed: []string{"port"}, Version: "test",
		Emit: f.rec.emit,
		OpenURL: func(u string) {
			f.mu.Lock()
			f.opened = append(f.opened, u)
			f.mu.Unlock()
		},
	}, log)
	f.app.startup(context.Background())
	t.Cleanup(func() { f.app.shutdown(context.Background()) })
	return f
}

// waitFor waits until an event named name satisfies ok, and returns it.
func (f *fixture) waitFor(t *testing.T, name string, ok func(any) bool) any {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		for _, e := range f.rec.take(name) {
			if ok(e.data) {
				return e.data
			}
		}
		select {
		case <-f.rec.notify:
		case <-deadline:
			t.Fatalf("no %s event as expected within %v", name, waitTimeout)
		}
	}
}

func (f *fixture) waitView(t *testing.T, ok func(View) bool) View {
	t.Helper()
	return f.waitFor(t, EventRooms, func(d any) bool { return ok(d.(View)) }).(View)
}

func (f *fixture) waitLog(t *testing.T, ok func(LogEntry) bool) LogEntry {
	t.Helper()
	var found LogEntry
	f.waitFor(t, EventLog, func(d any) bool {
		for _, e := range d.([]LogEntry) {
			if ok(e) {
				found = e
				return true
			}
		}
		return false
	})
	return found
}

// wsPeer is a native-protocol client, as a phone's browser would be.
type wsPeer struct {
	t    *testing.T
	conn *websocket.Conn
	id   string
}

func dial(t *testing.T, port int, origin string) (*wsPeer, *http.Response, error) {
	t.Helper()
	h := http.Header{"User-Agent": {androidUA}}
	if origin != "" {
		h.Set("Origin", origin)
	}
	conn, resp, err := websocket.DefaultDialer.Dial("ws://127.0.0.1:"+strconv.Itoa(port)+"/ws", h)
	if err != nil {
		return nil, resp, err
	}
	t.Cleanup(func() { conn.Close() })
	p := &wsPeer{t: t, conn: conn}
	welcome := p.read()
	p.id = welcome["peer"].(map[string]any)["id"].(string)
	return p, resp, nil
}

func (p *wsPeer) read() map[string]any {
	p.t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(waitTimeout))
	var m map[string]any
	if err := p.conn.ReadJSON(&m); err != nil {
		p.t.Fatalf("read: %v", err)
	}
	return m
}

func (p *wsPeer) join(room, name string) map[string]any {
	p.t.Helper()
	if err := p.conn.WriteJSON(map[string]string{"type": "join", "room": room, "name": name}); err != nil {
		p.t.Fatal(err)
	}
	return p.read()
}

func TestAppStatusAndFirstSettings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "signalbox")
	f := newFixture(t, dir, 0)
	st := f.waitFor(t, EventStatus, func(d any) bool { return d.(Status).State == StateRunning }).(Status)
	port := f.svc.Port()
	local := "http://127.0.0.1:" + strconv.Itoa(port) + "/"
	if st.Port != port || st.LocalURL != local || len(st.Joins) != 1 || !st.Joins[0].Primary || st.Joins[0].URL != local ||
		st.ServerName != "Lab" || st.RoomCapacity != 2 || st.Version != "test" || st.MDNS.Enabled {
		t.Errorf("Status() = %+v", st)
	}
	if !settings.Exists(dir) {
		t.Errorf("the first run did not save its settings (and server id) in %s", dir)
	}
	sv := f.app.Settings()
	if sv.Path != filepath.Join(dir, settings.FileName) || len(sv.Fixed) != 1 || sv.Fixed[0] != "port" || sv.Settings.ServerName != "Lab" ||
		!slices.Equal(sv.Restart, settings.RestartKeys()) {
		t.Errorf("Settings() = %+v", sv)
	}
	// The form shows the running port (the command line's), not the stored one.
	if got := sv.Settings.Addr; got != settings.Addr(net.JoinHostPort("127.0.0.1", "0")) {
		t.Errorf("Settings().Settings.Addr = %q, want the command line's 127.0.0.1:0", got)
	}
	entry := f.app.EventLog()
	if len(entry) == 0 || entry[0].Kind != LogServerStarted {
		t.Errorf("EventLog() = %+v, want it to start with %s", entry, LogServerStarted)
	}
}

func TestAppLiveRoomsAndAdmin(t *testing.T) {
	f := newFixture(t, t.TempDir(), 0)
	port := f.svc.Port()
	ana, _, err := dial(t, port, "wails://wails") // the window's own origin is allowed
	if err != nil {
		t.Fatalf("dial with the window's origin: %v", err)
	}
	if m := ana.join("math", "Ana"); m["type"] != "joined" {
		t.Fatalf("join = %v", m)
	}
	v := f.waitView(t, func(v View) bool { return len(v.Rooms) == 1 && len(v.Rooms[0].Peers) == 1 })
	if p := v.Rooms[0].Peers[0]; p.Name != "Ana" || p.ID != ana.id || p.Address != "127.0.0.1" ||
		p.Device != (Device{"Chrome", "Android", "phone"}) || p.ConnectedAt.IsZero() {
		t.Errorf("peer in view = %+v", p)
	}
	if got := f.app.View(); len(got.Rooms) != 1 || got.Rooms[0].Name != "math" {
		t.Errorf("View() = %+v", got)
	}

	// Kick: Ana is told and disconnected with 4001; the log names her.
	if err := f.app.Kick(ana.id); err != nil {
		t.Fatalf("Kick() = %v", err)
	}
	for {
		ana.conn.SetReadDeadline(time.Now().Add(waitTimeout))
		_, _, err := ana.conn.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			if ce.Code != 4001 {
				t.Errorf("kicked peer closed with %d, want 4001", ce.Code)
			}
			break
		}
		if err != nil {
			t.Fatalf("kicked peer: %v", err)
		}
	}
	e := f.waitLog(t, func(e LogEntry) bool { return e.Kind == "peer-left" && e.Reason == "kicked" })
	if e.PeerName != "Ana" || e.Room != "math" {
		t.Errorf("kick log entry = %+v", e)
	}
	if err := f.app.Kick(ana.id); err == nil || !strings.HasPrefix(err.Error(), CodeNoSuchPeer+":") {
		t.Errorf("Kick(gone) = %v, want a %s error", err, CodeNoSuchPeer)
	}

	// Lock: nobody else may join; unlock lets them in.
	ben, _, err := dial(t, port, "")
	if err != nil {
		t.Fatal(err)
	}
	ben.join("physics", "Ben")
	if err := f.app.LockRoom("physics", true); err != nil {
		t.Fatalf("LockRoom() = %v", err)
	}
	f.waitView(t, func(v View) bool { return len(v.Rooms) == 1 && v.Rooms[0].Locked })
	cy, _, err := dial(t, port, "")
	if err != nil {
		t.Fatal(err)
	}
	if m := cy.join("physics", "Cy"); m["type"] != "error" || m["code"] != "room-locked" {
		t.Errorf("join a locked room = %v, want error room-locked", m)
	}
	// The log names who could not join where (Cy, not an id).
	if e := f.waitLog(t, func(e LogEntry) bool { return e.Kind == "error" && e.Code == "room-locked" }); e.PeerName != "Cy" || e.Room != "physics" {
		t.Errorf("refused join log entry = %+v, want Cy and physics", e)
	}
	if err := f.app.LockRoom("nowhere", true); err == nil || !strings.HasPrefix(err.Error(), CodeNoSuchRoom+":") {
		t.Errorf("LockRoom(missing) = %v, want a %s error", err, CodeNoSuchRoom)
	}

	// Close: Ben is sent out, stays connected; the room disappears.
	if err := f.app.CloseRoom("physics"); err != nil {
		t.Fatalf("CloseRoom() = %v", err)
	}
	if m := ben.read(); m["type"] != "left" || m["reason"] != "room-closed" {
		t.Errorf("after CloseRoom Ben got %v, want left/room-closed", m)
	}
	f.waitView(t, func(v View) bool { return len(v.Rooms) == 0 && len(v.Lobby) == 2 })
}

func TestAppRefusesOtherOrigins(t *testing.T) {
	f := newFixture(t, t.TempDir(), 0)
	_, resp, err := dial(t, f.svc.Port(), "http://evil.example")
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("dial from another origin = %v (%v), want 403", err, resp)
	}
}

func TestAppOpenRoom(t *testing.T) {
	f := newFixture(t, t.TempDir(), 0)
	base := "http://127.0.0.1:" + strconv.Itoa(f.svc.Port()) + "/"
	tests := []struct {
		room, want, code string
	}{
		{"", base, ""},
		{"math", base + "r/math", ""},
		{" Café 1/2 ", base + "r/Caf%C3%A9%201%2F2", ""},
		{"bad\x00name", "", CodeBadRoomName},
	}
	for _, tt := range tests {
		got, err := f.app.OpenRoom(tt.room)
		if tt.code != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.code+":") {
				t.Errorf("OpenRoom(%q) = %q, %v; want a %s error", tt.room, got, err, tt.code)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("OpenRoom(%q) = %q, %v; want %q", tt.room, got, err, tt.want)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.opened) != 3 || f.opened[1] != base+"r/math" {
		t.Errorf("browser opened %q", f.opened)
	}
}

func TestAppSaveSettingsRestarts(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, dir, 0)
	hub := f.svc.Hub()
	s := f.app.Settings().Settings
	s.ServerName = "Room 101"
	s.RoomCapacity = 4
	res, err := f.app.SaveSettings(s)
	if err != nil || !res.Restarted {
		t.Fatalf("SaveSettings(new name) = %+v, %v; want a restart", res, err)
	}
	if f.svc.Hub() == hub || f.svc.Hub().Config().RoomCapacity != 4 {
		t.Errorf("the server did not restart with the new capacity")
	}
	f.waitFor(t, EventStatus, func(d any) bool { st := d.(Status); return st.ServerName == "Room 101" && st.RoomCapacity == 4 })
	f.waitLog(t, func(e LogEntry) bool { return e.Kind == LogSettingsSaved })
	var onDisk settings.Settings
	b, err := os.ReadFile(filepath.Join(dir, settings.FileName))
	if err != nil {
		t.Fatal(err)
	}
	// The port the command line fixed keeps its stored value on disk.
	if err := json.Unmarshal(b, &onDisk); err != nil || onDisk.ServerName != "Room 101" || onDisk.ServerID != s.ServerID ||
		onDisk.Addr.Port() != settings.DefaultPort {
		t.Errorf("settings file = %s (%v)", b, err)
	}

	hub = f.svc.Hub()
	s.MDNS = true // loopback only: nothing to advertise, and no restart
	if res, err := f.app.SaveSettings(s); err != nil || res.Restarted || f.svc.Hub() != hub {
		t.Errorf("SaveSettings(mdns) = %+v, %v; want no restart", res, err)
	}
	s.ServerID = "forged"
	if _, err := f.app.SaveSettings(s); err != nil || f.app.Settings().Settings.ServerID == "forged" {
		t.Errorf("the window changed the server id")
	}
	s.RoomCapacity = 0
	if _, err := f.app.SaveSettings(s); err == nil || !strings.HasPrefix(err.Error(), CodeInvalidSettings+":") {
		t.Errorf("SaveSettings(capacity 0) = %v, want an %s error", err, CodeInvalidSettings)
	}
	if err := f.app.SetLanguage("zh-CN"); err != nil || f.app.Settings().Settings.Language != "zh-CN" {
		t.Errorf("SetLanguage(zh-CN) = %v", err)
	}
	if err := f.app.SetLanguage("tlh"); err == nil {
		t.Errorf("SetLanguage(tlh) = nil, want an error")
	}
}

func TestAppPortBusyThenRetry(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	dir := t.TempDir()
	s := settings.Default("Lab")
	s.Addr, s.MDNS = settings.PortAddr(port), false
	if err := settings.Save(dir, s); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, dir, port) // the stored port: busy
	st := f.waitFor(t, EventStatus, func(d any) bool { return d.(Status).State == StateError }).(Status)
	if st.ErrorCode != CodePortBusy || st.Port != port {
		t.Errorf("status with a busy port = %+v, want port-busy on %d", st, port)
	}
	f.waitLog(t, func(e LogEntry) bool { return e.Kind == LogServerError && e.Code == CodePortBusy })
	if err := f.app.Retry(); err == nil || !strings.HasPrefix(err.Error(), CodePortBusy+":") {
		t.Errorf("Retry() while busy = %v, want a %s error", err, CodePortBusy)
	}
	ln.Close()
	if err := f.app.Retry(); err != nil {
		t.Fatalf("Retry() after the port was freed = %v", err)
	}
	f.waitFor(t, EventStatus, func(d any) bool { return d.(Status).State == StateRunning })
}

func TestAppWithoutConfigDir(t *testing.T) {
	f := newFixture(t, "", 0)
	s := f.app.Settings().Settings
	s.ServerName = "Elsewhere"
	if _, err := f.app.SaveSettings(s); err == nil || !strings.HasPrefix(err.Error(), CodeSaveFailed+":") {
		t.Errorf("SaveSettings() without a folder = %v, want a %s error", err, CodeSaveFailed)
	}
	if f.app.Settings().Path != "" {
		t.Errorf("Settings().Path = %q, want empty", f.app.Settings().Path)
	}
}

func TestWindowOrigins(t *testing.T) {
	for goos, want := range map[string]string{"linux": "wails://wails", "darwin": "wails://wails", "windows": "http://wails.localhost"} {
		if got := WindowOrigins(goos); len(got) != 1 || got[0] != want {
			t.Errorf("WindowOrigins(%s) = %q, want [%q]", goos, got, want)
		}
	}
}

func TestAppClassesAndRefusals(t *testing.T) {
	f := newFixture(t, t.TempDir(), 0)
	port := f.svc.Port()
	var students []*wsPeer
	for _, name := range []string{"Ana", "Ben", "Cleo"} {
		p, _, err := dial(t, port, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := p.conn.WriteJSON(map[string]any{"type": "join", "room": "math", "name": name, "overflow": true}); err != nil {
			t.Fatal(err)
		}
		if m := p.read(); m["type"] != "joined" || m["class"] != "math" {
			t.Fatalf("%s joined = %v", name, m)
		}
		students = append(students, p)
	}
	v := f.waitView(t, func(v View) bool { return len(v.Rooms) == 2 && len(v.Classes) == 1 })
	if want := (ClassView{Name: "math", Mode: string(signaling.ModePairs), Size: 2}); v.Classes[0] != want {
		t.Errorf("classes = %+v, want %+v", v.Classes, want)
	}
	for _, r := range v.Rooms {
		if r.Class != "math" {
			t.Errorf("room %q class %q, want math", r.Name, r.Class)
		}
	}
	if err := f.app.SetClassMode("math", "group", 4); err != nil {
		t.Fatalf("SetClassMode = %v", err)
	}
	f.waitView(t, func(v View) bool {
		return len(v.Classes) == 1 && v.Classes[0].Mode == string(signaling.ModeGroup) && v.Rooms[0].Capacity == 4
	})
	if e := f.waitLog(t, func(e LogEntry) bool { return e.Kind == "class-changed" }); e.Room != "math" || e.Detail != "group" || e.Count != 4 {
		t.Errorf("class-changed entry = %+v", e)
	}
	if err := f.app.SetClassMode("math", "triples", 3); err == nil || !strings.HasPrefix(err.Error(), CodeBadClassMode+":") {
		t.Errorf("SetClassMode(triples) = %v, want a %s error", err, CodeBadClassMode)
	}

	// A plain join (the tutorial's) of a full room: the log says who, where, how full.
	x1, _, _ := dial(t, port, "")
	x2, _, _ := dial(t, port, "")
	x3, _, _ := dial(t, port, "")
	x1.join("x", "Dev")
	x2.join("x", "Eva")
	if m := x3.join("x", "Finn"); m["code"] != "room-full" {
		t.Fatalf("third join = %v", m)
	}
	e := f.waitLog(t, func(e LogEntry) bool { return e.Kind == "error" && e.Code == "room-full" })
	if e.PeerName != "Finn" || e.Room != "x" || e.Count != 2 || e.Capacity != 2 {
		t.Errorf("room-full entry = %+v, want Finn, x, 2 of 2", e)
	}
	_ = students
}
