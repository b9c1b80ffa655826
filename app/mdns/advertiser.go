package mdns

import (
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/grandcat/zeroconf"
)

// zeroconfStartup is the least time a zeroconf registration lives before
// Shutdown. zeroconf v1.0.0 adds its receive goroutines to the WaitGroup
// that Shutdown waits on from inside those goroutines, so a Shutdown that
// comes before they run races with them (go test -race reports it) and
// returns while they still run. Goroutines start within microseconds; this
// leaves a wide margin for a loaded machine and only delays a Shutdown or
// Update that follows Start at once.
const zeroconfStartup = 200 * time.Millisecond

// Advertiser publishes one Signalbox server on the local network: the
// _signalbox._tcp service with its TXT record, and the host name that
// resolves to the server's addresses. Its methods are safe for concurrent
// use; a failure is returned as an error, never a panic or an exit.
type Advertiser struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex // guards the fields below and serialises the methods
	started bool       // between Start and Shutdown, even if Update failed
	addrs   []net.IP   // the addresses currently advertised
	zc      *zeroconf.Server
	zcSince time.Time // when zc was registered
	host    *hostResponder
}

// New returns an Advertiser for cfg that does nothing until Start. A nil log
// discards the logs.
func New(cfg Config, log *slog.Logger) *Advertiser {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.Addrs = slices.Clone(cfg.Addrs)
	cfg.Ifaces = slices.Clone(cfg.Ifaces)
	return &Advertiser{cfg: cfg, log: log}
}

// Start checks the Config and begins advertising: zeroconf announces the
// service and answers browsers, and the host name starts to resolve. Call it
// after the server listens, with the real port in Config.Port. It returns an
// error wrapping ErrConfig, ErrAdvertise or ErrStarted. After Shutdown, Start
// may be called again.
func (a *Advertiser) Start() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.started {
		return ErrStarted
	}
	if err := a.register(a.cfg.Addrs); err != nil {
		return err
	}
	a.started = true
	return nil
}

// Update re-announces the host name with new addresses, for when the
// machine's addresses change. zeroconf cannot change a registration, so
// Update withdraws it (browsers see goodbyes) and registers again with the
// new addresses; nothing happens when the set of addresses is unchanged. If
// registering fails the Advertiser stays started but silent, and a later
// Update tries again.
func (a *Advertiser) Update(addrs []net.IP) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.started {
		return ErrNotStarted
	}
	if _, err := a.cfg.check(addrs); err != nil {
		return err
	}
	if a.zc != nil && sameAddrs(a.addrs, addrs) {
		return nil
	}
	a.stop()
	return a.register(slices.Clone(addrs))
}

// Shutdown stops advertising. zeroconf sends goodbyes (every record with a
// TTL of 0) so browsers drop the server at once. It is safe to call more
// than once, and on an Advertiser never started.
func (a *Advertiser) Shutdown() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.started {
		return
	}
	a.stop()
	a.started = false
	a.log.Info("mdns: stopped advertising", "instance", a.cfg.Instance)
}

// register starts zeroconf and the host-name responder for addrs. The
// caller holds a.mu and has stopped any earlier registration.
func (a *Advertiser) register(addrs []net.IP) error {
	r, err := a.cfg.check(addrs)
	if err != nil {
		return err
	}
	host, err := startHostResponder(r.host, addrs, a.cfg.Ifaces, a.log)
	if err != nil {
		return fmt.Errorf("%w: host name %s: %w", ErrAdvertise, r.host, err)
	}
	// RegisterProxy, not Register: Register looks the addresses up on the
	// interfaces itself and skips loopback ones.
	zc, err := zeroconf.RegisterProxy(r.instance, ServiceType, domain, a.cfg.Port, r.host, r.ips, r.txt, a.cfg.Ifaces)
	if err != nil {
		host.close()
		return fmt.Errorf("%w: service %q: %w", ErrAdvertise, a.cfg.Instance, err)
	}
	a.zc, a.zcSince, a.host, a.addrs = zc, time.Now(), host, addrs
	a.log.Info("mdns: advertising", "instance", a.cfg.Instance, "service", ServiceType,
		"host", r.host, "port", a.cfg.Port, "addrs", r.ips, "ifaces", ifaceNames(a.cfg.Ifaces))
	return nil
}

// stop withdraws the current registration, if any. The responder goes first
// so it cannot answer after zeroconf's goodbyes.
func (a *Advertiser) stop() {
	if a.host != nil {
		a.host.close()
		a.host = nil
	}
	if a.zc != nil {
		if wait := zeroconfStartup - time.Since(a.zcSince); wait > 0 {
			time.Sleep(wait) // see zeroconfStartup
		}
		a.zc.Shutdown() // sends the goodbyes
		a.zc = nil
	}
	a.addrs = nil
}

// sameAddrs reports whether a and b hold the same addresses, in any order.
func sameAddrs(a, b []net.IP) bool {
	key := func(ips []net.IP) []string {
		s := make([]string, 0, len(ips))
		for _, ip := range ips {
			s = append(s, ip.String())
		}
		slices.Sort(s)
		return slices.Compact(s)
	}
	return slices.Equal(key(a), key(b))
}

func ifaceNames(ifaces []net.Interface) []string {
	names := make([]string, 0, len(ifaces))
	for _, ifi := range ifaces {
		names = append(names, ifi.Name)
	}
	return names
}
