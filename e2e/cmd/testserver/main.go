package main

// Flags and output (the package doc is in doc.go). Once it listens it
// prints one line on standard output:
//
//	LISTEN http://127.0.0.1:PORT
//
// It stops on SIGTERM or SIGINT, and when its standard input ends, so a
// test runner that dies takes it along (-exit-on-eof=false turns that off,
// for a shell with no input). Logs go to standard error.
//
// Usage: go run ./e2e/cmd/testserver -client frontend/dist [-room-size 2] [-resume-grace 10s] [-class NAME=group:4]
//
//	[-socketio-ping-interval 25s] [-socketio-ping-timeout 20s] [-socketio-max-http-buffer-size N]

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"signalbox/signaling"
	"signalbox/signaling/httpserver"
)

// shutdownTimeout bounds the graceful shutdown.
const shutdownTimeout = 5 * time.Second

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("testserver", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:0", "listen address; port 0 picks a free one")
	var client string
	flags.StringVar(&client, "client", "", "folder of the built browser client (frontend/dist); empty serves none")
	flags.StringVar(&client, "dist", "", "the same as -client")
	roomSize := flags.Int("room-size", signaling.DefaultRoomCapacity, "peers per room")
	name := flags.String("name", "Signalbox test server", "server name")
	ping := flags.Duration("ping-interval", 0, "ping interval (0: the default)")
	pong := flags.Duration("pong-timeout", 0, "pong timeout (0: the default)")
	grace := flags.Duration("resume-grace", 0, "how long a dropped native peer keeps its seat (0: the default)")
	var sio httpserver.SocketIOSettings
	flags.DurationVar(&sio.PingInterval, "socketio-ping-interval", 0, "socket.io pingInterval (0: the default)")
	flags.DurationVar(&sio.PingTimeout, "socketio-ping-timeout", 0, "socket.io pingTimeout (0: the default)")
	flags.Int64Var(&sio.MaxPayload, "socketio-max-http-buffer-size", 0, "socket.io maxHttpBufferSize in bytes (0: the default)")
	exitOnEOF := flags.Bool("exit-on-eof", true, "stop when standard input ends")
	var classes []string
	flags.Func("class", "class address mode, as the window sets it: NAME=pairs or NAME=group:SIZE (repeatable)", func(v string) error {
		classes = append(classes, v)
		return nil
	})
	var hosts []string
	flags.Func("allow-host", "extra host name to answer to (repeatable; the suite maps lan.test to loopback)", func(v string) error {
		hosts = append(hosts, v)
		return nil
	})
	logLevel := slog.LevelWarn
	flags.TextVar(&logLevel, "log-level", slog.LevelWarn, "log level: debug, info, warn, error")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel}))

	cfg := httpserver.Config{
		Hub: signaling.Config{
			ServerName: *name, RoomCapacity: *roomSize,
			PingInterval: *ping, PongTimeout: *pong, ResumeGrace: *grace,
		},
		Version:   "e2e",
		ListRooms: true,
		Hosts:     httpserver.HostPolicy{Names: hosts},
		SocketIO:  sio,
	}
	if client != "" {
		if _, err := os.Stat(client + "/index.html"); err != nil {
			fmt.Fprintln(stderr, "testserver: no built client:", err)
			return 1
		}
		cfg.Client = os.DirFS(client)
	}
	srv, err := httpserver.New(cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "testserver:", err)
		return 1
	}
	for _, c := range classes {
		if err := setClass(srv.Hub(), c); err != nil {
			fmt.Fprintln(stderr, "testserver: -class:", err)
			return 2
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "testserver:", err)
		return 1
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "LISTEN http://%s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	eof := make(chan struct{})
	if *exitOnEOF {
		go func() {
			_, _ = io.Copy(io.Discard, stdin)
			close(eof)
		}()
	}
	select {
	case <-ctx.Done():
	case <-eof:
	case err := <-served:
		fmt.Fprintln(stderr, "testserver:", err)
		return 1
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "testserver: shutdown:", err)
		return 1
	}
	return 0
}

// setClass applies one -class value: NAME=pairs or NAME=group:SIZE.
func setClass(hub *signaling.Hub, v string) error {
	name, mode, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("%q: want NAME=pairs or NAME=group:SIZE", v)
	}
	mode, sizeText, _ := strings.Cut(mode, ":")
	size := 0
	if sizeText != "" {
		n, err := strconv.Atoi(sizeText)
		if err != nil {
			return fmt.Errorf("%q: size: %w", v, err)
		}
		size = n
	}
	return hub.SetClass(name, signaling.ClassMode(mode), size)
}
