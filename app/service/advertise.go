package service

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"signalbox/app/mdns"
)

// DefaultAddrPollInterval is how often the advertiser looks for changed
// network addresses (a laptop joining another Wi-Fi network): listing the
// interfaces costs microseconds, and a few seconds' delay is unnoticeable.
const DefaultAddrPollInterval = 5 * time.Second

// maxInstanceBytes is the longest DNS-SD instance name (one DNS label).
const maxInstanceBytes = 63

// TXT values a Signalbox server publishes: the native protocol's version
// and endpoint, over plain HTTP.
const (
	txtVersion = "1"
	txtPath    = "/ws"
	txtScheme  = "http"
)

// Errors the mDNS status reports. They are not fatal: the server serves on.
var (
	// ErrLoopbackOnly means the server listens only on this machine, so
	// there is nothing to advertise.
	ErrLoopbackOnly = errors.New("listening on this machine only: nothing to advertise")
	// ErrNoLAN means no chosen interface is up with an address; advertising
	// starts when one appears.
	ErrNoLAN = errors.New("no network interface to advertise on")
)

// Advertiser is what the service needs of an mDNS advertiser;
// *mdns.Advertiser is one.
type Advertiser interface {
	Start() error
	Update(addrs []net.IP) error
	Shutdown()
}

// MDNSStatus says whether and how the server is advertised on the LAN.
type MDNSStatus struct {
	// Enabled is the setting.
	Enabled bool `json:"enabled"`
	// Advertising is true while the service is announced.
	Advertising bool     `json:"advertising"`
	Instance    string   `json:"instance,omitempty"`
	Host        string   `json:"host,omitempty"`
	Interfaces  []string `json:"interfaces,omitempty"`
	Addrs       []string `json:"addrs,omitempty"`
	// Error says why it is not advertising, when enabled; English, for the
	// log. Code is a stable identifier for the window: "loopback-only",
	// "no-lan" or "failed".
	Error string `json:"error,omitempty"`
	Code  string `json:"code,omitempty"`
}

// advertiser keeps one mDNS registration in step with the machine's
// interfaces until its context ends. Only its run goroutine touches adv
// and key; status is read by others under mu.
type advertiser struct {
	cfg   mdns.Config // Instance, Host, Port and TXT; interfaces come from lan
	only  []string    // interface names chosen, or all LAN interfaces
	bound []net.IP    // the addresses served on, or nil for every address
	lan   func() ([]mdns.LANInterface, error)
	make  func(mdns.Config, *slog.Logger) Advertiser
	log   *slog.Logger

	adv     Advertiser
	key     string // the interfaces adv advertises on
	lastErr string

	mu     sync.Mutex
	status MDNSStatus
}

// run advertises, re-checks the interfaces every poll, and withdraws the
// registration (goodbyes) when ctx ends.
func (a *advertiser) run(ctx context.Context, poll time.Duration) {
	t := time.NewTicker(poll)
	defer t.Stop()
	defer a.withdraw()
	for {
		a.refresh()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// refresh brings the registration in line with the interfaces now up.
func (a *advertiser) refresh() {
	lan, err := a.lan()
	if err == nil {
		lan = a.filter(lan)
		if len(lan) == 0 {
			err = ErrNoLAN
		}
	}
	if err != nil {
		a.withdraw()
		a.fail(err)
		return
	}
	ifaces, addrs := mdns.SplitLAN(lan)
	names := make([]string, len(ifaces))
	for i, ifi := range ifaces {
		names[i] = ifi.Name
	}
	key := strings.Join(names, ",")
	if a.adv != nil && key != a.key {
		a.withdraw() // zeroconf cannot change interfaces: register anew
	}
	if a.adv == nil {
		cfg := a.cfg
		cfg.Ifaces, cfg.Addrs = ifaces, addrs
		adv := a.make(cfg, a.log)
		if err := adv.Start(); err != nil {
			a.fail(err)
			return
		}
		a.adv, a.key = adv, key
	} else if err := a.adv.Update(addrs); err != nil {
		a.fail(err)
		return
	}
	ips := make([]string, len(addrs))
	for i, ip := range addrs {
		ips[i] = ip.String()
	}
	a.lastErr = ""
	a.set(MDNSStatus{Enabled: true, Advertising: true, Instance: a.cfg.Instance, Host: a.cfg.Host, Interfaces: names, Addrs: ips})
}

// filter keeps the chosen interfaces and, when the server listens on
// specific addresses, only those.
func (a *advertiser) filter(lan []mdns.LANInterface) []mdns.LANInterface {
	var out []mdns.LANInterface
	for _, l := range lan {
		if len(a.only) > 0 && !slices.Contains(a.only, l.Name) {
			continue
		}
		if a.bound != nil {
			l.Addrs = slices.DeleteFunc(slices.Clone(l.Addrs), func(ip net.IP) bool {
				return !slices.ContainsFunc(a.bound, ip.Equal)
			})
		}
		if len(l.Addrs) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// withdraw shuts the registration down, which sends goodbyes.
func (a *advertiser) withdraw() {
	if a.adv == nil {
		return
	}
	a.adv.Shutdown()
	a.adv, a.key = nil, ""
	a.set(MDNSStatus{Enabled: true})
}

// fail records why advertising is off, logging each new reason once.
func (a *advertiser) fail(err error) {
	if msg := err.Error(); msg != a.lastErr {
		a.lastErr = msg
		if errors.Is(err, ErrNoLAN) {
			a.log.Info("mdns: not advertising", "reason", msg)
		} else {
			a.log.Warn("mdns: cannot advertise", "err", err)
		}
	}
	a.set(MDNSStatus{Enabled: true, Instance: a.cfg.Instance, Host: a.cfg.Host, Error: err.Error(), Code: mdnsCode(err)})
}

func (a *advertiser) set(st MDNSStatus) {
	a.mu.Lock()
	a.status = st
	a.mu.Unlock()
}

func (a *advertiser) get() MDNSStatus {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.status
}

// mdnsCode maps an advertising error to MDNSStatus.Code.
func mdnsCode(err error) string {
	switch {
	case errors.Is(err, ErrLoopbackOnly):
		return "loopback-only"
	case errors.Is(err, ErrNoLAN):
		return "no-lan"
	default:
		return "failed"
	}
}

// instanceName cuts name to a DNS-SD instance name's 63 bytes, at a rune
// boundary.
func instanceName(name string) string {
	if len(name) <= maxInstanceBytes {
		return name
	}
	cut := maxInstanceBytes
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut]
}

// loopbackOnly reports whether every listener is on a loopback address.
func loopbackOnly(lns []net.Listener) bool {
	for _, ln := range lns {
		if !ln.Addr().(*net.TCPAddr).IP.IsLoopback() {
			return false
		}
	}
	return len(lns) > 0
}
