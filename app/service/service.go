package service

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"signalbox/app/mdns"
	"signalbox/signaling"
	"signalbox/signaling/httpserver"
	"signalbox/signaling/origin"
)

// DefaultPort is the port Signalbox listens on unless told otherwise; it
// is rarely taken by other software.
const DefaultPort = 7480

// Settings are what a user can change about the running service.
type Settings struct {
	// Addr is the listen address, host:port; ":7480" serves every
	// interface.
	Addr string
	// Interfaces, when not empty and Addr has no host, are the names of the
	// network interfaces to serve and advertise on (loopback is always
	// served); empty means every interface.
	Interfaces   []string
	ServerName   string
	RoomCapacity int
	ListRooms    bool
	APIFromLAN   bool
	// SocketIONoLogs stops the tutorial's "log" events to socket.io
	// clients (the narration of requests, the echo of every message).
	SocketIONoLogs bool
	// SocketIO is socket.io's pingInterval, pingTimeout and
	// maxHttpBufferSize; zero fields take the defaults.
	SocketIO httpserver.SocketIOSettings
	// AllowOrigins are extra origins allowed to open WebSockets.
	AllowOrigins []string
	// AllowHosts are extra host names the server answers to, besides its
	// addresses, localhost and its .local names (the Host allowlist).
	AllowHosts []string
	// PeersPerAddr bounds the clients one source address runs at once
	// (peers, socket.io sessions; twice as many HTTP connections and relay
	// allocations); RoomsPerAddr the rooms it has open. Zero takes the
	// defaults (docs/security.md).
	PeersPerAddr, RoomsPerAddr int
	// MDNS advertises the server on the LAN (DNS-SD _signalbox._tcp and
	// the host name signalbox.local).
	MDNS bool
	// ServerID is the random id published in the mDNS TXT record, which
	// tells two servers of the same name apart.
	ServerID string
	// HTTPS serves HTTPS (and plain HTTP, for this machine and /trust) on
	// the port, with the user's CertFile and KeyFile when both are set,
	// else a certificate from the local CA (see tls.go).
	HTTPS             bool
	CertFile, KeyFile string
	// TURN runs the built-in relay on TURNPort, UDP and TCP (0 picks a
	// free port); see turn.go.
	TURN     bool
	TURNPort int
	// Cluster shares rooms with other Signalbox servers (cluster.go): ""
	// is standalone, ClusterEmbedded runs nats-server inside this one, and
	// a nats:// URL joins that NATS deployment.
	Cluster string
	// ClusterID names the shared room namespace ("signalbox" when empty).
	ClusterID string
	// ClusterListen is the embedded server's route address (host:port, or
	// host for DefaultClusterPort); "" takes no routes in.
	ClusterListen string
	// ClusterRoutes are the other Signalbox servers' route addresses.
	ClusterRoutes []string
	// ClusterReplicas is how many copies of the rooms JetStream keeps (1
	// when 0).
	ClusterReplicas int
}

// clone returns s with its own slices.
func (s Settings) clone() Settings {
	s.Interfaces = slices.Clone(s.Interfaces)
	s.AllowOrigins = slices.Clone(s.AllowOrigins)
	s.ClusterRoutes = slices.Clone(s.ClusterRoutes)
	s.AllowHosts = slices.Clone(s.AllowHosts)
	return s
}

// needsRestart reports whether going from a to b needs a new listener or
// hub; the mDNS fields alone do not.
func needsRestart(a, b Settings) bool {
	return a.Addr != b.Addr || !slices.Equal(a.Interfaces, b.Interfaces) ||
		a.ServerName != b.ServerName || a.RoomCapacity != b.RoomCapacity ||
		a.ListRooms != b.ListRooms || a.APIFromLAN != b.APIFromLAN || a.SocketIONoLogs != b.SocketIONoLogs || a.SocketIO != b.SocketIO ||
		!slices.Equal(a.AllowOrigins, b.AllowOrigins) || !slices.Equal(a.AllowHosts, b.AllowHosts) ||
		a.PeersPerAddr != b.PeersPerAddr || a.RoomsPerAddr != b.RoomsPerAddr ||
		a.HTTPS != b.HTTPS || a.CertFile != b.CertFile || a.KeyFile != b.KeyFile ||
		a.Cluster != b.Cluster || a.ClusterID != b.ClusterID || a.ClusterListen != b.ClusterListen ||
		!slices.Equal(a.ClusterRoutes, b.ClusterRoutes) || a.ClusterReplicas != b.ClusterReplicas
}

// Config is what New needs. Zero fields take defaults.
type Config struct {
	Settings Settings
	// Client is the browser client's files; Version is reported to clients.
	Client  fs.FS
	Version string
	// AddrPollInterval is how often advertising re-reads the interfaces;
	// zero means DefaultAddrPollInterval.
	AddrPollInterval time.Duration
	// LANInterfaces lists the interfaces to advertise on; nil means
	// mdns.LANInterfaces. Tests inject their own.
	LANInterfaces func() ([]mdns.LANInterface, error)
	// NewAdvertiser makes the mDNS advertiser; nil means mdns.New.
	NewAdvertiser func(mdns.Config, *slog.Logger) Advertiser
	// ConfigDir is the app's configuration folder
	// (os.UserConfigDir()/signalbox); the local CA lives in its TLSFolder.
	// "" means no HTTPS unless the settings name a certificate.
	ConfigDir string
}

// Errors of Start and Stop.
var (
	// ErrPortBusy is returned by Start when another program holds the port.
	ErrPortBusy = errors.New("port already in use")
	// ErrRunning is returned by Start when the service already runs.
	ErrRunning = errors.New("service already running")
)

// Service is one server: its listeners, HTTP server, hub and mDNS
// advertisement. Its methods are safe for concurrent use; Start, Stop and
// Apply are serialised.
type Service struct {
	cfg Config
	log *slog.Logger

	op sync.Mutex // held through Start, Stop and Apply

	mu       sync.Mutex // guards the fields below
	settings Settings
	srv      *httpserver.Server
	lns      []net.Listener
	stopped  chan struct{} // closed when every listener stopped serving
	err      error         // why the last Start failed or serving failed
	adv      *advertiser
	advStop  context.CancelFunc
	advDone  chan struct{}
	sec      *security   // HTTPS and the relay of the running server
	cluster  *clusterRun // nil when standalone
}

// New returns a stopped service.
func New(cfg Config, log *slog.Logger) *Service {
	if cfg.AddrPollInterval <= 0 {
		cfg.AddrPollInterval = DefaultAddrPollInterval
	}
	if cfg.LANInterfaces == nil {
		cfg.LANInterfaces = mdns.LANInterfaces
	}
	if cfg.NewAdvertiser == nil {
		cfg.NewAdvertiser = func(c mdns.Config, l *slog.Logger) Advertiser { return mdns.New(c, l) }
	}
	return &Service{cfg: cfg, log: log, settings: cfg.Settings.clone()}
}

// Start listens and serves in the background, then starts advertising
// (which may fail without failing Start: see MDNS). A busy port is
// ErrPortBusy, wrapped with the address.
func (s *Service) Start() error {
	s.op.Lock()
	defer s.op.Unlock()
	return s.start()
}

func (s *Service) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return ErrRunning
	}
	s.err = s.startLocked()
	return s.err
}

// startLocked does Start's work; s.mu is held.
func (s *Service) startLocked() error {
	st := s.settings
	lns, skipped, err := listen(st)
	if err != nil {
		return err
	}
	sec := s.startSecurity(st, lns) // the certificate names the addresses listened on
	tlsCfg, trust, ice := sec.serverConfig()
	srv, err := httpserver.New(httpserver.Config{
		Hub: signaling.Config{ServerName: st.ServerName, RoomCapacity: st.RoomCapacity, ICEServersFor: ice,
			MaxPeersPerAddr: st.PeersPerAddr, MaxRoomsPerAddr: st.RoomsPerAddr},
		MaxConnsPerAddr: 2 * st.PeersPerAddr,
		Version:         s.cfg.Version, Client: s.cfg.Client,
		Origins:   origin.Policy{Allowed: st.AllowOrigins},
		ListRooms: st.ListRooms, APIFromLAN: st.APIFromLAN, SocketIONoLogs: st.SocketIONoLogs,
		SocketIO: st.SocketIO,
		TLS:      tlsCfg, Trust: trust, Hosts: sec.hostPolicy(st), ClusterHealth: s.clusterHealth,
	}, s.log)
	if err != nil {
		sec.close()
		closeAll(lns)
		return err
	}
	cluster, err := s.startCluster(st, srv.Hub())
	if err != nil {
		sec.close()
		closeAll(lns)
		return fmt.Errorf("%w: %w", errClusterSettings, err)
	}
	s.cluster = cluster
	for _, e := range skipped {
		s.log.Warn("not serving on an address", "err", e)
	}
	s.srv, s.lns, s.stopped, s.sec = srv, lns, make(chan struct{}), sec
	sec.bindRelay(srv.Hub())
	go s.serve(srv, lns, s.stopped)
	addrs := make([]string, len(lns))
	for i, ln := range lns {
		addrs[i] = ln.Addr().String()
	}
	s.log.Info("serving", "addrs", addrs, "name", st.ServerName)
	s.startAdvertising()
	return nil
}

// serve serves on every listener and closes stopped when all have ended,
// recording the first failure.
func (s *Service) serve(srv *httpserver.Server, lns []net.Listener, stopped chan struct{}) {
	errs := make(chan error, len(lns))
	for _, ln := range lns {
		go func() { errs <- srv.Serve(ln) }()
	}
	var first error
	for range lns {
		if err := <-errs; first == nil && !errors.Is(err, http.ErrServerClosed) {
			first = err
		}
	}
	if first != nil {
		s.log.Error("serving stopped", "err", first)
		s.mu.Lock()
		if s.srv == srv {
			s.err = first
		}
		s.mu.Unlock()
	}
	close(stopped)
}

// startAdvertising starts the mDNS advertiser when the settings ask for
// it. s.mu is held and the server listens.
func (s *Service) startAdvertising() {
	st := s.settings
	if !st.MDNS {
		return
	}
	port := s.lns[0].Addr().(*net.TCPAddr).Port
	a := &advertiser{
		cfg: mdns.Config{
			Instance: instanceName(st.ServerName), Host: mdns.DefaultHost, Port: port,
			TXT: mdns.TXT{Version: txtVersion, Path: txtPath, Scheme: s.sec.scheme(), Fingerprint: s.sec.fingerprint(), ID: st.ServerID,
				Cluster: s.cluster.advertisedID()},
		},
		only: slices.Clone(st.Interfaces), bound: boundIPs(s.lns),
		lan: s.cfg.LANInterfaces, make: s.cfg.NewAdvertiser, log: s.log,
	}
	s.adv = a
	if loopbackOnly(s.lns) {
		a.set(MDNSStatus{Enabled: true, Error: ErrLoopbackOnly.Error(), Code: mdnsCode(ErrLoopbackOnly)})
		s.log.Info("mdns: not advertising", "reason", ErrLoopbackOnly.Error())
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.advStop, s.advDone = cancel, done
	go func() {
		defer close(done)
		a.run(ctx, s.cfg.AddrPollInterval)
	}()
}

// stopAdvertising withdraws the advertisement (goodbyes) and waits for it.
// s.mu is held.
func (s *Service) stopAdvertising() {
	if s.advStop != nil {
		s.advStop()
		<-s.advDone
	}
	s.adv, s.advStop, s.advDone = nil, nil, nil
}

// boundIPs lists the listeners' addresses, or nil when one is a wildcard.
func boundIPs(lns []net.Listener) []net.IP {
	var ips []net.IP
	for _, ln := range lns {
		ip := ln.Addr().(*net.TCPAddr).IP
		if ip.IsUnspecified() {
			return nil
		}
		ips = append(ips, ip)
	}
	return ips
}

// Stop withdraws the advertisement, then shuts the server down gracefully:
// peers get "going away". Stopping a stopped service does nothing.
func (s *Service) Stop(ctx context.Context) error {
	s.op.Lock()
	defer s.op.Unlock()
	return s.stop(ctx)
}

func (s *Service) stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopAdvertising()
	srv, stopped, sec, cluster := s.srv, s.stopped, s.sec, s.cluster
	s.srv, s.lns, s.stopped, s.sec, s.cluster = nil, nil, nil, nil, nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	select {
	case <-stopped:
	case <-ctx.Done():
		err = errors.Join(err, ctx.Err())
	}
	sec.close()
	err = errors.Join(err, cluster.close(ctx))
	s.log.Info("server stopped")
	return err
}

// Apply changes the settings. A change that needs a new listener or hub
// (see needsRestart) restarts the server, which disconnects every peer; a
// change of the mDNS settings alone restarts only the advertisement. A
// stopped service (such as one whose port was busy) is started. It
// reports whether the server was restarted.
func (s *Service) Apply(ctx context.Context, st Settings) (restarted bool, err error) {
	s.op.Lock()
	defer s.op.Unlock()
	s.mu.Lock()
	old, running := s.settings, s.srv != nil
	s.settings = st.clone()
	if running && !needsRestart(old, st) {
		if old.MDNS != st.MDNS || old.ServerID != st.ServerID {
			s.stopAdvertising()
			s.startAdvertising()
		}
		if old.TURN != st.TURN || old.TURNPort != st.TURNPort {
			s.restartRelayLocked(st)
		}
		s.mu.Unlock()
		return false, nil
	}
	s.mu.Unlock()
	if running {
		if err := s.stop(ctx); err != nil {
			s.log.Warn("stopping for a restart", "err", err)
		}
	}
	return running, s.start()
}

// Stopped returns a channel closed when the server stops serving (after
// Stop, or on its own: then Err says why), or nil when it is not running.
func (s *Service) Stopped() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

// Running reports whether the server is serving.
func (s *Service) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srv != nil && s.err == nil
}

// Err returns why the last Start failed or serving stopped on its own, or
// nil.
func (s *Service) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Hub is the running server's hub, or nil when stopped.
func (s *Service) Hub() *signaling.Hub {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return nil
	}
	return s.srv.Hub()
}

// Port is the port the service listens on, or 0 when stopped.
func (s *Service) Port() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lns) == 0 {
		return 0
	}
	return s.lns[0].Addr().(*net.TCPAddr).Port
}

// Settings returns the current settings.
func (s *Service) Settings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings.clone()
}

// MDNS returns the state of the mDNS advertisement.
func (s *Service) MDNS() MDNSStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.adv == nil {
		return MDNSStatus{Enabled: s.settings.MDNS}
	}
	return s.adv.get()
}

// Joins returns the URLs other devices open to join, the best first,
// loopback last; nil when stopped.
func (s *Service) Joins() []JoinURL {
	s.mu.Lock()
	ips := make([]net.IP, len(s.lns))
	for i, ln := range s.lns {
		ips[i] = ln.Addr().(*net.TCPAddr).IP
	}
	only := slices.Clone(s.settings.Interfaces)
	port := 0
	if len(s.lns) > 0 {
		port = s.lns[0].Addr().(*net.TCPAddr).Port
	}
	secure, alt := s.sec.scheme() == "https", s.altHostLocked()
	s.mu.Unlock()
	if port == 0 {
		return nil
	}
	return withScheme(joinURLs(ips, port, only), port, secure, alt)
}

// JoinURLs returns the URLs of Joins.
func (s *Service) JoinURLs() []string {
	joins := s.Joins()
	out := make([]string, len(joins))
	for i, j := range joins {
		out[i] = j.URL
	}
	return out
}

// LocalURL returns the URL this machine's own browser opens: loopback when
// the server listens there (a secure context, so the camera works), else
// the first join URL; "" when stopped.
func (s *Service) LocalURL() string {
	joins := s.Joins()
	for _, j := range joins {
		if j.Interface == "" && isLoopbackURL(j.URL) {
			return j.URL
		}
	}
	if len(joins) > 0 {
		return joins[0].URL
	}
	return ""
}
