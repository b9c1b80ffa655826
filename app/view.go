package app

import (
	"net"
	"time"

	"signalbox/app/service"
	"signalbox/signaling"
)

// maxViewRooms bounds the rooms sent to the window in one view: a busy
// server's full table would cost the webview more than anyone can read.
// The view says how many were left out.
const maxViewRooms = 500

// maxDeviceCache bounds the parsed user agents kept between views.
const maxDeviceCache = 1024

// PeerView is one peer as the window shows it.
type PeerView struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Room    string `json:"room,omitempty"`
	Address string `json:"address"`
	// Transport is the hub's transport name ("websocket", "socket.io/…").
	Transport   string    `json:"transport"`
	Device      Device    `json:"device"`
	UserAgent   string    `json:"userAgent"`
	ConnectedAt time.Time `json:"connectedAt"`
	JoinedAt    time.Time `json:"joinedAt,omitzero"`
	// Away is true while the connection is lost and the seat kept.
	Away bool `json:"away"`
	// Pending counts the messages waiting to be written to the peer: a
	// growing number means a slow link, the only connection quality the
	// server can see.
	Pending int `json:"pending"`
	// ChatOnly: the peer joined its room to chat and makes no call.
	ChatOnly bool `json:"chatOnly,omitempty"`
	// Route is how the peer's calls travel: RouteRelayed when the built-in
	// TURN relay carries its media now (its own allocation, or in a call of
	// two its partner's), RouteDirect when it is in a room with someone to
	// call and the relay carries nothing of it (the server cannot see
	// direct media, so a call still connecting shows direct too); empty
	// otherwise.
	Route string `json:"route,omitempty"`
}

// Routes in PeerView.Route.
const (
	RouteDirect  = "direct"
	RouteRelayed = "relayed"
)

// RoomView is one room as the window shows it.
type RoomView struct {
	Name string `json:"name"`
	// Class is the class address that seated the room ("" for a room
	// joined by its own name); the window shows a class's rooms together.
	Class     string     `json:"class,omitempty"`
	Capacity  int        `json:"capacity"`
	Locked    bool       `json:"locked"`
	CreatedAt time.Time  `json:"createdAt"`
	Peers     []PeerView `json:"peers"`
}

// StatsView is the counters the window shows.
type StatsView struct {
	Peers int `json:"peers"`
	Rooms int `json:"rooms"`
	// MessagesPerSec is the rate of relayed messages over the last stats
	// interval.
	MessagesPerSec float64 `json:"messagesPerSec"`
	Relayed        uint64  `json:"relayed"`
	Connects       uint64  `json:"connects"`
	Errors         uint64  `json:"errors"`
	SlowDropped    uint64  `json:"slowDropped"`
}

// ClassView is a class address and how it seats students, as the window
// shows it. (Its own type: the Wails binding generator cannot name a
// TypeScript model "Class", a reserved word.)
type ClassView struct {
	// Name is the room name on the board.
	Name string `json:"name"`
	// Mode is "pairs" or "group".
	Mode string `json:"mode"`
	// Size is the seats per room.
	Size int `json:"size"`
}

// View is the rooms and peers at one moment.
type View struct {
	Rooms []RoomView `json:"rooms"`
	// Classes are the class addresses with open rooms and how each seats
	// students (pairs, or groups of a size), which the window can change.
	Classes []ClassView `json:"classes"`
	// Lobby holds the connected peers in no room.
	Lobby []PeerView `json:"lobby"`
	// Omitted counts the rooms left out (see maxViewRooms).
	Omitted int       `json:"omitted"`
	Stats   StatsView `json:"stats"`
}

// JoinView is a join URL for the window; the first is the primary one,
// shown as the QR code.
type JoinView struct {
	URL       string `json:"url"`
	Interface string `json:"interface,omitempty"`
	Primary   bool   `json:"primary"`
}

// Server states in Status.State.
const (
	StateRunning = "running"
	StateStopped = "stopped"
	StateError   = "error"
)

// Status is the server's state for the window's header.
type Status struct {
	// State is StateRunning, StateStopped or StateError.
	State string `json:"state"`
	// ErrorCode is a stable identifier when State is StateError:
	// "port-busy" or "failed"; Error is the English detail.
	ErrorCode string `json:"errorCode,omitempty"`
	Error     string `json:"error,omitempty"`
	// Port is the port served on, or the one configured when not running.
	Port         int                `json:"port"`
	ServerName   string             `json:"serverName"`
	RoomCapacity int                `json:"roomCapacity"`
	Version      string             `json:"version"`
	Joins        []JoinView         `json:"joins"`
	LocalURL     string             `json:"localUrl"`
	MDNS         service.MDNSStatus `json:"mdns"`
	// TLS is HTTPS: the /trust page and the CA fingerprint other devices
	// need. Relay is the built-in TURN relay.
	TLS   service.TLSStatus   `json:"tls"`
	Relay service.RelayStatus `json:"relay"`
	// Cluster is the link to the other servers sharing rooms (mode ""
	// when standalone): the window says when it cannot be reached.
	Cluster service.ClusterStatus `json:"cluster"`
}

// viewer turns hub snapshots into Views, caching parsed user agents.
type viewer struct {
	devices map[string]Device
	// relayed holds the peers the relay carries now (see PeerView.Route).
	relayed map[string]bool
}

// view converts snap, and returns the peer names it holds, by id.
func (v *viewer) view(snap signaling.Snapshot) (View, map[string]string) {
	names := make(map[string]string, snap.Stats.Peers)
	peer := func(p signaling.PeerSnapshot) PeerView {
		names[p.ID] = p.Name
		return PeerView{
			ID: p.ID, Name: p.Name, Room: p.Room, Address: hostOf(p.RemoteAddr),
			Transport: p.Transport, Device: v.device(p.UserAgent), UserAgent: p.UserAgent,
			ConnectedAt: p.ConnectedAt, JoinedAt: p.JoinedAt, Away: p.Away, Pending: p.Pending,
			ChatOnly: p.ChatOnly,
		}
	}
	route := func(r signaling.RoomSnapshot, p signaling.PeerSnapshot) string {
		if p.ChatOnly {
			return ""
		}
		var others []signaling.PeerSnapshot
		for _, o := range r.Peers {
			if o.ID != p.ID && !o.ChatOnly {
				others = append(others, o)
			}
		}
		// A call between a relay candidate and a host candidate goes through
		// one side's allocation only; in a call of two, that makes both
		// sides' media relayed. (In a mesh the other ends of an allocation
		// are not known here: each peer shows its own.)
		if v.relayed[p.ID] || (len(others) == 1 && v.relayed[others[0].ID]) {
			return RouteRelayed
		}
		if len(others) > 0 {
			return RouteDirect
		}
		return ""
	}
	out := View{Rooms: []RoomView{}, Classes: make([]ClassView, 0, len(snap.Classes)), Lobby: []PeerView{}, Stats: statsView(snap.Stats)}
	for _, c := range snap.Classes {
		out.Classes = append(out.Classes, ClassView{Name: c.Name, Mode: string(c.Mode), Size: c.Size})
	}
	for i, r := range snap.Rooms {
		if i == maxViewRooms {
			out.Omitted = len(snap.Rooms) - i
			break
		}
		rv := RoomView{Name: r.Name, Class: r.Class, Capacity: r.Capacity, Locked: r.Locked, CreatedAt: r.CreatedAt, Peers: make([]PeerView, 0, len(r.Peers))}
		for _, p := range r.Peers {
			pv := peer(p)
			pv.Route = route(r, p)
			rv.Peers = append(rv.Peers, pv)
		}
		out.Rooms = append(out.Rooms, rv)
	}
	for _, p := range snap.Lobby {
		out.Lobby = append(out.Lobby, peer(p))
	}
	return out, names
}

func (v *viewer) device(ua string) Device {
	if d, ok := v.devices[ua]; ok {
		return d
	}
	if v.devices == nil || len(v.devices) >= maxDeviceCache {
		v.devices = make(map[string]Device)
	}
	d := ParseDevice(ua)
	v.devices[ua] = d
	return d
}

func statsView(s signaling.StatsSnapshot) StatsView {
	out := StatsView{Peers: s.Peers, Rooms: s.Rooms, Relayed: s.Relayed, Connects: s.Connects, SlowDropped: s.SlowDropped}
	for _, n := range s.Errors {
		out.Errors += n
	}
	return out
}

// hostOf returns the host of a host:port address, or addr itself.
func hostOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
