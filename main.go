// Command signalbox is a LAN WebRTC signaling appliance: a desktop window
// (Wails) or, with --headless or without a display, a terminal program.
// `signalbox discover` lists the Signalbox servers on the LAN.
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
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"signalbox/app"
	"signalbox/app/banner"
	"signalbox/app/memtrim"
	"signalbox/app/service"
	"signalbox/app/settings"
	"signalbox/signaling"
	"signalbox/signaling/socketio"
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

// shutdownTimeout bounds the graceful shutdown on SIGINT/SIGTERM.
const shutdownTimeout = 5 * time.Second

// configFolder is the folder under os.UserConfigDir() holding settings.json.
const configFolder = "signalbox"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command line's settings.
type options struct {
	headless bool
	logLevel slog.Level
	// flags holds every flag's value; base takes those never stored
	// (list-rooms, api-from-lan, allow-origin, allow-host, peers-per-address,
	// rooms-per-address, socketio-logs).
	flags service.Settings
	// set names the flags given, which win over the stored settings.
	set map[string]bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{set: map[string]bool{}}
	fs := flag.NewFlagSet("signalbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: signalbox [flags]\n       signalbox discover [--wait 2s] [--interface NAME]\n\n"+
			"Flags override the settings saved by the window for this run.\n\n")
		fs.PrintDefaults()
	}
	fs.BoolVar(&o.headless, "headless", false, "run without a window, even when a display is available")
	fs.StringVar(&o.flags.Addr, "addr", fmt.Sprintf(":%d", service.DefaultPort), "listen address (host:port)")
	fs.StringVar(&o.flags.ServerName, "name", defaultServerName(), "server name shown to clients and on the LAN")
	fs.IntVar(&o.flags.RoomCapacity, "room-size", signaling.DefaultRoomCapacity, fmt.Sprintf("peers per room (1-%d)", signaling.MaxRoomCapacity))
	fs.BoolVar(&o.flags.MDNS, "mdns", true, "advertise the server on the LAN by mDNS (as signalbox.local)")
	fs.Func("interface", "serve and advertise only on this network interface (repeatable; loopback is always served)", func(v string) error {
		o.flags.Interfaces = append(o.flags.Interfaces, v)
		return nil
	})
	fs.BoolVar(&o.flags.ListRooms, "list-rooms", true, "let the lobby list open rooms")
	fs.BoolVar(&o.flags.APIFromLAN, "api-from-lan", false, "let other devices read /api/rooms and /metrics")
	fs.Func("allow-origin", "extra origin allowed to open WebSockets (repeatable)", func(v string) error {
		o.flags.AllowOrigins = append(o.flags.AllowOrigins, v)
		return nil
	})
	fs.DurationVar(&o.flags.SocketIO.PingInterval, "socketio-ping-interval", 0,
		fmt.Sprintf("socket.io pingInterval: how often the server pings socket.io clients (0: the default, %v)", signaling.DefaultPingInterval))
	fs.DurationVar(&o.flags.SocketIO.PingTimeout, "socketio-ping-timeout", 0,
		fmt.Sprintf("socket.io pingTimeout: how long a socket.io client has to answer a ping (0: the default, %v)", signaling.DefaultPongTimeout-signaling.DefaultPingInterval))
	fs.Int64Var(&o.flags.SocketIO.MaxPayload, "socketio-max-http-buffer-size", 0,
		fmt.Sprintf("socket.io maxHttpBufferSize: the largest POST, WebSocket message or set of binary attachments a socket.io client may send, in bytes (0: the default, %d)", signaling.DefaultMaxMessageSize))
	fs.IntVar(&o.flags.PeersPerAddr, "peers-per-address", signaling.DefaultMaxPeersPerAddr,
		"clients one network address may run at once (tabs, scripts; a lab behind NAT is one address); HTTP connections and relay allocations get twice as many")
	fs.IntVar(&o.flags.RoomsPerAddr, "rooms-per-address", signaling.DefaultMaxRoomsPerAddr, "open rooms one network address may create")
	fs.Func("allow-host", "extra host name the server answers to, besides its addresses, localhost and its .local names (repeatable)", func(v string) error {
		o.flags.AllowHosts = append(o.flags.AllowHosts, v)
		return nil
	})
	logs := fs.Bool("socketio-logs", true, "send socket.io clients the tutorial's \"log\" events (its narration of requests, and each \"message\" echoed to its sender)")
	fs.TextVar(&o.logLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn, error")
	securityFlags(fs, &o.flags)
	clusterFlags(fs, &o.flags)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "signalbox: unexpected argument %q\n", fs.Arg(0))
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	o.flags.SocketIONoLogs = !*logs
	sio := o.flags.SocketIO
	if err := (socketio.Config{PingInterval: sio.PingInterval, PingTimeout: sio.PingTimeout, MaxPayload: sio.MaxPayload}).Validate(); err != nil {
		fmt.Fprintln(stderr, "signalbox:", err)
		return o, err
	}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	return o, nil
}

// storedFlags maps the flags that override a stored setting to its JSON key.
var storedFlags = map[string]string{
	"addr": "port", "name": "serverName", "room-size": "roomCapacity",
	"mdns": "mdns", "interface": "interfaces",
	"https": "https", "turn": "turn", "turn-port": "turnPort",
	"cluster": "cluster", "cluster-id": "clusterId", "cluster-listen": "clusterListen",
	"cluster-route": "clusterRoutes", "cluster-replicas": "clusterReplicas",
}

// override sets in st the stored settings that flags were given for.
func (o options) override(st *service.Settings) {
	if o.set["addr"] {
		st.Addr = o.flags.Addr
	}
	if o.set["name"] {
		st.ServerName = o.flags.ServerName
	}
	if o.set["room-size"] {
		st.RoomCapacity = o.flags.RoomCapacity
	}
	if o.set["mdns"] {
		st.MDNS = o.flags.MDNS
	}
	if o.set["interface"] {
		st.Interfaces = o.flags.Interfaces
	}
	o.overrideSecurity(st)
	o.overrideCluster(st)
}

// fixed lists the JSON keys of the stored settings that flags override.
func (o options) fixed() []string {
	var keys []string
	for flagName, key := range storedFlags {
		if o.set[flagName] {
			keys = append(keys, key)
		}
	}
	return keys
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
		return runDiscover(args[1:], stdout, stderr)
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
	st := stored.ApplyTo(o.flags)
	o.override(&st)
	window := app.GeneratingBindings || (!o.headless && app.WindowSupported && hasDisplay())
	if window {
		st.AllowOrigins = append(st.AllowOrigins, app.WindowOrigins(runtime.GOOS)...)
	}
	svc := service.New(service.Config{Settings: st, Client: client, Version: version, ConfigDir: dir}, log)
	trimCtx, stopTrim := context.WithCancel(context.Background())
	defer stopTrim()
	go memtrim.Run(trimCtx, log) // a classroom's burst of joins leaves memory behind
	if !window {
		return runHeadless(svc, term, log)
	}
	raiseOpenFileLimit(log)
	cfg := app.Config{ConfigDir: dir, Settings: stored, Override: o.override, Fixed: o.fixed(), Version: version}
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

// runHeadless serves until SIGINT or SIGTERM, printing how to join.
func runHeadless(svc *service.Service, term *banner.Terminal, log *slog.Logger) int {
	stderr := term.Stderr()
	raiseOpenFileLimit(log)
	if err := svc.Start(); err != nil {
		fmt.Fprintln(stderr, "signalbox:", err)
		if errors.Is(err, service.ErrPortBusy) {
			fmt.Fprintln(stderr, "Another program uses that port. Stop it, or choose another port with --addr :PORT.")
		}
		return 1
	}
	printJoinInfo(term, svc, log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
	case <-svc.Stopped():
	}
	serveErr := svc.Err()
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

// printJoinInfo prints the banner (join URLs, QR code, certificate,
// relay) as one block.
func printJoinInfo(term *banner.Terminal, svc *service.Service, log *slog.Logger) {
	block, err := banner.Render(joinInfo(svc))
	if err != nil {
		log.Error("no join banner", "err", err)
		return
	}
	if err := term.Print(block); err != nil {
		log.Warn("printing the join banner", "err", err)
	}
	if info := clusterInfo(svc); info != "" {
		if err := term.Print([]byte(info)); err != nil {
			log.Warn("printing the cluster status", "err", err)
		}
	}
}

// joinInfo gathers what the banner tells from the running service.
func joinInfo(svc *service.Service) banner.Info {
	in := banner.Info{Version: version, ServerName: svc.Settings().ServerName, URLs: svc.JoinURLs()}
	switch t := svc.TLS(); {
	case t.Active:
		in.Fingerprint, in.UserCert, in.Uncovered = t.Fingerprint, t.UserCert, t.Uncovered
		if !t.UserCert {
			in.TrustURL = t.TrustURL
		}
	case t.Enabled:
		in.HTTPSOff = t.Error
	}
	switch r := svc.Relay(); {
	case r.Active:
		in.RelayAddr, in.RelayPort = r.Addr, r.Port
	case r.Enabled:
		in.RelayOff = r.Error
	}
	return in
}
