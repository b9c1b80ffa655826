package natsbus

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// embeddedReady bounds how long an embedded nats-server may take to start.
const embeddedReady = 10 * time.Second

// EmbeddedConfig holds the settings of a nats-server run inside Signalbox.
type EmbeddedConfig struct {
	// Name identifies this NATS node; unique per server (JetStream needs it
	// in a cluster).
	Name string
	// Listen is the client address, host:port ("127.0.0.1:0" picks a port).
	Listen string
	// ClusterListen is the route address other Signalbox servers connect
	// to, host:port; "" runs a single node.
	ClusterListen string
	// Routes are the other nodes' route URLs, nats-route://host:port.
	Routes []string
	// ClusterName names the NATS cluster (the Signalbox cluster id).
	ClusterName string
	// StoreDir is where JetStream keeps the room bucket.
	StoreDir string
}

// Embedded is a running nats-server.
type Embedded struct {
	srv *server.Server
}

// StartEmbedded starts a nats-server with JetStream and waits until it
// takes connections.
func StartEmbedded(cfg EmbeddedConfig, log *slog.Logger) (*Embedded, error) {
	host, port, err := splitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("nats listen address: %w", err)
	}
	opts := &server.Options{
		ServerName: cfg.Name, Host: host, Port: port,
		JetStream: true, StoreDir: cfg.StoreDir,
		NoSigs: true, NoLog: true,
	}
	if cfg.ClusterListen != "" {
		if len(cfg.Routes) == 0 {
			return nil, errors.New("embedded NATS cluster: list at least one other server's route (JetStream needs them to agree)")
		}
		chost, cport, err := splitHostPort(cfg.ClusterListen)
		if err != nil {
			return nil, fmt.Errorf("nats cluster address: %w", err)
		}
		opts.Cluster = server.ClusterOpts{Name: cfg.ClusterName, Host: chost, Port: cport}
		for _, r := range cfg.Routes {
			u, err := url.Parse(r)
			if err != nil {
				return nil, fmt.Errorf("route %q: %w", r, err)
			}
			opts.Routes = append(opts.Routes, u)
		}
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS: %w", err)
	}
	fatal := make(chan string, 1)
	s.SetLoggerV2(slogLogger{log.With("component", "nats-server"), fatal}, false, false, false)
	go s.Start()
	if err := awaitReady(s, fatal); err != nil {
		s.Shutdown()
		return nil, err
	}
	return &Embedded{srv: s}, nil
}

// awaitReady waits until s takes connections. nats-server gives up on a
// fatal error (a port taken, a store it cannot use) by logging it and
// returning from Start, so the log's first fatal ends the wait with its
// message instead of the full timeout.
func awaitReady(s *server.Server, fatal <-chan string) error {
	deadline := time.Now().Add(embeddedReady)
	for !s.ReadyForConnections(50 * time.Millisecond) {
		select {
		case msg := <-fatal:
			return fmt.Errorf("embedded NATS: %s", msg)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("embedded NATS did not start within %v", embeddedReady)
		}
	}
	return nil
}

// ClientURL is the URL Bus connects to.
func (e *Embedded) ClientURL() string { return e.srv.ClientURL() }

// RouteURL is the URL other nodes list in their Routes ("" without a cluster).
func (e *Embedded) RouteURL() string {
	a := e.srv.ClusterAddr()
	if a == nil {
		return ""
	}
	return "nats-route://" + a.String()
}

// Shutdown stops the server and waits for it.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}

func splitHostPort(hp string) (string, int, error) {
	host, p, err := net.SplitHostPort(hp)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return "", 0, err
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	return host, port, nil
}

// slogLogger passes nats-server's log to slog: warnings and errors only.
// The first fatal message also goes to fatal, for StartEmbedded.
type slogLogger struct {
	log   *slog.Logger
	fatal chan<- string
}

func (l slogLogger) Noticef(format string, v ...any) { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l slogLogger) Warnf(format string, v ...any)   { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l slogLogger) Fatalf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	l.log.Error(msg)
	select {
	case l.fatal <- msg:
	default: // one is enough
	}
}
func (l slogLogger) Errorf(format string, v ...any) { l.log.Error(fmt.Sprintf(format, v...)) }
func (l slogLogger) Debugf(format string, v ...any) { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l slogLogger) Tracef(format string, v ...any) {}
