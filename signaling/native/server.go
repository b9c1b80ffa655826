package native

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"signalbox/signaling"
	"signalbox/signaling/internal/wspark"
	"signalbox/signaling/origin"
	"signalbox/signaling/transport"
)

// Buffer sizes for every connection. Frames are small (an ICE candidate is
// a few hundred bytes), so a small read buffer keeps idle connections
// cheap; write buffers come from a pool and are held only while writing.
const (
	readBufferSize  = 1024
	writeBufferSize = 4096
)

// Config holds the native transport's settings; the timers and limits come
// from the hub's signaling.Config.
type Config struct {
	// Version is the server version sent in welcome.
	Version string
	// Origins is the cross-site WebSocket policy.
	Origins origin.Policy
}

// Server is the http.Handler for /ws.
type Server struct {
	hub      *signaling.Hub
	hubCfg   signaling.Config // hub.Config(), which never changes
	cfg      Config
	log      *slog.Logger
	upgrader websocket.Upgrader
	conns    sync.WaitGroup
	pools    *pools
	poller   *wspark.Poller // watches parked connections and serves their frames; nil where unsupported
	// park holds the connections' parking settings.
	park wspark.Options
	// guard is the connections' transport.Guard policy.
	guard transport.Policy
}

// NewServer returns a handler that attaches WebSocket clients to hub.
func NewServer(hub *signaling.Hub, cfg Config, log *slog.Logger) *Server {
	s := &Server{hub: hub, hubCfg: hub.Config(), cfg: cfg, log: log, pools: newPools(), poller: wspark.NewPoller(log)}
	s.park = parkOptions(&s.hubCfg)
	s.guard = transport.Policy{MaxStrikes: s.hubCfg.MaxStrikes, Log: log}
	s.upgrader = websocket.Upgrader{
		HandshakeTimeout: hub.Config().HandshakeTimeout,
		ReadBufferSize:   0, // gorilla uses the hijacker's reader, of readBufferSize
		WriteBufferSize:  writeBufferSize,
		WriteBufferPool:  &sync.Pool{},
		CheckOrigin:      cfg.Origins.Check,
	}
	return s
}

// ServeHTTP upgrades the request and serves the connection until it ends.
// A cross-origin request is refused with 403 before any upgrade.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Origins.Check(r) {
		s.log.Warn("cross-origin websocket refused", "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr)
		http.Error(w, "cross-origin WebSocket refused", http.StatusForbidden)
		return
	}
	// Counted before the upgrade answers the client: a Wait that starts
	// once the client has its answer must see this connection.
	s.conns.Add(1) // done when the connection ends (conn.ended), or below when refused
	hj := wspark.NewHijacker(w, readBufferSize)
	hj.Bufs = s.pools.corks
	ws, err := s.upgrader.Upgrade(hj, r, nil)
	if err != nil {
		s.conns.Done()
		return // the upgrader has answered with an HTTP error
	}
	cfg := s.hub.Config()
	c := &conn{ws: ws, sock: hj.Sock, hub: s.hub, cfg: &s.hubCfg, log: s.log, pools: s.pools, ended: s.conns.Done}
	if c.sock == nil {
		c.sock = &wspark.Sock{Conn: ws.NetConn()} // never (the hijacker made one): no raw paths
	}
	c.sock.OnStash = c.Wake // a control frame the socket did not take at once
	c.rd.Attach(ws, hj.Reader, s.poller, &s.park, c)
	c.rd.OnControl = c.seen
	c.pump.Init((*sink)(c), s.pools.batches)
	c.guard = transport.NewGuard(&s.guard)
	info := signaling.ConnInfo{RemoteAddr: r.RemoteAddr, UserAgent: r.UserAgent(), Transport: "websocket"}
	p, err := s.hub.Connect(info, c)
	if err != nil {
		refuse(ws, err, cfg.WriteTimeout)
		s.conns.Done()
		return
	}
	c.peer.Store(p)
	p.Send(&signaling.Message{Kind: signaling.KindFrame, Frame: s.welcome(p), Transient: true}) // a resume gets its own
	// The read loop runs on a goroutine of its own and this handler
	// returns: net/http's goroutine would otherwise keep its request, its
	// 4 KiB read and write buffers and a deep stack alive for as long as
	// the connection lasts, most of an idle connection's cost.
	go c.run()
}

// Wait blocks until every connection has ended. Call it after the hub's
// Shutdown, which closes them.
func (s *Server) Wait() {
	s.conns.Wait()
	s.poller.Stop()
}

func (s *Server) welcome(p *signaling.Peer) []byte {
	cfg := s.hub.Config()
	ice := s.hub.ICEServers(p.ID())
	if ice == nil {
		ice = []signaling.ICEServer{}
	}
	b, err := json.Marshal(welcomeFrame{
		Type: "welcome", Protocol: ProtocolVersion,
		Server:       serverInfo{Name: cfg.ServerName, Version: s.cfg.Version},
		Peer:         p.Info(),
		PingInterval: cfg.PingInterval.Milliseconds(),
		Limits: limits{
			MaxMessageSize: cfg.MaxMessageSize, Rate: cfg.Rate, Burst: cfg.Burst,
			RoomCapacity: cfg.RoomCapacity, ResumeGrace: cfg.ResumeGrace.Milliseconds(),
		},
		ICEServers: ice,
	})
	if err != nil {
		panic(err) // plain structs always encode
	}
	return b
}

// refuse tells a client the hub would not take it, then closes.
func refuse(ws *websocket.Conn, err error, timeout time.Duration) {
	defer ws.Close()
	b, _ := json.Marshal(errorFrameFor("", err))
	ws.SetWriteDeadline(time.Now().Add(timeout))
	if ws.WriteMessage(websocket.TextMessage, b) != nil {
		return
	}
	code, _ := signaling.CodeOf(err)
	_ = ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseTryAgainLater, string(code)), time.Now().Add(timeout))
}
