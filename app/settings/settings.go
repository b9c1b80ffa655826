package settings

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"signalbox/signaling"
	"signalbox/signaling/socketio"
)

// Defaults and limits of the values a user may set.
const (
	// DefaultPort is the port Signalbox listens on unless told otherwise;
	// it is rarely taken by other software.
	DefaultPort = 7480
	// DefaultTURNPort is the built-in relay's UDP and TCP port: the
	// standard TURN port, which firewalls that know TURN let through.
	DefaultTURNPort = 3478
	// ClusterEmbedded is the Cluster setting that runs nats-server inside
	// Signalbox.
	ClusterEmbedded = "embedded"
	// MaxServerNameBytes is the longest server name: a DNS-SD instance name
	// is one DNS label of at most 63 bytes.
	MaxServerNameBytes = 63
	// serverIDBytes is the entropy of a server id (hex-encoded twice as long).
	serverIDBytes = 8
)

// Languages the window speaks; "" follows the system.
var languages = []string{"", "en", "zh-CN"}

// Errors of Load, Save and Validate; test with errors.Is.
var (
	// ErrInvalid means a value is out of range; the message says which.
	ErrInvalid = errors.New("invalid setting")
	// ErrCorrupt means the file is not valid JSON; Load then returns the
	// defaults.
	ErrCorrupt = errors.New("settings file is not valid JSON")
)

// Settings are everything a user can set, each declared once, here. The
// tags of a field say all the rest (see table.go):
//
//   - json: its key in settings.json and in the window; "-" for a setting
//     that only the command line sets (never stored).
//   - flag: the command-line flag that sets it for one run, winning over
//     the stored value; usage is the flag's help. A flag named
//     "NAME,negate" sets the opposite of the field.
//   - restart:"yes": changing it restarts the server (a new listener or
//     hub: every peer is disconnected); the others apply live.
//
// Adding a setting is adding a field: the flag, the override, the window's
// read-only badge and its restart warning follow from the tags. A stored
// one with a range also gets a line in Validate.
type Settings struct {
	// Addr is the listen address, host:port; ":7480" serves every
	// interface. It is stored (and shown in the window) as its port: only
	// the command line names a host.
	Addr Addr `json:"port" flag:"addr" restart:"yes" usage:"listen address (host:port)"`
	// RoomCapacity is the number of peers a room holds.
	RoomCapacity int `json:"roomCapacity" flag:"room-size" restart:"yes" usage:"peers per room (1-32)"`
	// ServerName is shown to clients and advertised on the LAN.
	ServerName string `json:"serverName" flag:"name" restart:"yes" usage:"server name shown to clients and on the LAN"`
	// Interfaces, when not empty and Addr has no host, are the names of the
	// network interfaces to serve and advertise on (loopback is always
	// served); empty means every interface.
	Interfaces []string `json:"interfaces" flag:"interface" restart:"yes" usage:"serve and advertise only on this network interface (repeatable; loopback is always served)"`
	// MDNS advertises the server on the LAN (DNS-SD _signalbox._tcp and
	// the host name signalbox.local).
	MDNS bool `json:"mdns" flag:"mdns" usage:"advertise the server on the LAN by mDNS (as signalbox.local)"`
	// Language is the window's language: "en", "zh-CN", or "" to follow
	// the system. The server does not use it.
	Language string `json:"language"`
	// ServerID is the random id of this installation, published in the
	// mDNS TXT record, which tells two servers of the same name apart.
	ServerID string `json:"serverId"`
	// HTTPS serves HTTPS (and plain HTTP, for this machine and /trust) on
	// the port, with CertFile and KeyFile when both are set, else a
	// certificate from the local CA, so other devices' browsers allow the
	// camera.
	HTTPS    bool   `json:"https" flag:"https" restart:"yes" usage:"serve other devices over HTTPS with a certificate from this computer's own authority (browsers allow the camera only over HTTPS)"`
	CertFile string `json:"-" flag:"cert" restart:"yes" usage:"serve this certificate (PEM, with its chain) instead of the local authority's; needs --key"`
	KeyFile  string `json:"-" flag:"key" restart:"yes" usage:"the private key (PEM) of --cert"`
	// TURN runs the built-in relay on TURNPort (UDP and TCP), for networks
	// that keep devices from reaching each other; TURNPort 0 picks a free
	// port at every start.
	TURN     bool `json:"turn" flag:"turn" usage:"run the built-in TURN relay, for networks that keep devices from reaching each other"`
	TURNPort int  `json:"turnPort" flag:"turn-port" usage:"UDP and TCP port of the TURN relay (0 picks a free one)"`
	// Cluster shares rooms with other Signalbox servers (docs/cluster.md):
	// "" is standalone, ClusterEmbedded runs nats-server inside this one,
	// and a nats:// URL joins that NATS deployment.
	Cluster string `json:"cluster" flag:"cluster" restart:"yes" usage:"share rooms with other Signalbox servers: \"embedded\" runs NATS inside this one; nats://host:4222 joins an existing NATS (default: standalone)"`
	// ClusterID names the shared room namespace ("signalbox" when empty).
	ClusterID string `json:"clusterId" flag:"cluster-id" restart:"yes" usage:"name of the shared room namespace; servers with the same id share rooms (default \"signalbox\")"`
	// ClusterListen is the embedded server's route address (host:port, or
	// host for the default cluster port); "" takes no routes in.
	ClusterListen string `json:"clusterListen" flag:"cluster-listen" restart:"yes" usage:"with --cluster embedded: address the other servers connect to, host:port (port 7422 if omitted), e.g. 0.0.0.0"`
	// ClusterRoutes are the other Signalbox servers' route addresses.
	ClusterRoutes []string `json:"clusterRoutes" flag:"cluster-route" restart:"yes" usage:"with --cluster embedded: another server's --cluster-listen address, host[:port] (repeatable)"`
	// ClusterReplicas is how many copies of the rooms JetStream keeps (1
	// when 0).
	ClusterReplicas int `json:"clusterReplicas" flag:"cluster-replicas" restart:"yes" usage:"copies of the room records NATS keeps (3 in a cluster of three or more NATS servers)"`
	// ListRooms lets the lobby list open rooms.
	ListRooms bool `json:"-" flag:"list-rooms" restart:"yes" usage:"let the lobby list open rooms"`
	// APIFromLAN lets other devices read /api/rooms and /metrics.
	APIFromLAN bool `json:"-" flag:"api-from-lan" restart:"yes" usage:"let other devices read /api/rooms and /metrics"`
	// AllowOrigins are extra origins allowed to open WebSockets.
	AllowOrigins []string `json:"-" flag:"allow-origin" restart:"yes" usage:"extra origin allowed to open WebSockets (repeatable)"`
	// AllowHosts are extra host names the server answers to, besides its
	// addresses, localhost and its .local names (the Host allowlist).
	AllowHosts []string `json:"-" flag:"allow-host" restart:"yes" usage:"extra host name the server answers to, besides its addresses, localhost and its .local names (repeatable)"`
	// PeersPerAddr bounds the clients one source address runs at once
	// (peers, socket.io sessions; twice as many HTTP connections and relay
	// allocations); RoomsPerAddr the rooms it has open. Zero takes the
	// defaults (docs/security.md).
	PeersPerAddr int `json:"-" flag:"peers-per-address" restart:"yes" usage:"clients one network address may run at once (tabs, scripts; a lab behind NAT is one address); HTTP connections and relay allocations get twice as many"`
	RoomsPerAddr int `json:"-" flag:"rooms-per-address" restart:"yes" usage:"open rooms one network address may create"`
	// SocketIOPingInterval, SocketIOPingTimeout and SocketIOMaxPayload are
	// socket.io's pingInterval, pingTimeout and maxHttpBufferSize; zero
	// takes the defaults (docs/socketio.md). ValidateFlags checks them.
	SocketIOPingInterval time.Duration `json:"-" flag:"socketio-ping-interval" restart:"yes" usage:"socket.io pingInterval: how often the server pings socket.io clients (0: the default, 20s)"`
	SocketIOPingTimeout  time.Duration `json:"-" flag:"socketio-ping-timeout" restart:"yes" usage:"socket.io pingTimeout: how long a socket.io client has to answer a ping (0: the default, 10s)"`
	SocketIOMaxPayload   int64         `json:"-" flag:"socketio-max-http-buffer-size" restart:"yes" usage:"socket.io maxHttpBufferSize: the largest POST, WebSocket message or set of binary attachments a socket.io client may send, in bytes (0: the default, 65536)"`
	// SocketIONoLogs stops the tutorial's "log" events to socket.io
	// clients (the narration of requests, the echo of every message).
	SocketIONoLogs bool `json:"-" flag:"socketio-logs,negate" restart:"yes" usage:"send socket.io clients the tutorial's \"log\" events (its narration of requests, and each \"message\" echoed to its sender)"`
}

// Default returns the settings of a new installation, with a fresh
// ServerID and serverName as the name.
func Default(serverName string) Settings {
	return Settings{
		Addr: PortAddr(DefaultPort), RoomCapacity: signaling.DefaultRoomCapacity,
		ServerName: serverName, Interfaces: []string{}, MDNS: true, ServerID: NewServerID(),
		HTTPS: true, TURN: true, TURNPort: DefaultTURNPort, ListRooms: true,
		ClusterRoutes: []string{}, ClusterReplicas: 1,
		PeersPerAddr: signaling.DefaultMaxPeersPerAddr, RoomsPerAddr: signaling.DefaultMaxRoomsPerAddr,
	}
}

// NewServerID returns a random server id: 16 hex digits.
func NewServerID() string {
	b := make([]byte, serverIDBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// Validate checks every stored value; the error wraps ErrInvalid and names
// the field (as the JSON key) in English.
func (s Settings) Validate() error {
	switch port := s.Addr.Port(); {
	case port < 1 || port > 65535:
		return fmt.Errorf("%w: port %d: must be between 1 and 65535", ErrInvalid, port)
	case s.TURNPort < 0 || s.TURNPort > 65535:
		return fmt.Errorf("%w: turnPort %d: must be between 0 and 65535", ErrInvalid, s.TURNPort)
	case s.RoomCapacity < 1 || s.RoomCapacity > signaling.MaxRoomCapacity:
		return fmt.Errorf("%w: roomCapacity %d: must be between 1 and %d", ErrInvalid, s.RoomCapacity, signaling.MaxRoomCapacity)
	case strings.TrimSpace(s.ServerName) == "":
		return fmt.Errorf("%w: serverName: must not be empty", ErrInvalid)
	case len(s.ServerName) > MaxServerNameBytes || !utf8.ValidString(s.ServerName) || hasControl(s.ServerName):
		return fmt.Errorf("%w: serverName: at most %d bytes of printable text", ErrInvalid, MaxServerNameBytes)
	case !slices.Contains(languages, s.Language):
		return fmt.Errorf("%w: language %q: must be one of %q", ErrInvalid, s.Language, languages)
	case s.Cluster != "" && s.Cluster != ClusterEmbedded && !strings.HasPrefix(s.Cluster, "nats://") && !strings.HasPrefix(s.Cluster, "tls://"):
		return fmt.Errorf("%w: cluster %q: must be empty, %q or a nats:// URL", ErrInvalid, s.Cluster, ClusterEmbedded)
	case s.ClusterID != "" && !clusterIDOK(s.ClusterID):
		return fmt.Errorf("%w: clusterId %q: letters, digits, '-' and '_', at most 64", ErrInvalid, s.ClusterID)
	case s.ClusterReplicas < 0 || s.ClusterReplicas > 5:
		return fmt.Errorf("%w: clusterReplicas %d: must be between 0 and 5", ErrInvalid, s.ClusterReplicas)
	}
	for _, r := range s.ClusterRoutes {
		if r == "" || len(r) > 255 || hasControl(r) || strings.ContainsAny(r, " ,") {
			return fmt.Errorf("%w: clusterRoutes: bad address %q", ErrInvalid, r)
		}
	}
	for _, name := range s.Interfaces {
		if name == "" || len(name) > 64 || hasControl(name) {
			return fmt.Errorf("%w: interfaces: bad name %q", ErrInvalid, name)
		}
	}
	return nil
}

// ValidateFlags checks the settings only the command line sets whose
// range the transports bound (socket.io's timings and payload).
func (s Settings) ValidateFlags() error {
	return socketio.Config{PingInterval: s.SocketIOPingInterval, PingTimeout: s.SocketIOPingTimeout, MaxPayload: s.SocketIOMaxPayload}.Validate()
}

func clusterIDOK(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// Addr is a listen address, host:port. In JSON it is its port alone (a
// number): the stored settings and the window know only the port, and a
// port read from JSON listens on every interface.
type Addr string

// PortAddr returns the address of port on every interface, ":port".
func PortAddr(port int) Addr {
	return Addr(net.JoinHostPort("", strconv.Itoa(port)))
}

// Port returns the address's port, or -1 when it has none.
func (a Addr) Port() int {
	_, p, err := net.SplitHostPort(string(a))
	if err != nil {
		return -1
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		return -1
	}
	return n
}

// MarshalJSON writes the port.
func (a Addr) MarshalJSON() ([]byte, error) { return json.Marshal(a.Port()) }

// UnmarshalJSON reads a port into ":port".
func (a *Addr) UnmarshalJSON(b []byte) error {
	var port int
	if err := json.Unmarshal(b, &port); err != nil {
		return err
	}
	*a = PortAddr(port)
	return nil
}
