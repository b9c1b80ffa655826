package socketio

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"

	"signalbox/signaling"
	"signalbox/signaling/socketio/engineio"
	"signalbox/signaling/transport"
)

// Server is the socket.io transport: an http.Handler for everything under
// Path. /socket.io/ itself is the Engine.IO endpoint; /socket.io/<file> is
// the socket.io-client bundle.
type Server struct {
	hub      *signaling.Hub
	log      *slog.Logger
	engine   *engineio.Server
	client   clientFiles
	lanAddrs func() []net.IP
	logs     bool       // send the tutorial's "log" events (Config.NoLogs)
	batches  *sync.Pool // the writers' batch buffers (transport.NewBatchPool)
	guard    transport.Policy
	// maxPayload is the Engine.IO payload limit, which also bounds the
	// attachments of one binary packet together.
	maxPayload int64

	mu    sync.Mutex
	conns map[*engineio.Session]*conn
}

// New returns a Server that attaches socket.io clients to hub. A nil log
// discards the logs.
func New(hub *signaling.Hub, cfg Config, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	hc := hub.Config()
	interval, timeout, maxPayload := cfg.engineTimers(hc)
	s := &Server{
		hub: hub, log: log, lanAddrs: cfg.LANAddrs, logs: !cfg.NoLogs,
		maxPayload: maxPayload, conns: map[*engineio.Session]*conn{}, batches: transport.NewBatchPool(),
		guard: transport.Policy{MaxStrikes: hc.MaxStrikes, Log: log},
	}
	if s.lanAddrs == nil {
		s.lanAddrs = interfaceAddrs
	}
	client, err := loadClientFiles(cfg.Client)
	if err != nil {
		return nil, fmt.Errorf("socketio: %w", err)
	}
	s.client = client
	s.engine, err = engineio.New(engineio.Config{
		PingInterval:  interval,
		PingTimeout:   timeout,
		MaxPayload:    maxPayload,
		WriteTimeout:  hc.WriteTimeout,
		SendQueueSize: hc.OutboxSize * packetsPerMessage,
		CheckOrigin:   cfg.Origins.Check,
		AddrKey:       hub.AddrKey,
		// A session is a client-to-be: one address runs as many as it
		// may run peers.
		MaxSessionsPerAddr: hc.MaxPeersPerAddr,
	}, handler{s}, log)
	if err != nil {
		return nil, fmt.Errorf("socketio: %w", err)
	}
	return s, nil
}

// ServeHTTP serves the Engine.IO endpoint at Path and the client bundle
// below it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == Path {
		s.engine.ServeHTTP(w, r)
		return
	}
	s.client.ServeHTTP(w, r)
}

// CloseAll closes every session, as Shutdown does, and waits for them at
// most the hub's WriteTimeout. Pending polls are answered at once, so
// register it with http.Server.RegisterOnShutdown (which runs it on a
// goroutine of its own): http.Server.Shutdown then need not wait for long
// polls to end by themselves.
func (s *Server) CloseAll() {
	ctx, cancel := context.WithTimeout(context.Background(), s.hub.Config().WriteTimeout)
	defer cancel()
	if err := s.engine.Shutdown(ctx); err != nil {
		s.log.Info("socket.io sessions dropped", "err", err)
	}
}

// Shutdown closes every session and waits until each has ended and its
// peer has left the hub, or until ctx ends; new sessions are refused. What
// is queued for a client is flushed first; a polling client with no poll
// pending is dropped at once.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.engine.Shutdown(ctx)
}

// handler is the engineio.Handler: it gives each session its conn.
type handler struct{ s *Server }

// Open starts a socket-to-be; the client CONNECTs next.
func (h handler) Open(sess *engineio.Session) {
	c := newConn(h.s, sess)
	h.s.mu.Lock()
	h.s.conns[sess] = c
	h.s.mu.Unlock()
}

// Message hands one Socket.IO packet to the session's conn.
func (h handler) Message(sess *engineio.Session, data string) {
	if c := h.s.conn(sess); c != nil {
		c.handle(data)
	}
}

// Binary hands one attachment of a binary packet to the session's conn.
func (h handler) Binary(sess *engineio.Session, data []byte) {
	if c := h.s.conn(sess); c != nil {
		c.attachment(data)
	}
}

// Close ends the session's conn: its peer leaves the hub at once.
func (h handler) Close(sess *engineio.Session, reason string) {
	h.s.mu.Lock()
	c := h.s.conns[sess]
	delete(h.s.conns, sess)
	h.s.mu.Unlock()
	if c != nil {
		c.log.Debug("session ended", "reason", reason)
		c.end()
	}
}

func (s *Server) conn(sess *engineio.Session) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns[sess]
}
