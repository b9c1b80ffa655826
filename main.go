package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"signalbox/app"
	"signalbox/app/banner"
	"signalbox/app/discover"
	"signalbox/app/headless"
	"signalbox/app/memtrim"
	"signalbox/app/service"
	"signalbox/app/settings"
	"signalbox/internal/rlimit"
)

//go:embed all:frontend/dist
var assets embed.FS

// appIcon is the window's icon on Linux (Windows and macOS take theirs
// from the files the Wails CLI builds into the executable).
//
//go:embed build/appicon.png
var appIcon []byte

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// configFolder is the folder under os.UserConfigDir() holding settings.json.
const configFolder = "signalbox"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command line's settings.
type options struct {
	headless bool
	logLevel slog.Level
	// flags are the settings the command line gives, which win over the
	// stored ones (app/settings declares them, with their flags).
	flags *settings.Flags
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("signalbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: signalbox [flags]\n       signalbox discover [--wait 2s] [--interface NAME]\n\n"+
			"Flags override the settings saved by the window for this run.\n\n")
		fs.PrintDefaults()
	}
	fs.BoolVar(&o.headless, "headless", false, "run without a window, even when a display is available")
	fs.TextVar(&o.logLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn, error")
	o.flags = settings.BindFlags(fs, settings.Default(defaultServerName()))
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if err := o.flags.Values().ValidateFlags(); err != nil {
		fmt.Fprintln(stderr, "signalbox:", err)
		return o, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "signalbox: unexpected argument %q\n", fs.Arg(0))
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

func defaultServerName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		return "Signalbox"
	}
	return "Signalbox on " + strings.Split(host, ".")[0]
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "discover" {
		return discover.Run(args[1:], stdout, stderr)
	}
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	// stdout and stderr share one screen: the banner and the log lines go
	// through one Terminal, so no log line lands inside the QR code.
	term := banner.NewTerminal(stdout, stderr)
	log := slog.New(slog.NewTextHandler(term.Stderr(), &slog.HandlerOptions{Level: o.logLevel}))
	client, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		fmt.Fprintln(stderr, "signalbox:", err)
		return 1
	}
	dir, stored := loadSettings(log)
	st := stored.ApplyTo(o.flags.Values())
	o.flags.Override(&st)
	window := app.GeneratingBindings || (!o.headless && app.WindowSupported && hasDisplay())
	if window {
		st.AllowOrigins = append(st.AllowOrigins, app.WindowOrigins(runtime.GOOS)...)
	}
	svc := service.New(service.Config{Settings: st, Client: client, Version: version, ConfigDir: dir}, log)
	trimCtx, stopTrim := context.WithCancel(context.Background())
	defer stopTrim()
	go memtrim.Run(trimCtx, log) // a classroom's burst of joins leaves memory behind
	if err := rlimit.RaiseOpenFiles(); err != nil {
		log.Warn("cannot raise open file limit", "err", err)
	}
	if !window {
		return headless.Run(svc, version, term, log)
	}
	cfg := app.Config{ConfigDir: dir, Settings: stored, Override: o.flags.Override, Fixed: o.flags.Fixed(), Version: version}
	if err := app.Run(svc, client, appIcon, cfg, log); err != nil {
		fmt.Fprintln(stderr, "signalbox:", err)
		return 1
	}
	return 0
}

// loadSettings reads the settings the window saved, from
// os.UserConfigDir()/signalbox (XDG_CONFIG_HOME on Linux). It returns the
// folder ("" when there is none) and the settings, the defaults when the
// file is missing or broken. Nothing is written here.
func loadSettings(log *slog.Logger) (string, settings.Settings) {
	def := settings.Default(defaultServerName())
	base, err := os.UserConfigDir()
	if err != nil {
		log.Warn("no configuration folder: settings will not be saved", "err", err)
		return "", def
	}
	dir := filepath.Join(base, configFolder)
	s, err := settings.Load(dir, def)
	if err != nil {
		log.Warn("settings file ignored, using defaults", "err", err)
	}
	return dir, s
}

// hasDisplay reports whether a graphical session is available.
func hasDisplay() bool {
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" || os.PathSeparator == '\\'
}
