package turnrelay

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/turn/v4"
)

// Defaults for Config.
const (
	// DefaultRealm is the TURN realm when Config.Realm is empty.
	DefaultRealm = "signalbox"
	// DefaultCredentialTTL is how long handed-out credentials can start new
	// allocations: one hour. A client uses them within seconds of joining,
	// and again only on an ICE restart; live allocations keep refreshing
	// after expiry (see doc.go), so a short life costs a long call nothing
	// and limits what a leaked credential is worth.
	DefaultCredentialTTL = time.Hour
	// secretLen is the size in bytes of the random per-run secret.
	secretLen = 32
)

// Config configures a Server. The zero values of the optional fields pick the
// defaults.
type Config struct {
	// ListenIP is the address to listen on, UDP and TCP; nil listens on all
	// interfaces, IPv4 and IPv6.
	ListenIP net.IP
	// RelayIP is the IPv4 address put in relay candidates, the one peers
	// send relayed media to: the host's LAN address. nil uses ListenIP if
	// that is a specific IPv4 address. Relay sockets bind to ListenIP when
	// it is a specific IPv4 address, else to 0.0.0.0.
	RelayIP net.IP
	// Port is the UDP and TCP port; 0 picks one free on both (read it back
	// with Server.Port).
	Port int
	// Realm is the TURN realm; "" means DefaultRealm.
	Realm string
	// CredentialTTL is how long credentials from Credentials can start new
	// allocations; 0 means DefaultCredentialTTL.
	CredentialTTL time.Duration
	// Secret is the HMAC key of the credentials; nil or empty means 32
	// random bytes per run, which invalidates all credentials on restart.
	Secret []byte
	// PeerNets are the networks relay sockets may exchange data with: the
	// subnets of the interfaces the server serves. Link-local, loopback and
	// multicast addresses are refused even inside them.
	PeerNets []*net.IPNet
	// AllowPeer, when set, decides instead of PeerNets whether relay
	// sockets may exchange data with a peer at ip. The relay address is
	// always allowed (for its relay ports only; see countingConn).
	AllowPeer func(ip net.IP) bool
	// PeerActive, when set, reports whether the peer a credential was
	// issued to still holds a seat; credentials of a peer that does not are
	// refused, refreshes of live allocations included (see Revoke).
	PeerActive func(peerID string) bool
	// MaxAllocationsPerPeer, MaxAllocationsPerAddr and MaxAllocations are
	// the allocation quotas (guard.go); zero takes the defaults.
	MaxAllocationsPerPeer, MaxAllocationsPerAddr, MaxAllocations int
	// Now returns the current time; nil means time.Now. Tests inject a clock.
	Now func() time.Time
	// OnChange, if set, is called with fresh Stats after every allocation
	// is created or deleted, from pion's goroutines, one call at a time. It
	// must not block.
	OnChange func(Stats)
}

// Stats counts what the relay does, for the UI.
type Stats struct {
	// ActiveAllocations is the number of relay allocations now open.
	ActiveAllocations int `json:"activeAllocations"`
	// ActiveTCP is how many of them were made over TCP.
	ActiveTCP int `json:"activeTcp"`
	// TotalAllocations counts every allocation since Start.
	TotalAllocations uint64 `json:"totalAllocations"`
	// AuthFailures counts requests refused for a malformed, expired or
	// wrong credential.
	AuthFailures uint64 `json:"authFailures"`
	// RelayedBytes counts payload bytes relay sockets exchanged with peers,
	// both directions. Browsers allocate relays they may never use; when
	// this grows, a call really goes through the relay.
	RelayedBytes uint64 `json:"relayedBytes"`
	// RefusedAllocations counts allocations refused by a quota or because
	// the peer holds no seat; RevokedAllocations the relay sockets closed
	// by Revoke; DroppedDatagrams the datagrams to or from this machine's
	// own ports that the relay did not carry.
	RefusedAllocations uint64 `json:"refusedAllocations"`
	RevokedAllocations uint64 `json:"revokedAllocations"`
	DroppedDatagrams   uint64 `json:"droppedDatagrams"`
}

// Server is a running TURN server. Its methods are safe for concurrent use.
type Server struct {
	cfg     Config // defaults filled in
	log     *slog.Logger
	turn    *turn.Server
	tcp     *trackingListener
	port    int
	relayed atomic.Uint64 // Stats.RelayedBytes

	local localIPs // this machine's addresses, for the own-port rule

	mu         sync.Mutex
	stats      Stats                    // all but RelayedBytes
	live       map[string]int           // allocations by allocationKey, for refreshes after expiry
	byPeer     map[string]int           // live allocations by peer id, for the quota
	byAddr     map[string]int           // live allocations by client IP, for the quota
	relays     map[string]*countingConn // open relay sockets by relay address
	relayPorts map[int]int              // their ports

	notifyMu sync.Mutex // one OnChange call at a time, always with fresh Stats

	closeOnce sync.Once
	closeErr  error
}

// Start listens on UDP and TCP (so a bind error is returned here), then
// starts serving TURN. Close stops it.
func Start(cfg Config, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := fillDefaults(&cfg); err != nil {
		return nil, err
	}
	relayBind := "0.0.0.0"
	if ip4 := cfg.ListenIP.To4(); ip4 != nil && !ip4.IsUnspecified() {
		relayBind = ip4.String()
	}
	pc, ln, err := listenPair(cfg.ListenIP, cfg.Port)
	if err != nil {
		return nil, fmt.Errorf("turnrelay: listen on port %d: %w", cfg.Port, err)
	}
	s := &Server{
		cfg:  cfg,
		log:  log,
		tcp:  newTrackingListener(ln),
		port: ln.Addr().(*net.TCPAddr).Port,
		live: make(map[string]int), byPeer: make(map[string]int), byAddr: make(map[string]int),
		relays: make(map[string]*countingConn), relayPorts: make(map[int]int),
	}
	generator := func() *relayGenerator {
		return &relayGenerator{
			RelayAddressGeneratorStatic: turn.RelayAddressGeneratorStatic{RelayAddress: cfg.RelayIP, Address: relayBind},
			relayed:                     &s.relayed,
			srv:                         s,
		}
	}
	s.turn, err = turn.NewServer(turn.ServerConfig{
		Realm:         cfg.Realm,
		AuthHandler:   s.authenticate,
		QuotaHandler:  s.quota,
		LoggerFactory: pionLoggers{log: log},
		EventHandler: turn.EventHandler{
			OnAuth:              s.onAuth,
			OnAllocationCreated: s.onAllocationCreated,
			OnAllocationDeleted: s.onAllocationDeleted,
		},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn: pc, RelayAddressGenerator: generator(), PermissionHandler: s.permit,
		}},
		ListenerConfigs: []turn.ListenerConfig{{
			Listener: s.tcp, RelayAddressGenerator: generator(), PermissionHandler: s.permit,
		}},
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("turnrelay: %w", err), pc.Close(), ln.Close())
	}
	log.Info("turnrelay: listening", "addr", ln.Addr().String(), "relayIP", cfg.RelayIP.String(),
		"realm", cfg.Realm, "credentialTTL", cfg.CredentialTTL)
	return s, nil
}

// fillDefaults checks cfg and fills in its defaults.
func fillDefaults(cfg *Config) error {
	switch {
	case cfg.Port < 0 || cfg.Port > 65535:
		return fmt.Errorf("%w: port %d", ErrBadConfig, cfg.Port)
	case cfg.CredentialTTL < 0:
		return fmt.Errorf("%w: credential TTL %v", ErrBadConfig, cfg.CredentialTTL)
	}
	if cfg.RelayIP == nil {
		if ip4 := cfg.ListenIP.To4(); ip4 != nil && !ip4.IsUnspecified() {
			cfg.RelayIP = ip4
		}
	}
	relay4 := cfg.RelayIP.To4()
	if relay4 == nil || relay4.IsUnspecified() {
		return fmt.Errorf("%w: relay %v, listen %v", ErrNoRelayIP, cfg.RelayIP, cfg.ListenIP)
	}
	cfg.RelayIP = relay4
	if cfg.Realm == "" {
		cfg.Realm = DefaultRealm
	}
	if cfg.CredentialTTL == 0 {
		cfg.CredentialTTL = DefaultCredentialTTL
	}
	if len(cfg.Secret) == 0 {
		cfg.Secret = make([]byte, secretLen)
		_, _ = rand.Read(cfg.Secret) // never fails (crypto/rand)
	} else {
		cfg.Secret = append([]byte(nil), cfg.Secret...)
	}
	if cfg.AllowPeer == nil {
		nets := cfg.PeerNets
		cfg.AllowPeer = func(ip net.IP) bool { return allowNets(nets, ip) }
	}
	if cfg.MaxAllocationsPerPeer == 0 {
		cfg.MaxAllocationsPerPeer = DefaultMaxAllocationsPerPeer
	}
	if cfg.MaxAllocationsPerAddr == 0 {
		cfg.MaxAllocationsPerAddr = DefaultMaxAllocationsPerAddr
	}
	if cfg.MaxAllocations == 0 {
		cfg.MaxAllocations = DefaultMaxAllocations
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return nil
}

// Port returns the UDP and TCP port the server listens on.
func (s *Server) Port() int { return s.port }

// Stats returns the current counts.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	st := s.stats
	s.mu.Unlock()
	st.ActiveAllocations = max(st.ActiveAllocations, 0)
	st.ActiveTCP = max(st.ActiveTCP, 0)
	st.RelayedBytes = s.relayed.Load()
	return st
}

// PeerBytes returns, for each peer id holding live allocations (the part of
// the username after the expiry), the bytes its relay sockets exchanged
// with other peers so far. A count that grows means the peer's call goes
// through the relay now; browsers allocate a relay whenever they are given
// one, so a live allocation alone says nothing.
func (s *Server) PeerBytes() map[string]uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]uint64, len(s.relays))
	for _, c := range s.relays {
		if c.peer != "" {
			out[c.peer] += c.own.Load()
		}
	}
	return out
}

// Close stops the server: the UDP socket, the TCP listener and every TCP
// connection it accepted. Relay sockets close moments later, as pion tears
// down the allocations (without reporting them to Stats, which stops
// changing). Calling Close again returns the first result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = errors.Join(s.turn.Close(), s.tcp.closeConns())
		if s.closeErr != nil {
			s.closeErr = fmt.Errorf("turnrelay: close: %w", s.closeErr)
		}
	})
	return s.closeErr
}

// allocationKey identifies the allocations a client holds with one username.
func allocationKey(src net.Addr, username string) string {
	return src.Network() + "|" + src.String() + "|" + username
}

// isTCP reports whether a client address came in over TCP.
func isTCP(src net.Addr) bool {
	_, ok := src.(*net.TCPAddr)
	return ok
}

func (s *Server) onAllocationCreated(src, _ net.Addr, _, username, _ string, relay net.Addr, _ int) {
	s.mu.Lock()
	s.live[allocationKey(src, username)]++
	s.byPeer[peerOf(username)]++
	s.byAddr[addrOf(src)]++
	if c := s.relays[relay.String()]; c != nil {
		c.peer = peerOf(username)
	}
	s.stats.ActiveAllocations++
	s.stats.TotalAllocations++
	if isTCP(src) {
		s.stats.ActiveTCP++
	}
	s.mu.Unlock()
	s.log.Debug("turnrelay: allocation created", "client", src.String(), "relay", relay.String(), "username", username)
	s.notify()
}

func (s *Server) onAllocationDeleted(src, _ net.Addr, _, username, _ string) {
	key := allocationKey(src, username)
	s.mu.Lock()
	if s.live[key]--; s.live[key] <= 0 {
		delete(s.live, key)
	}
	if p := peerOf(username); s.byPeer[p] > 1 {
		s.byPeer[p]--
	} else {
		delete(s.byPeer, p)
	}
	if a := addrOf(src); s.byAddr[a] > 1 {
		s.byAddr[a]--
	} else {
		delete(s.byAddr, a)
	}
	s.stats.ActiveAllocations--
	if isTCP(src) {
		s.stats.ActiveTCP--
	}
	s.mu.Unlock()
	s.log.Debug("turnrelay: allocation deleted", "client", src.String(), "username", username)
	s.notify()
}

// onAuth counts requests whose message integrity did not match: a wrong
// password. Malformed and expired usernames are counted in authenticate.
func (s *Server) onAuth(src, _ net.Addr, _, username, _, method string, verdict bool) {
	if verdict {
		return
	}
	s.authFailed()
	s.log.Debug("turnrelay: wrong password", "client", src.String(), "username", username, "method", method)
}

func (s *Server) authFailed() {
	s.mu.Lock()
	s.stats.AuthFailures++
	s.mu.Unlock()
}

// notify hands fresh Stats to Config.OnChange. The lock makes calls one at a
// time, and each reads the Stats after taking it, so the last call always
// carries the latest counts.
func (s *Server) notify() {
	if s.cfg.OnChange == nil {
		return
	}
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	s.cfg.OnChange(s.Stats())
}
