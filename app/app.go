package app

import (
	"context"
	"io/fs"
	"log/slog"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"

	"signalbox/app/service"
)

// stopTimeout bounds the server's graceful stop when the window closes.
const stopTimeout = 5 * time.Second

// App is the object the window binds: its exported methods are callable
// from TypeScript.
type App struct {
	svc *service.Service
	log *slog.Logger
	ctx context.Context
}

// Run opens the window and serves until it is closed.
func Run(svc *service.Service, client fs.FS, log *slog.Logger) error {
	a := &App{svc: svc, log: log}
	return wails.Run(&options.App{
		Title:       "Signalbox",
		Width:       1100,
		Height:      760,
		AssetServer: &assetserver.Options{Assets: windowAssets{client}},
		OnStartup:   a.Startup,
		OnShutdown:  a.Shutdown,
		Bind:        []any{a},
	})
}

// Startup starts the server when the window opens.
func (a *App) Startup(ctx context.Context) {
	a.ctx = ctx
	if err := a.svc.Start(); err != nil {
		a.log.Error("server did not start", "err", err)
	}
}

// Shutdown stops the server when the window closes.
func (a *App) Shutdown(context.Context) {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := a.svc.Stop(ctx); err != nil {
		a.log.Error("server stop", "err", err)
	}
}

// JoinURLs returns the URLs other devices use to join.
func (a *App) JoinURLs() []string { return a.svc.JoinURLs() }

// windowAssets serves window.html as the window's index page; the rest of
// the embedded files are shared with the browser client.
type windowAssets struct{ fs.FS }

func (w windowAssets) Open(name string) (fs.File, error) {
	if name == "index.html" {
		name = "window.html"
	}
	return w.FS.Open(name)
}
