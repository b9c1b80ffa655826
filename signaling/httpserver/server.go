package httpserver

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"signalbox/signaling"
	"signalbox/signaling/metrics"
	"signalbox/signaling/native"
	"signalbox/signaling/origin"
	"signalbox/signaling/socketio"
)

// readHeaderTimeout bounds how long a client may take to send its request
// headers: a connection that never says anything is closed.
const readHeaderTimeout = 10 * time.Second

// Config holds the server's settings.
type Config struct {
	Hub     signaling.Config
	Version string
	// Origins is the cross-site WebSocket policy of every transport.
	Origins origin.Policy
	// Client is the browser client's files (index.html at the root).
	Client fs.FS
	// ListRooms lets anyone on the LAN list the open rooms and their
	// occupancy (/api/lobby), for the client's lobby.
	ListRooms bool
	// APIFromLAN lets other devices read /api/rooms and /metrics, which
	// name every peer and its address; by default only this machine can.
	APIFromLAN bool
	// SocketIONoLogs stops the socket.io transport's tutorial "log"
	// events (socketio.Config.NoLogs).
	SocketIONoLogs bool
	// SocketIO holds the socket.io transport's Engine.IO settings:
	// pingInterval, pingTimeout and maxHttpBufferSize (socketio.Config's
	// PingInterval, PingTimeout, MaxPayload). Zero fields follow Hub.
	SocketIO SocketIOSettings
	// TLS, when set, makes Serve speak HTTPS and plain HTTP on the same
	// port (see tls.go). Its GetCertificate is asked on every handshake.
	TLS *tls.Config
	// Trust describes the local certificate authority for /trust; nil
	// when there is none (plain HTTP, or a certificate the user supplied).
	Trust *TrustInfo
	// ClusterHealth, when set, reports whether the cluster link is ready
	// and its state, for /healthz ("status":"degraded" when not ready).
	ClusterHealth func() (ready bool, status any)
	// Hosts is the Host allowlist of every route (hosts.go).
	Hosts HostPolicy
	// IdleTimeout, BodyTimeout, MaxConnsPerAddr and MaxConns bound the
	// HTTP connections (limits.go); zero takes the defaults.
	IdleTimeout, BodyTimeout  time.Duration
	MaxConnsPerAddr, MaxConns int
}

// SocketIOSettings are the socket.io transport's Engine.IO settings; see
// socketio.Config.
type SocketIOSettings struct {
	PingInterval time.Duration
	PingTimeout  time.Duration
	MaxPayload   int64
}

// Server serves one hub over HTTP.
type Server struct {
	cfg    Config
	log    *slog.Logger
	hub    *signaling.Hub
	native *native.Server
	mux    *http.ServeMux
	http   *http.Server
	plain  *http.Server // with TLS: the plain-HTTP side of the shared port
	hosts  *hostGuard
	conns  *connLimiter // shared by both servers

	// engineIO takes every request for the Engine.IO endpoint
	// (socketio.Path exactly), whatever its method: see serve.
	engineIO http.Handler

	mu      sync.Mutex
	closers []func(context.Context) error // extra transports, shut down with the server
}

// serve routes a request: the Engine.IO endpoint takes every method,
// because its answer to a handshake by another method than GET is the
// reference server's 400 {"code":2,"message":"Bad handshake method"},
// which Engine.IO clients parse (the mux would answer 405; and a pattern
// for the path with no method conflicts with "GET /"). The mux serves the
// rest.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == socketio.Path {
		s.engineIO.ServeHTTP(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// New builds a Server and its hub.
func New(cfg Config, log *slog.Logger) (*Server, error) {
	hub, err := signaling.New(cfg.Hub, log)
	if err != nil {
		return nil, err
	}
	cfg.withDefaults()
	s := &Server{cfg: cfg, log: log, hub: hub, mux: http.NewServeMux(), hosts: newHostGuard(cfg.Hosts)}
	s.conns = newConnLimiter(cfg.MaxConnsPerAddr, cfg.MaxConns, hub.AddrKey, log)
	s.native = native.NewServer(hub, native.Config{Version: cfg.Version, Origins: cfg.Origins}, log)
	s.routes()
	s.http = s.newHTTPServer(http.HandlerFunc(s.serve))
	if cfg.TLS != nil {
		s.http.TLSConfig = cfg.TLS.Clone()
		// WebSockets need HTTP/1.1: gorilla upgrades by hijacking, which
		// an HTTP/2 stream cannot do.
		s.http.TLSConfig.NextProtos = []string{"http/1.1"}
		s.plain = s.newHTTPServer(s.plainHandler())
	}
	sio, err := socketio.New(hub, socketio.Config{
		Origins: cfg.Origins, Client: cfg.Client, NoLogs: cfg.SocketIONoLogs,
		PingInterval: cfg.SocketIO.PingInterval, PingTimeout: cfg.SocketIO.PingTimeout, MaxPayload: cfg.SocketIO.MaxPayload,
	}, log)
	if err != nil {
		return nil, err
	}
	s.engineIO = sio
	// The bundle below Path; serve sends the endpoint itself every method.
	s.Handle("GET "+socketio.Path, sio, sio.Shutdown)
	s.http.RegisterOnShutdown(sio.CloseAll) // answers long polls, which http.Server.Shutdown would wait for
	return s, nil
}

// Hub is the server's hub, for the window and other transports.
func (s *Server) Hub() *signaling.Hub { return s.hub }

// Handle mounts another handler, such as a transport; call it before
// Serve. shutdown, when not nil, is called by Shutdown after the hub has
// closed every peer, and should wait for the transport's goroutines.
func (s *Server) Handle(pattern string, h http.Handler, shutdown func(context.Context) error) {
	s.mux.Handle(pattern, h)
	if shutdown != nil {
		s.mu.Lock()
		s.closers = append(s.closers, shutdown)
		s.mu.Unlock()
	}
}

func (s *Server) routes() {
	s.mux.Handle("GET /ws", s.native)
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /api/lobby", s.lobby)
	s.mux.Handle("GET /api/rooms", s.local(http.HandlerFunc(s.rooms)))
	s.mux.Handle("GET /metrics", s.local(promhttp.HandlerFor(metrics.NewRegistry(s.hub), promhttp.HandlerOpts{})))
	s.mux.HandleFunc("GET /api/tls", s.tlsInfo)
	s.mux.HandleFunc("GET /trust/ca.crt", s.caDER)
	s.mux.HandleFunc("GET /trust/ca.pem", s.caPEM)
	if s.cfg.Client != nil {
		s.mux.Handle("GET /", clientHandler(s.cfg.Client))
	}
}

// newHTTPServer returns an http.Server for h with the Host allowlist, the
// timeouts and the connection limits (limits.go). It sets no ReadTimeout
// or WriteTimeout: they would outlive the request on a hijacked WebSocket
// and cut off long polls; bodies get BodyTimeout instead.
func (s *Server) newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           s.hosts.wrap(withBodyTimeout(s.cfg.BodyTimeout, h)),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		ConnState:         s.conns.connState,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
}

// withDefaults fills the zero limits.
func (c *Config) withDefaults() {
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.BodyTimeout == 0 {
		c.BodyTimeout = DefaultBodyTimeout
	}
	if c.MaxConnsPerAddr == 0 {
		c.MaxConnsPerAddr = DefaultMaxConnsPerAddr
	}
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
	}
}

// RefusedConns counts the HTTP connections refused for the connection
// limits since the server started.
func (s *Server) RefusedConns() uint64 { return s.conns.Refused() }

// Serve serves on l, which the caller made so a busy port is its error,
// until Shutdown. It returns http.ErrServerClosed after a shutdown. Accept
// errors (such as running out of file descriptors) are logged and retried
// with a back-off, never returned.
func (s *Server) Serve(l net.Listener) error {
	l = patientListener{Listener: l, log: s.log}
	if s.plain != nil {
		return s.serveBoth(l)
	}
	return s.http.Serve(l)
}

// Shutdown stops accepting, closes every peer with "going away" (1001),
// waits for their connections to finish writing, then for ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx) // stops listeners; hijacked WebSockets are ours to close
	if s.plain != nil {
		// Both servers' listeners share one socket: the second close of it
		// reports net.ErrClosed, which is no failure.
		if perr := s.plain.Shutdown(ctx); !errors.Is(perr, net.ErrClosed) {
			err = errors.Join(err, perr)
		}
	}
	s.hub.Shutdown()
	done := make(chan struct{})
	go func() { s.native.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		err = errors.Join(err, ctx.Err())
	}
	s.mu.Lock()
	closers := s.closers
	s.mu.Unlock()
	for _, c := range closers {
		err = errors.Join(err, c(ctx))
	}
	return err
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	st := s.hub.Stats()
	out := map[string]any{"status": "ok", "version": s.cfg.Version, "peers": st.Peers, "rooms": st.Rooms}
	if s.cfg.ClusterHealth != nil {
		ready, cluster := s.cfg.ClusterHealth()
		if cluster != nil {
			out["cluster"] = cluster
		}
		if !ready {
			out["status"] = "degraded" // rooms wholly on this server still work
		}
	}
	writeJSON(w, out)
}

func (s *Server) lobby(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.ListRooms {
		writeJSON(w, map[string]any{"listed": false, "rooms": []signaling.RoomSummary{}})
		return
	}
	writeJSON(w, map[string]any{"listed": true, "rooms": s.hub.Rooms(), "capacity": s.hub.Config().RoomCapacity})
}

func (s *Server) rooms(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, s.hub.Snapshot())
}

// local refuses requests from other devices unless APIFromLAN is set:
// the full snapshot names every peer with its address.
func (s *Server) local(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.cfg.APIFromLAN && !isLoopback(r.RemoteAddr) {
			http.Error(w, "only available on the Signalbox machine itself", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v) // a failed write means the client went away
}
