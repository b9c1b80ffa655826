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
	"signalbox/app/settings"
	"signalbox/signaling"
	"signalbox/signaling/httpserver"
	"signalbox/signaling/origin"
)

// Config is what New needs. Zero fields take defaults.
type Config struct {
	// Settings are the ones it starts with (app/settings declares them).
	Settings settings.Settings
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
	settings settings.Settings
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
	return &Service{cfg: cfg, log: log, settings: cfg.Settings.Clone()}
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
		SocketIO: httpserver.SocketIOSettings{PingInterval: st.SocketIOPingInterval, PingTimeout: st.SocketIOPingTimeout, MaxPayload: st.SocketIOMaxPayload},
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
// (see settings.NeedsRestart) restarts the server, which disconnects every
// peer; a change of the mDNS settings alone restarts only the advertisement. A
// stopped service (such as one whose port was busy) is started. It
// reports whether the server was restarted.
func (s *Service) Apply(ctx context.Context, st settings.Settings) (restarted bool, err error) {
	s.op.Lock()
	defer s.op.Unlock()
	s.mu.Lock()
	old, running := s.settings, s.srv != nil
	s.settings = st.Clone()
	if running && !settings.NeedsRestart(old, st) {
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
func (s *Service) Settings() settings.Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings.Clone()
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
