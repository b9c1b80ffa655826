package natsbus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"signalbox/signaling"
)

// Defaults for Config.
const (
	// DefaultClusterID names the room namespace when none is given.
	DefaultClusterID = "signalbox"
	// DefaultHeartbeat is how often a server says it is alive.
	DefaultHeartbeat = time.Second
	// DefaultOpTimeout bounds one key-value operation; a join that cannot
	// be decided in this time is refused with cluster-unavailable.
	DefaultOpTimeout = 2 * time.Second
	// maxCAS bounds the compare-and-set retries of one change: each retry
	// means another server changed the same room in between.
	maxCAS = 64
	// openTimeout bounds one attempt to open the room bucket: a NATS
	// cluster still electing its JetStream leader drops requests, and the
	// next attempt should not wait long behind one.
	openTimeout = 2 * time.Second
	// maxInflight bounds the room changes one server has in flight: a
	// burst of joins (a class arriving) queues here rather than in NATS,
	// and OpTimeout counts from when a change is sent, not queued.
	maxInflight = 32
	// keepDepartures is how many departures a room state remembers.
	keepDepartures = 8
)

// Config holds a Bus's settings.
type Config struct {
	// URL is the NATS server(s) to connect to, comma-separated.
	URL string
	// Embedded, when set, is the nats-server this Signalbox runs itself:
	// the bus connects to it in memory, not over loopback TCP (URL is then
	// only what Status and the log name).
	Embedded *Embedded
	// ClusterID names the room namespace: servers with the same id share
	// rooms. Letters, digits, '-' and '_' only.
	ClusterID string
	// ServerID names this server in the cluster. A random suffix is added
	// at every start, so a restarted server never mistakes the seats of its
	// previous run (which expire) for its own.
	ServerID string
	// Replicas is the number of copies of the room bucket JetStream keeps
	// (1 by default; 3 in a NATS cluster of three or more).
	Replicas int
	// Heartbeat is how often this server says it is alive.
	Heartbeat time.Duration
	// DeadAfter is how long a server may be silent before its peers'
	// seats are ended with timed-out: the hub's resume grace period.
	DeadAfter time.Duration
	// OpTimeout bounds one key-value operation.
	OpTimeout time.Duration
}

// Hub is what the bus tells about the cluster: *signaling.Hub.
type Hub interface {
	ApplyRoom(signaling.RoomState)
	Deliver(signaling.Delivery)
}

// Bus is a signaling.Cluster on NATS: room states in a JetStream key-value
// bucket changed by compare-and-set, relays and state changes sent to each
// server's own subject, liveness by heartbeats.
type Bus struct {
	cfg    Config
	log    *slog.Logger
	hub    Hub
	nc     *nats.Conn
	prefix string // "sb.<cluster id>."
	subs   []*nats.Subscription
	cancel context.CancelFunc
	done   sync.WaitGroup
	slots  chan struct{} // maxInflight tokens
	bufs   sync.Pool     // *[]byte for encoding relays: Publish copies what it is given

	mu       sync.Mutex
	mirror   map[string]signaling.RoomState // every room, from the bucket's watcher
	lastSeen map[string]time.Time           // server id -> last heartbeat (or first sighting)
	queue    []unseat                       // changes to make, in order
	wake     chan struct{}
	status   Status
	kv       jetstream.KeyValue // nil until the bucket is open
}

// unseat is a queued change of one seat: its end for reason, or, with
// retoken, the new hash of its token, or, with rename, its new name.
type unseat struct {
	room    string
	m       signaling.Member
	reason  signaling.Reason
	retoken bool
	rename  bool
}

// Status is the bus's health, for /healthz and the window.
type Status struct {
	// Connected says the NATS connection is up.
	Connected bool `json:"connected"`
	// Ready says rooms can be shared now: connected, with the room bucket
	// open. When false, joins and relays to other servers are refused with
	// cluster-unavailable; rooms wholly on this server keep working.
	Ready bool `json:"ready"`
	// Error is the last failure, "" when none since the last success.
	Error string `json:"error,omitempty"`
	// Servers is how many servers of the cluster were heard recently, this one included.
	Servers int `json:"servers"`
	// Pending is how many seat changes wait for the cluster.
	Pending int `json:"pending"`
	// ClusterID and ServerID name the cluster and this server.
	ClusterID string `json:"clusterId"`
	ServerID  string `json:"serverId"`
}

// New connects to NATS, opens (or creates) the room bucket and starts
// serving the cluster for hub. Attach it with hub.AttachCluster before
// peers connect; Close it after hub.Shutdown. When NATS cannot be reached
// New still succeeds: the bus keeps trying, Status says so, and whatever
// needs the cluster is refused with cluster-unavailable meanwhile.
func New(cfg Config, hub Hub, log *slog.Logger) (*Bus, error) {
	if cfg.ClusterID == "" {
		cfg.ClusterID = DefaultClusterID
	}
	if !validID(cfg.ClusterID) {
		return nil, fmt.Errorf("cluster id %q: use letters, digits, '-' and '_'", cfg.ClusterID)
	}
	var r [4]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails
	run := hex.EncodeToString(r[:])
	if cfg.ServerID == "" {
		cfg.ServerID = run
	} else {
		cfg.ServerID += "-" + run
	}
	if !validID(cfg.ServerID) {
		return nil, fmt.Errorf("server id %q: use letters, digits, '-' and '_'", cfg.ServerID)
	}
	cfg.Replicas = max(cfg.Replicas, 1)
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	if cfg.DeadAfter <= 0 {
		cfg.DeadAfter = signaling.DefaultResumeGrace
	}
	if cfg.OpTimeout <= 0 {
		cfg.OpTimeout = DefaultOpTimeout
	}
	b := &Bus{
		cfg: cfg, log: log.With("cluster", cfg.ClusterID, "server", cfg.ServerID), hub: hub,
		prefix: "sb." + cfg.ClusterID + ".",
		mirror: map[string]signaling.RoomState{}, lastSeen: map[string]time.Time{},
		wake:   make(chan struct{}, 1),
		slots:  make(chan struct{}, maxInflight),
		status: Status{ClusterID: cfg.ClusterID, ServerID: cfg.ServerID, Error: "connecting"},
	}
	opts := []nats.Option{
		nats.Name("signalbox " + cfg.ServerID),
		nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(true),
		nats.ReconnectWait(250 * time.Millisecond),
		// No reconnect buffer: a publish while disconnected fails at once
		// and the peer is told, rather than being held and sent later.
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(b.disconnected),
		nats.ReconnectHandler(b.reconnected),
		nats.ConnectHandler(b.reconnected),
	}
	if cfg.Embedded != nil {
		opts = append(opts, nats.InProcessServer(cfg.Embedded.srv))
	}
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", cfg.URL, err)
	}
	b.nc = nc
	if err := b.subscribe(); err != nil {
		nc.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	b.done.Add(3)
	go b.open(ctx)
	go b.work(ctx)
	go b.beat(ctx)
	return b, nil
}

// open opens the room bucket, retrying until it can, then watches it.
func (b *Bus) open(ctx context.Context) {
	defer b.done.Done()
	js, err := jetstream.New(b.nc)
	if err != nil {
		b.failed("jetstream", err)
		return
	}
	for {
		octx, cancel := context.WithTimeout(ctx, openTimeout)
		kv, err := js.CreateOrUpdateKeyValue(octx, jetstream.KeyValueConfig{
			Bucket: "signalbox-rooms-" + b.cfg.ClusterID, History: 1, Replicas: b.cfg.Replicas,
			Description: "Signalbox rooms: one key per room, its seats",
		})
		var w jetstream.KeyWatcher
		if err == nil {
			w, err = kv.WatchAll(ctx)
		}
		cancel()
		if err == nil {
			b.mu.Lock()
			b.kv = kv
			b.status.Error = ""
			b.mu.Unlock()
			b.log.Info("cluster room bucket open")
			b.kick()
			b.watch(ctx, w)
			return
		}
		b.failed("open the room bucket (is JetStream enabled on the NATS server?)", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// subscribe listens on this server's subject and the heartbeats.
func (b *Bus) subscribe() error {
	for subj, h := range map[string]nats.MsgHandler{
		b.prefix + "srv." + b.cfg.ServerID: b.inbound,
		b.prefix + "hb":                    b.heartbeat,
		b.prefix + "find":                  b.find,
	} {
		sub, err := b.nc.Subscribe(subj, h)
		if err != nil {
			return err
		}
		if err := sub.SetPendingLimits(-1, 256<<20); err != nil {
			return err
		}
		b.subs = append(b.subs, sub)
	}
	return nil
}

// Close stops the bus after making the seat changes still queued (as far
// as ctx allows) and closes the NATS connection.
func (b *Bus) Close(ctx context.Context) error {
	for {
		b.mu.Lock()
		n := len(b.queue)
		b.mu.Unlock()
		if n == 0 || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Millisecond):
		}
	}
	b.cancel()
	b.done.Wait()
	b.nc.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	if n := len(b.queue); n > 0 {
		return fmt.Errorf("%d seat changes not made: %w", n, ctx.Err())
	}
	return nil
}

// Self is this server's id.
func (b *Bus) Self() string { return b.cfg.ServerID }

// Status reports the bus's health.
func (b *Bus) Status() Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.status
	s.Connected = b.nc.IsConnected()
	s.Ready = s.Connected && b.kv != nil
	s.Pending = len(b.queue)
	s.Servers = 1
	for id, t := range b.lastSeen {
		if id != b.cfg.ServerID && time.Since(t) < 3*b.cfg.Heartbeat {
			s.Servers++
		}
	}
	return s
}

func (b *Bus) disconnected(_ *nats.Conn, err error) {
	b.log.Warn("NATS connection lost: rooms shared with other servers are unavailable", "err", err)
	b.mu.Lock()
	b.status.Connected = false
	if err != nil {
		b.status.Error = err.Error()
	} else {
		b.status.Error = "disconnected"
	}
	b.mu.Unlock()
}

func (b *Bus) reconnected(_ *nats.Conn) {
	b.log.Info("NATS connection back")
	b.mu.Lock()
	b.status.Connected = true
	if b.kv != nil {
		b.status.Error = ""
	}
	// Whoever was silent while we were away gets a new grace period:
	// their silence was ours.
	now := time.Now()
	for id := range b.lastSeen {
		b.lastSeen[id] = now
	}
	b.mu.Unlock()
	b.kick()
}

// failed records a failed operation for Status and the log.
func (b *Bus) failed(what string, err error) error {
	b.mu.Lock()
	b.status.Error = what + ": " + err.Error()
	b.mu.Unlock()
	b.log.Warn("cluster operation failed", "op", what, "err", err)
	return fmt.Errorf("%s: %w: %w", what, signaling.ErrClusterUnavailable, err)
}

func (b *Bus) succeeded() {
	b.mu.Lock()
	b.status.Connected = b.nc.IsConnected()
	if b.status.Connected {
		b.status.Error = ""
	}
	b.mu.Unlock()
}

func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
