package app

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"signalbox/app/mdns"
	"signalbox/app/service"
	"signalbox/app/settings"
	"signalbox/signaling"
)

// View returns the rooms and peers now, for the window's first paint; later
// changes come as EventRooms.
func (a *App) View() View {
	hub := a.svc.Hub()
	if hub == nil {
		return View{Rooms: []RoomView{}, Lobby: []PeerView{}}
	}
	v := viewer{relayed: a.svc.RelayedPeers()}
	view, _ := v.view(hub.Snapshot())
	return view
}

// EventLog returns the log kept so far, oldest first; later entries come
// as EventLog.
func (a *App) EventLog() []LogEntry { return a.events.since(0) }

// Kick removes a peer from the server; it may reconnect.
func (a *App) Kick(peerID string) error {
	hub := a.svc.Hub()
	if hub == nil {
		return coded(CodeNotRunning, errNotRunning)
	}
	if err := hub.Kick(peerID); err != nil {
		return coded(CodeNoSuchPeer, err)
	}
	return nil
}

// LockRoom stops (locked) or allows again peers joining a room.
func (a *App) LockRoom(room string, locked bool) error {
	hub := a.svc.Hub()
	if hub == nil {
		return coded(CodeNotRunning, errNotRunning)
	}
	if err := hub.LockRoom(room, locked); err != nil {
		return coded(CodeNoSuchRoom, err)
	}
	return nil
}

// SetClassMode chooses how the class address class seats students:
// mode "pairs", or "group" with size seats per room (2–32).
func (a *App) SetClassMode(class, mode string, size int) error {
	hub := a.svc.Hub()
	if hub == nil {
		return coded(CodeNotRunning, errNotRunning)
	}
	if err := hub.SetClass(class, signaling.ClassMode(mode), size); err != nil {
		if errors.Is(err, signaling.ErrBadRoomName) {
			return coded(CodeBadRoomName, err)
		}
		return coded(CodeBadClassMode, err)
	}
	return nil
}

// CloseRoom sends every peer out of a room, which then disappears.
func (a *App) CloseRoom(room string) error {
	hub := a.svc.Hub()
	if hub == nil {
		return coded(CodeNotRunning, errNotRunning)
	}
	if err := hub.CloseRoom(room); err != nil {
		return coded(CodeNoSuchRoom, err)
	}
	return nil
}

// OpenRoom opens a room (the lobby when room is "") in the system browser,
// on this machine's loopback address: a secure context, so the camera
// works. It returns the URL opened.
func (a *App) OpenRoom(room string) (string, error) {
	base := a.svc.LocalURL()
	if base == "" {
		return "", coded(CodeNotRunning, errNotRunning)
	}
	u := base
	if room != "" {
		name, err := signaling.RoomName(room)
		if err != nil {
			return "", coded(CodeBadRoomName, err)
		}
		u = base + "r/" + url.PathEscape(name)
	}
	a.cfg.OpenURL(u)
	return u, nil
}

// Retry starts the server again after it failed (a busy port freed).
func (a *App) Retry() error {
	err := a.svc.Start()
	a.watch.poke()
	if err != nil && !errors.Is(err, service.ErrRunning) {
		code := CodeFailed
		if errors.Is(err, service.ErrPortBusy) {
			code = CodePortBusy
		}
		return coded(code, err)
	}
	return nil
}

// InterfaceView is a network interface the server can serve and advertise
// on.
type InterfaceView struct {
	Name  string   `json:"name"`
	Addrs []string `json:"addrs"`
	// Up is false for an interface chosen earlier that is gone now.
	Up bool `json:"up"`
}

// SettingsView is the settings form's content.
type SettingsView struct {
	// Settings are the running values: the stored settings with the
	// command line's in place of the Fixed ones.
	Settings settings.Settings `json:"settings"`
	// Interfaces are the LAN interfaces now up, plus chosen ones now gone.
	Interfaces []InterfaceView `json:"interfaces"`
	// Fixed are the settings (JSON keys) that command-line flags set for
	// this run: the window shows them read-only, and saving keeps their
	// stored values.
	Fixed []string `json:"fixed"`
	// Restart are the settings (JSON keys) whose change restarts the
	// server, disconnecting everyone: the window asks first.
	Restart []string `json:"restart"`
	// Path is the settings file, or "" when settings cannot be saved.
	Path string `json:"path"`
}

// Settings returns the settings as they run and the interfaces to choose
// from.
func (a *App) Settings() SettingsView {
	a.mu.Lock()
	s := a.settings.Clone()
	a.mu.Unlock()
	if a.cfg.Override != nil {
		a.cfg.Override(&s)
	}
	out := SettingsView{Settings: s, Interfaces: []InterfaceView{}, Fixed: slices.Clone(a.cfg.Fixed), Restart: settings.RestartKeys()}
	if out.Fixed == nil {
		out.Fixed = []string{}
	}
	if a.cfg.ConfigDir != "" {
		out.Path = a.cfg.ConfigDir + "/" + settings.FileName
	}
	lan, err := mdns.LANInterfaces()
	if err != nil {
		a.log.Warn("listing interfaces", "err", err)
	}
	for _, l := range lan {
		iv := InterfaceView{Name: l.Name, Up: true, Addrs: []string{}}
		for _, ip := range l.Addrs {
			iv.Addrs = append(iv.Addrs, ip.String())
		}
		out.Interfaces = append(out.Interfaces, iv)
	}
	for _, name := range s.Interfaces {
		if !slices.ContainsFunc(out.Interfaces, func(iv InterfaceView) bool { return iv.Name == name }) {
			out.Interfaces = append(out.Interfaces, InterfaceView{Name: name, Addrs: []string{}})
		}
	}
	return out
}

// SaveResult says what saving the settings did.
type SaveResult struct {
	// Restarted is true when the server restarted (every peer was
	// disconnected and may reconnect).
	Restarted bool `json:"restarted"`
}

// SaveSettings validates, stores and applies s. The server id and the
// settings the command line fixed keep their stored values. A server that cannot start with the new settings (a busy
// port) shows in the status; the settings stay saved.
func (a *App) SaveSettings(s settings.Settings) (SaveResult, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s = s.Keep(a.settings, a.cfg.Fixed)
	s.ServerID = a.settings.ServerID
	if s.Interfaces == nil {
		s.Interfaces = []string{}
	}
	if err := s.Validate(); err != nil {
		return SaveResult{}, coded(CodeInvalidSettings, err)
	}
	if err := a.store(s); err != nil {
		return SaveResult{}, err
	}
	a.settings = s
	st := s.ApplyTo(a.svc.Settings())
	if a.cfg.Override != nil {
		a.cfg.Override(&st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	restarted, err := a.svc.Apply(ctx, st)
	if err != nil {
		a.log.Warn("server did not start with the new settings", "err", err)
	}
	entry := LogEntry{Kind: LogSettingsSaved}
	if restarted {
		entry.Reason, entry.Detail = "restarted", "server restarted"
	}
	a.events.add(time.Now(), entry)
	a.watch.poke()
	return SaveResult{Restarted: restarted}, nil
}

// SetLanguage stores the window's language ("en", "zh-CN", or "" for the
// system's).
func (a *App) SetLanguage(lang string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.settings
	s.Language = lang
	if err := s.Validate(); err != nil {
		return coded(CodeInvalidSettings, err)
	}
	if err := a.store(s); err != nil {
		return err
	}
	a.settings = s
	return nil
}

// store writes s to the settings file. a.mu is held.
func (a *App) store(s settings.Settings) error {
	if a.cfg.ConfigDir == "" {
		return coded(CodeSaveFailed, errors.New("no configuration folder on this system"))
	}
	if err := settings.Save(a.cfg.ConfigDir, s); err != nil {
		return coded(CodeSaveFailed, err)
	}
	return nil
}

// Rendered is what the window drew, as it reports after each update.
type Rendered struct {
	Rooms int `json:"rooms"`
	Peers int `json:"peers"`
	// Direct and Relayed count the peer rows showing each route.
	Direct  int    `json:"direct"`
	Relayed int    `json:"relayed"`
	Locale  string `json:"locale"`
	// State is the server state the header shows ("running", "error"…).
	State string `json:"state"`
	// Latin lists the distinct Latin-script words of the window's text
	// (every tab, and placeholders, labels and titles), without URLs,
	// addresses and the names people typed: in Chinese, the smoke test
	// checks each against e2e/zh-allowlist.txt.
	Latin []string `json:"latin,omitempty"`
}

// ReportRendered receives the window's count of the rooms and peer rows it
// has drawn (read from its DOM) and logs it at debug level: the smoke test
// reads it to check the window's peer list follows the server.
func (a *App) ReportRendered(r Rendered) {
	a.log.Debug("window rendered", "rooms", r.Rooms, "peers", r.Peers, "locale", r.Locale, "state", r.State, "latin", strings.Join(r.Latin, " "),
		"direct", r.Direct, "relayed", r.Relayed)
}
