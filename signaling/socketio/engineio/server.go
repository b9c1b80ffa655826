package engineio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"

	"signalbox/signaling/internal/wspark"
)

// Path is where the Socket.IO client looks for the server; mount the Server
// there (http.ServeMux.Handle(engineio.Path, srv)).
const Path = "/socket.io/"

// protocolVersion is the value of the EIO query parameter this server speaks.
const protocolVersion = "4"

// Transport names, as in the transport query parameter and Session.Transport.
const (
	TransportPolling   = "polling"
	TransportWebSocket = "websocket"
)

// Handler receives the life of every session. Calls for one session never
// overlap: Open comes first, then Message for each message packet in the
// order the client sent it, then Close exactly once; Message is never called
// after Close. Calls for different sessions run concurrently.
//
// The Handler may call Session.Send and Session.Close from inside these
// methods or from any other goroutine, holding its own locks: neither
// blocks nor calls back into the Handler. Close runs on a goroutine of its
// own. The methods should return promptly: while Message runs, the session
// reads nothing more from its client.
type Handler interface {
	// Open is called when a client completes the handshake.
	Open(s *Session)
	// Message is called with the data of each text message packet.
	Message(s *Session, data string)
	// Binary is called with the data of each binary message packet, in
	// the same order as Message calls. data is the Handler's to keep.
	Binary(s *Session, data []byte)
	// Close is called once when the session ends, with one of the Reason
	// constants. Send fails from then on.
	Close(s *Session, reason string)
}

// Server is an Engine.IO v4 server; it is an http.Handler to mount at Path.
// A poll waits up to PingInterval for something to carry, so the
// http.Server's WriteTimeout, if set, must exceed PingInterval.
type Server struct {
	cfg      Config
	h        Handler
	log      *slog.Logger
	upgrader websocket.Upgrader

	// poller watches parked WebSocket connections and serves their
	// frames (package wspark); nil where the platform has none. park holds
	// their parking settings.
	poller *wspark.Poller
	park   wspark.Options
	corks  *sync.Pool // the WebSockets' cork buffers (wspark.Sock.Bufs)

	mu       sync.Mutex
	sessions map[string]*Session
	closing  bool           // Shutdown has begun: no new sessions
	byAddr   map[string]int // open sessions by Config.AddrKey of their remote address

	// ended counts the registered sessions that have not ended yet
	// (Handler.Close returned, goroutines exited): Shutdown waits on it.
	// Added to only before closing is set, so before any Wait.
	ended sync.WaitGroup

	// pollParked, when set (by tests only), is called each time a GET
	// starts waiting for something to carry.
	pollParked func(s *Session)
}

// New returns a Server that reports to h. A nil log discards the logs.
func New(cfg Config, h Handler, log *slog.Logger) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, fmt.Errorf("%w: nil handler", errBadConfig)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{
		cfg: cfg,
		h:   h,
		log: log,
		upgrader: websocket.Upgrader{
			HandshakeTimeout: cfg.WriteTimeout,
			CheckOrigin:      cfg.CheckOrigin,
			// A small read buffer (ours, given by the hijacker, and
			// released while parked) and pooled write buffers keep an
			// idle session cheap (gorilla would otherwise keep net/http's
			// two 4 KiB buffers for the connection's lifetime).
			ReadBufferSize:  0,
			WriteBufferSize: wsWriteBufferSize,
			WriteBufferPool: &sync.Pool{},
		},
		poller: wspark.NewPoller(log),
		// A frame that has started arriving must end within a heartbeat.
		park:     wspark.Options{WriteTimeout: cfg.WriteTimeout, FrameTimeout: cfg.PingInterval + cfg.PingTimeout},
		corks:    wspark.NewBufPool(),
		sessions: make(map[string]*Session),
		byAddr:   make(map[string]int),
	}, nil
}

// WebSocket buffer sizes: packets are small (an ICE candidate is a few
// hundred bytes); the read buffer is dropped while the connection is
// parked, the write buffer pooled, held only while writing.
const (
	wsReadBufferSize  = 1024
	wsWriteBufferSize = 4096
)

// ServeHTTP answers every Engine.IO request: handshakes, polls, posts and
// WebSocket upgrades. Requests are checked in the reference server's order:
// transport, protocol version, origin, session id, method.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	transport := q.Get("transport")
	if transport != TransportPolling && transport != TransportWebSocket {
		writeError(w, http.StatusBadRequest, codeUnknownTransport, "")
		return
	}
	if q.Get("EIO") != protocolVersion {
		writeError(w, http.StatusBadRequest, codeUnsupportedVersion, "")
		return
	}
	if !srv.cfg.CheckOrigin(r) {
		srv.log.Info("request refused: origin", "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr)
		writeError(w, http.StatusForbidden, codeForbidden, "")
		return
	}
	isUpgrade := websocket.IsWebSocketUpgrade(r)
	if (transport == TransportWebSocket) != isUpgrade {
		// A WebSocket transport must arrive as an upgrade, and an upgrade
		// must name the WebSocket transport.
		writeError(w, http.StatusBadRequest, codeBadRequest, "")
		return
	}

	sid := q.Get("sid")
	if sid == "" {
		if r.Method != http.MethodGet {
			writeError(w, http.StatusBadRequest, codeBadHandshakeMethod, "")
			return
		}
		if srv.addrFull(srv.cfg.AddrKey(r.RemoteAddr)) {
			srv.log.Info("handshake refused: too many sessions from the address", "remote", r.RemoteAddr)
			writeError(w, http.StatusTooManyRequests, codeBadRequest, errAddrFull.Error())
			return
		}
		if isUpgrade {
			srv.openWebSocket(w, r)
		} else {
			srv.openPolling(w, r)
		}
		return
	}

	s := srv.session(sid)
	if s == nil {
		writeError(w, http.StatusBadRequest, codeUnknownSID, "")
		return
	}
	if isUpgrade {
		s.upgrade(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.servePoll(w, r)
	case http.MethodPost:
		s.servePost(w, r)
	default:
		writeError(w, http.StatusBadRequest, codeBadRequest, "")
	}
}

// Shutdown closes every session and waits until each has ended:
// Handler.Close returned and its goroutines exited, parked readers
// included; then the poller of parked connections stops. New handshakes are
// refused from the start. A WebSocket gets its queued packets, then a close
// frame; a pending poll gets the queue and the close packet; a polling
// session with no poll pending is dropped at once, as the reference server
// does. When ctx ends first, the sessions
// still open are dropped at once and Shutdown returns ctx's error.
//
// WebSocket connections are hijacked, so http.Server.Shutdown does not close
// them: call this before it. Pending polls are answered here, which lets
// http.Server.Shutdown finish.
func (srv *Server) Shutdown(ctx context.Context) error {
	srv.mu.Lock()
	srv.closing = true
	open := make([]*Session, 0, len(srv.sessions))
	for _, s := range srv.sessions {
		open = append(open, s)
	}
	srv.mu.Unlock()

	for _, s := range open {
		s.closeGracefully(ReasonServerShutdown, false)
	}
	ended := make(chan struct{})
	go func() {
		srv.ended.Wait()
		srv.poller.Stop() // every session has ended: nothing is parked
		close(ended)
	}()
	select {
	case <-ended:
		return nil
	case <-ctx.Done():
		// The goroutine above stops the poller once these have ended:
		// their readers, parked ones woken by the poller, end soon.
		for _, s := range open {
			s.terminate(ReasonServerShutdown, encodedClose)
		}
		return fmt.Errorf("engineio: shutdown: %w", ctx.Err())
	}
}

// errShuttingDown refuses a handshake that arrives during Shutdown.
var errShuttingDown = errors.New("engineio: server shutting down")

// errAddrFull refuses a handshake from an address that holds
// Config.MaxSessionsPerAddr sessions.
var errAddrFull = errors.New("too many sessions from your address")

// addrFull reports whether the source key holds its maximum of sessions.
func (srv *Server) addrFull(key string) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return key != "" && srv.byAddr[key] >= srv.cfg.MaxSessionsPerAddr
}

// register adds s to the session table, unless Shutdown has begun or its
// address holds its maximum of sessions (addrFull is checked first, for a
// clear answer; this holds the limit against concurrent handshakes).
func (srv *Server) register(s *Session) error {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.closing {
		return errShuttingDown
	}
	s.addrKey = srv.cfg.AddrKey(s.remoteAddr)
	if s.addrKey != "" {
		if srv.byAddr[s.addrKey] >= srv.cfg.MaxSessionsPerAddr {
			return errAddrFull
		}
		srv.byAddr[s.addrKey]++
	}
	srv.ended.Add(1) // done by s.finish
	s.registered = true
	srv.sessions[s.id] = s
	return nil
}

// shuttingDown reports whether Shutdown has begun.
func (srv *Server) shuttingDown() bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.closing
}

// remove deletes s from the session table.
func (srv *Server) remove(s *Session) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.sessions[s.id] == s {
		delete(srv.sessions, s.id)
		if s.addrKey != "" {
			if srv.byAddr[s.addrKey]--; srv.byAddr[s.addrKey] <= 0 {
				delete(srv.byAddr, s.addrKey)
			}
		}
	}
}

// session returns the open session with this id, or nil.
func (srv *Server) session(sid string) *Session {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.sessions[sid]
}
