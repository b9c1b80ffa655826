// Command signalbox is a LAN WebRTC signaling appliance: a desktop window
// (Wails) or, with --headless or without a display, a terminal program.
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
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mdp/qrterminal/v3"

	"signalbox/app"
	"signalbox/app/service"
	"signalbox/signaling"
)

//go:embed all:frontend/dist
var assets embed.FS

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// shutdownTimeout bounds the graceful shutdown on SIGINT/SIGTERM.
const shutdownTimeout = 5 * time.Second

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command line's settings.
type options struct {
	headless bool
	logLevel slog.Level
	settings service.Settings
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("signalbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.headless, "headless", false, "run without a window, even when a display is available")
	fs.StringVar(&o.settings.Addr, "addr", fmt.Sprintf(":%d", service.DefaultPort), "listen address (host:port)")
	fs.StringVar(&o.settings.ServerName, "name", defaultServerName(), "server name shown to clients and on the LAN")
	fs.IntVar(&o.settings.RoomCapacity, "room-size", signaling.DefaultRoomCapacity, fmt.Sprintf("peers per room (1-%d)", signaling.MaxRoomCapacity))
	fs.BoolVar(&o.settings.ListRooms, "list-rooms", true, "let the lobby list open rooms")
	fs.BoolVar(&o.settings.APIFromLAN, "api-from-lan", false, "let other devices read /api/rooms and /metrics")
	fs.Func("allow-origin", "extra origin allowed to open WebSockets (repeatable)", func(v string) error {
		o.settings.AllowOrigins = append(o.settings.AllowOrigins, v)
		return nil
	})
	fs.TextVar(&o.logLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
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
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: o.logLevel}))
	client, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		fmt.Fprintln(stderr, "signalbox:", err)
		return 1
	}
	svc := service.New(o.settings, client, version, log)
	if app.GeneratingBindings || (!o.headless && app.WindowSupported && hasDisplay()) {
		if err := app.Run(svc, client, log); err != nil {
			fmt.Fprintln(stderr, "signalbox:", err)
			return 1
		}
		return 0
	}
	return runHeadless(svc, stdout, stderr, log)
}

// hasDisplay reports whether a graphical session is available.
func hasDisplay() bool {
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" || os.PathSeparator == '\\'
}

// runHeadless serves until SIGINT or SIGTERM, printing how to join.
func runHeadless(svc *service.Service, stdout, stderr io.Writer, log *slog.Logger) int {
	raiseOpenFileLimit(log)
	if err := svc.Start(); err != nil {
		fmt.Fprintln(stderr, "signalbox:", err)
		if errors.Is(err, service.ErrPortBusy) {
			fmt.Fprintln(stderr, "Another program uses that port. Stop it, or choose another port with --addr :PORT.")
		}
		return 1
	}
	printJoinInfo(stdout, svc)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-svc.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := errors.Join(serveErr, svc.Stop(shutdownCtx))
	if err != nil {
		fmt.Fprintln(stderr, "signalbox:", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

func printJoinInfo(w io.Writer, svc *service.Service) {
	urls := svc.JoinURLs()
	fmt.Fprintf(w, "Signalbox %s is running: %q\n", version, svc.Settings().ServerName)
	if len(urls) == 0 {
		return
	}
	fmt.Fprintf(w, "Join from any device on this network: %s\n", urls[0])
	for _, u := range urls[1:] {
		fmt.Fprintf(w, "  also: %s\n", u)
	}
	qrterminal.GenerateWithConfig(urls[0], qrterminal.Config{
		Level: qrterminal.L, Writer: w, HalfBlocks: true,
		BlackChar: qrterminal.BLACK_BLACK, WhiteChar: qrterminal.WHITE_WHITE,
		BlackWhiteChar: qrterminal.BLACK_WHITE, WhiteBlackChar: qrterminal.WHITE_BLACK, QuietZone: 1,
	})
}
