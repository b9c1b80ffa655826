package service

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"

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
	Addr         string
	ServerName   string
	RoomCapacity int
	ListRooms    bool
	APIFromLAN   bool
	// AllowOrigins are extra origins allowed to open WebSockets.
	AllowOrigins []string
}

// Service is one running server.
type Service struct {
	log     *slog.Logger
	version string
	client  fs.FS

	mu       sync.Mutex
	settings Settings
	srv      *httpserver.Server
	ln       net.Listener
	done     chan error
}

// New returns a stopped service that will serve client (the browser
// client's files) and report version.
func New(s Settings, client fs.FS, version string, log *slog.Logger) *Service {
	return &Service{log: log, version: version, client: client, settings: s}
}

// ErrPortBusy is returned by Start when another program holds the port.
var ErrPortBusy = errors.New("port already in use")

// Start listens and serves in the background. A busy port is ErrPortBusy,
// wrapped with the address.
func (s *Service) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return errors.New("service already running")
	}
	st := s.settings
	srv, err := httpserver.New(httpserver.Config{
		Hub:     signaling.Config{ServerName: st.ServerName, RoomCapacity: st.RoomCapacity},
		Version: s.version, Client: s.client,
		Origins:   origin.Policy{Allowed: st.AllowOrigins},
		ListRooms: st.ListRooms, APIFromLAN: st.APIFromLAN,
	}, s.log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", st.Addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("listen on %s: %w", st.Addr, ErrPortBusy)
		}
		return fmt.Errorf("listen on %s: %w", st.Addr, err)
	}
	s.srv, s.ln, s.done = srv, ln, make(chan error, 1)
	go func(done chan<- error) {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		done <- err
	}(s.done)
	s.log.Info("serving", "addr", ln.Addr().String(), "name", st.ServerName)
	return nil
}

// Stop shuts the server down gracefully: peers get "going away".
func (s *Service) Stop(ctx context.Context) error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.srv, s.ln, s.done = nil, nil, nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	return errors.Join(err, <-done)
}

// Done returns a channel that yields the serve error when the server stops
// on its own, or nil when it is not running.
func (s *Service) Done() <-chan error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done
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
	if s.ln == nil {
		return 0
	}
	return s.ln.Addr().(*net.TCPAddr).Port
}

// Settings returns the current settings.
func (s *Service) Settings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// JoinURLs returns the URL of the client for each LAN address this
// machine has, the best first; loopback when there is no LAN.
func (s *Service) JoinURLs() []string {
	port := s.Port()
	if port == 0 {
		return nil
	}
	var out []string
	for _, ip := range LANAddrs() {
		out = append(out, "http://"+net.JoinHostPort(ip.String(), strconv.Itoa(port))+"/")
	}
	return append(out, "http://"+net.JoinHostPort("127.0.0.1", strconv.Itoa(port))+"/")
}
