package settings

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"signalbox/app/service"
	"signalbox/signaling"
)

// FileName is the settings file's name inside the folder.
const FileName = "settings.json"

// Limits of the values a user may set.
const (
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

// Settings are what the user sets in the window, as stored.
type Settings struct {
	// Port is the TCP port to serve on (1-65535).
	Port int `json:"port"`
	// RoomCapacity is the number of peers a room holds.
	RoomCapacity int `json:"roomCapacity"`
	// ServerName is shown to clients and advertised on the LAN.
	ServerName string `json:"serverName"`
	// Interfaces are the network interfaces to serve and advertise on;
	// empty means all.
	Interfaces []string `json:"interfaces"`
	// MDNS advertises the server on the LAN.
	MDNS bool `json:"mdns"`
	// Language is the window's language: "en", "zh-CN", or "" to follow
	// the system.
	Language string `json:"language"`
	// ServerID is the random id of this installation, published over mDNS.
	ServerID string `json:"serverId"`
	// HTTPS serves other devices over HTTPS with the local CA, so their
	// browsers allow the camera.
	HTTPS bool `json:"https"`
	// TURN runs the built-in relay on TURNPort (UDP and TCP), for
	// networks that keep devices from reaching each other; TURNPort 0
	// picks a free port at every start.
	TURN     bool `json:"turn"`
	TURNPort int  `json:"turnPort"`
	// Cluster shares rooms with other Signalbox servers: "" standalone,
	// "embedded" (NATS inside Signalbox) or a nats:// URL; the other
	// cluster fields are service.Settings'.
	Cluster         string   `json:"cluster"`
	ClusterID       string   `json:"clusterId"`
	ClusterListen   string   `json:"clusterListen"`
	ClusterRoutes   []string `json:"clusterRoutes"`
	ClusterReplicas int      `json:"clusterReplicas"`
}

// Default returns the settings of a new installation, with a fresh
// ServerID and serverName as the name.
func Default(serverName string) Settings {
	return Settings{
		Port: service.DefaultPort, RoomCapacity: signaling.DefaultRoomCapacity,
		ServerName: serverName, Interfaces: []string{}, MDNS: true, ServerID: NewServerID(),
		HTTPS: true, TURN: true, TURNPort: service.DefaultTURNPort,
	}
}

// NewServerID returns a random server id: 16 hex digits.
func NewServerID() string {
	b := make([]byte, serverIDBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// Validate checks every value; the error wraps ErrInvalid and names the
// field (as the JSON key) in English.
func (s Settings) Validate() error {
	switch {
	case s.Port < 1 || s.Port > 65535:
		return fmt.Errorf("%w: port %d: must be between 1 and 65535", ErrInvalid, s.Port)
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
	case s.Cluster != "" && s.Cluster != service.ClusterEmbedded && !strings.HasPrefix(s.Cluster, "nats://") && !strings.HasPrefix(s.Cluster, "tls://"):
		return fmt.Errorf("%w: cluster %q: must be empty, %q or a nats:// URL", ErrInvalid, s.Cluster, service.ClusterEmbedded)
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

// Load reads dir/settings.json over def: keys missing from the file keep
// def's values, and a file with no server id gets def's. A missing file
// gives def and nil. A file that is not JSON, or holds invalid values,
// gives def and an error (wrapping ErrCorrupt or ErrInvalid), so a broken
// file never stops the app.
func Load(dir string, def Settings) (Settings, error) {
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return def, nil
	}
	if err != nil {
		return def, fmt.Errorf("read settings: %w", err)
	}
	s := def
	s.Interfaces = slices.Clone(def.Interfaces)
	if err := json.Unmarshal(b, &s); err != nil {
		return def, fmt.Errorf("%w: %s: %w", ErrCorrupt, filepath.Join(dir, FileName), err)
	}
	if s.ServerID == "" {
		s.ServerID = def.ServerID
	}
	if s.Interfaces == nil {
		s.Interfaces = []string{}
	}
	if err := s.Validate(); err != nil {
		return def, fmt.Errorf("%s: %w", filepath.Join(dir, FileName), err)
	}
	return s, nil
}

// Exists reports whether dir holds a settings file.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, FileName))
	return err == nil
}

// Save validates s and writes it to dir/settings.json atomically (a
// temporary file renamed over the old one), creating dir if needed. The
// file is readable by its owner only.
func Save(dir string, s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if s.Interfaces == nil {
		s.Interfaces = []string{}
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode settings: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	f, err := os.CreateTemp(dir, FileName+".*.tmp")
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(f.Name()) // best effort: the write already failed
		return fmt.Errorf("save settings: %w", err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, FileName)); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// ApplyTo returns base (the settings that are not stored: origins, API
// access, …) with the stored values in: the listen address on every
// interface at Port, room capacity, name, interfaces, mDNS and server id.
func (s Settings) ApplyTo(base service.Settings) service.Settings {
	base.Addr = net.JoinHostPort("", strconv.Itoa(s.Port))
	base.RoomCapacity = s.RoomCapacity
	base.ServerName = s.ServerName
	base.Interfaces = slices.Clone(s.Interfaces)
	base.MDNS = s.MDNS
	base.ServerID = s.ServerID
	base.HTTPS, base.TURN, base.TURNPort = s.HTTPS, s.TURN, s.TURNPort
	base.Cluster, base.ClusterID, base.ClusterListen = s.Cluster, s.ClusterID, s.ClusterListen
	base.ClusterRoutes, base.ClusterReplicas = slices.Clone(s.ClusterRoutes), s.ClusterReplicas
	return base
}

// NeedsRestart reports whether changing from a to b restarts the server
// (disconnecting every peer), so the window can say so before saving.
func NeedsRestart(a, b Settings) bool {
	return a.Port != b.Port || a.RoomCapacity != b.RoomCapacity || a.ServerName != b.ServerName ||
		!slices.Equal(a.Interfaces, b.Interfaces) || a.HTTPS != b.HTTPS ||
		a.Cluster != b.Cluster || a.ClusterID != b.ClusterID || a.ClusterListen != b.ClusterListen ||
		!slices.Equal(a.ClusterRoutes, b.ClusterRoutes) || a.ClusterReplicas != b.ClusterReplicas
}
