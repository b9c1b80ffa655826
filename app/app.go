package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"signalbox/app/service"
	"signalbox/app/settings"
)

// stopTimeout bounds the server's graceful stop when the window closes or
// a setting restarts it.
const stopTimeout = 5 * time.Second

// Config is what New needs. Zero durations take the defaults.
type Config struct {
	// ConfigDir is the folder of settings.json; "" means settings cannot
	// be saved this run.
	ConfigDir string
	// Settings are the stored settings, as loaded at start.
	Settings settings.Settings
	// Override re-applies the command-line flags that win over the stored
	// settings, after every change; nil means none. Fixed names the stored
	// settings (by JSON key) it sets, which the window shows read-only.
	Override func(*settings.Settings)
	Fixed    []string
	Version  string
	// Emit sends events to the window; OpenURL opens the system browser.
	Emit    Emitter
	OpenURL func(url string)
	// BatchInterval and StatsInterval time the events (see watcher).
	BatchInterval time.Duration
	StatsInterval time.Duration
}

// App is the object the window binds: its exported methods are callable
// from TypeScript (window.go.app.App.*), and return errors whose message
// starts with a stable code (see codes.go).
type App struct {
	cfg    Config
	svc    *service.Service
	log    *slog.Logger
	events *eventLog
	watch  *watcher

	mu       sync.Mutex // serialises settings changes
	settings settings.Settings

	stop func() // ends the watcher; set by startup
	done chan struct{}
}

// New returns an App driving svc, which should be stopped: startup starts
// it.
func New(svc *service.Service, cfg Config, log *slog.Logger) *App {
	if cfg.BatchInterval <= 0 {
		cfg.BatchInterval = DefaultBatchInterval
	}
	if cfg.StatsInterval <= 0 {
		cfg.StatsInterval = DefaultStatsInterval
	}
	if cfg.Emit == nil {
		cfg.Emit = func(string, ...any) {}
	}
	if cfg.OpenURL == nil {
		cfg.OpenURL = func(string) {}
	}
	a := &App{cfg: cfg, svc: svc, log: log, events: &eventLog{}, settings: cfg.Settings, stop: func() {}}
	a.watch = newWatcher(cfg.Emit, svc.Hub, a.Status, a.events, cfg.BatchInterval, cfg.StatsInterval)
	a.watch.relayed = svc.RelayedPeers
	return a
}

// startup saves the settings of a first run (so the server id lasts),
// starts the server and the event watcher. A server that cannot start is
// reported in the window, not fatal.
func (a *App) startup(ctx context.Context) {
	if a.cfg.ConfigDir != "" && !settings.Exists(a.cfg.ConfigDir) {
		if err := settings.Save(a.cfg.ConfigDir, a.settings); err != nil {
			a.log.Warn("cannot save the first settings", "err", err)
		}
	}
	if err := a.svc.Start(); err != nil {
		a.log.Error("server did not start", "err", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	a.done = make(chan struct{})
	a.stop = cancel
	go func() {
		defer close(a.done)
		a.watch.run(ctx)
	}()
}

// shutdown stops the watcher, then the server (which withdraws the mDNS
// advertisement with goodbyes).
func (a *App) shutdown(context.Context) {
	a.stop()
	if a.done != nil {
		<-a.done
	}
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := a.svc.Stop(ctx); err != nil {
		a.log.Error("server stop", "err", err)
	}
}

// Status returns the server's state, join URLs and mDNS advertisement.
func (a *App) Status() Status {
	st := a.svc.Settings()
	out := Status{
		State: StateStopped, Port: a.svc.Port(), ServerName: st.ServerName,
		RoomCapacity: st.RoomCapacity, Version: a.cfg.Version,
		Joins: []JoinView{}, LocalURL: a.svc.LocalURL(), MDNS: a.svc.MDNS(),
		TLS: a.svc.TLS(), Relay: a.svc.Relay(), Cluster: a.svc.Cluster(),
	}
	if hub := a.svc.Hub(); hub != nil {
		out.RoomCapacity = hub.Config().RoomCapacity
	}
	switch err := a.svc.Err(); {
	case err != nil:
		out.State, out.Error, out.ErrorCode = StateError, err.Error(), CodeFailed
		if errors.Is(err, service.ErrPortBusy) {
			out.ErrorCode = CodePortBusy
		}
	case a.svc.Running():
		out.State = StateRunning
	}
	if out.Port == 0 {
		out.Port = max(st.Addr.Port(), 0)
	}
	for i, j := range a.svc.Joins() {
		out.Joins = append(out.Joins, JoinView{URL: j.URL, Interface: j.Interface, Primary: i == 0})
	}
	return out
}

// WindowOrigins are the origins of the window's own page on goos, which
// the server must let open WebSockets so the window can join a room's
// chat: wails://wails on Linux and macOS, http://wails.localhost on
// Windows (WebView2).
func WindowOrigins(goos string) []string {
	if goos == "windows" {
		return []string{"http://wails.localhost"}
	}
	return []string{"wails://wails"}
}
