package app

import (
	"context"
	"io/fs"
	"log/slog"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/logger"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"signalbox/app/service"
)

// Window size in pixels: room for the QR code beside the room list.
const (
	windowWidth     = 1180
	windowHeight    = 800
	windowMinWidth  = 820
	windowMinHeight = 560
)

// Run opens the window and serves until it is closed. cfg.Emit and
// cfg.OpenURL are replaced by the Wails runtime's; icon is the window's
// icon (PNG) on Linux.
func Run(svc *service.Service, client fs.FS, icon []byte, cfg Config, log *slog.Logger) error {
	var wctx context.Context // set by OnStartup before anything emits
	cfg.Emit = func(name string, data ...any) { wruntime.EventsEmit(wctx, name, data...) }
	cfg.OpenURL = func(u string) { wruntime.BrowserOpenURL(wctx, u) }
	a := New(svc, cfg, log)
	return wails.Run(&options.App{
		Title:              "Signalbox",
		Width:              windowWidth,
		Height:             windowHeight,
		MinWidth:           windowMinWidth,
		MinHeight:          windowMinHeight,
		BackgroundColour:   options.NewRGB(0xf6, 0xf7, 0xf9),
		AssetServer:        &assetserver.Options{Assets: windowAssets{client}},
		LogLevel:           logger.WARNING,
		LogLevelProduction: logger.ERROR,
		OnStartup: func(ctx context.Context) {
			wctx = ctx
			a.startup(ctx)
		},
		// Wails itself turns SIGINT and SIGTERM into a clean shutdown,
		// which runs OnShutdown: the server stops and mDNS says goodbye.
		OnShutdown: a.shutdown,
		Bind:       []any{a},
		Linux: &linux.Options{
			Icon:             icon,
			ProgramName:      "signalbox",
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
	})
}

// windowAssets serves window.html as the window's index page; the rest of
// the embedded files are shared with the browser client.
type windowAssets struct{ fs.FS }

func (w windowAssets) Open(name string) (fs.File, error) {
	if name == "index.html" {
		name = "window.html"
	}
	return w.FS.Open(name)
}
