package service

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"slices"
	"sync/atomic"
	"time"

	"signalbox/internal/certs"
	"signalbox/signaling"
	"signalbox/signaling/httpserver"
)

// security is what one run of the server adds to plain HTTP so that other
// devices get their camera and reach each other: HTTPS with the local CA,
// and the TURN relay. A goroutine keeps both in step with the machine's
// addresses. Neither may stop the server: failures are logged and shown.
type security struct {
	tls   TLSStatus
	certs *certs.Manager // nil when HTTPS is off or failed
	relay *relay
	hosts []string // the certificate's DNS names besides localhost
	log   *slog.Logger
	// served holds the addresses served now, for the Host allowlist.
	served atomic.Pointer[[]net.IP]

	stop context.CancelFunc
	done chan struct{}
	// unbind stops the relay's hub binding (bindRelay); unbound is closed
	// when it has.
	unbind  context.CancelFunc
	unbound chan struct{}
}

// startSecurity opens the certificates and starts the relay for a server
// listening on lns; s.mu is held. It never fails: what cannot start is
// logged and reported by TLS and Relay, and the server serves without it.
func (s *Service) startSecurity(st Settings, lns []net.Listener) *security {
	lnIPs := listenerIPs(lns)
	served := servedIPs(lnIPs, st.Interfaces, LANAddrs)
	sec := &security{tls: TLSStatus{Enabled: st.HTTPS}, relay: &relay{log: s.log, perAddr: 2 * st.PeersPerAddr}, hosts: certHosts(), log: s.log}
	sec.served.Store(&served)
	if st.HTTPS {
		m, err := openCerts(st, s.cfg.ConfigDir, served, sec.hosts, s.log)
		if err != nil {
			s.log.Error("HTTPS is off: other devices get no camera over plain HTTP", "err", err)
			sec.tls.Error, sec.tls.Code = err.Error(), "failed"
		} else {
			sec.certs = m
			sec.tls.Active, sec.tls.Fingerprint = true, m.Fingerprint()
			sec.tls.UserCert, sec.tls.CAFile = st.CertFile != "", m.CAPath()
			s.log.Info("HTTPS on", "fingerprint", sec.tls.Fingerprint, "ca", sec.tls.CAFile)
		}
	}
	if st.TURN {
		sec.relay.start(st.TURNPort, planRelay(served))
	}
	ctx, cancel := context.WithCancel(context.Background())
	sec.stop, sec.done = cancel, make(chan struct{})
	go func() {
		defer close(sec.done)
		sec.watch(ctx, s.cfg.AddrPollInterval, lnIPs, st.Interfaces, served)
	}()
	return sec
}

// serverConfig returns what the HTTP server and hub take from sec.
func (sec *security) serverConfig() (tlsCfg *tls.Config, trust *httpserver.TrustInfo, ice func(string) []signaling.ICEServer) {
	if sec.certs != nil {
		tlsCfg, trust = sec.certs.TLSConfig(), trustInfo(sec.certs)
	}
	return tlsCfg, trust, sec.relay.iceServers
}

// watch re-reads the served addresses every poll until ctx ends: a
// changed set re-issues the server certificate and may move the relay.
// served is the set at start.
func (sec *security) watch(ctx context.Context, poll time.Duration, lnIPs []net.IP, only []string, served []net.IP) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := servedIPs(lnIPs, only, LANAddrs)
		if slices.EqualFunc(now, served, net.IP.Equal) {
			continue
		}
		served = now
		sec.served.Store(&now)
		sec.addressesChanged(served)
	}
}

// addressesChanged brings the certificate and the relay in line with the
// addresses now served.
func (sec *security) addressesChanged(served []net.IP) {
	if sec.certs != nil {
		if err := sec.certs.SetAddresses(served, sec.hosts); err != nil {
			sec.log.Error("HTTPS: cannot re-issue the certificate for the new addresses", "err", err)
		}
	}
	sec.relay.follow(served)
}

// close stops the watcher and the relay.
func (sec *security) close() {
	sec.stop()
	<-sec.done
	if sec.unbind != nil {
		sec.unbind()
		<-sec.unbound
	}
	sec.relay.stop()
}

// bindRelay ties the relay's credentials to hub's seats until close.
func (sec *security) bindRelay(hub *signaling.Hub) {
	sec.relay.hub.Store(hub)
	ctx, cancel := context.WithCancel(context.Background())
	sec.unbind, sec.unbound = cancel, make(chan struct{})
	go func() {
		defer close(sec.unbound)
		sec.relay.bindHub(ctx, hub)
	}()
}

// listenerIPs returns the listeners' addresses.
func listenerIPs(lns []net.Listener) []net.IP {
	ips := make([]net.IP, len(lns))
	for i, ln := range lns {
		ips[i] = ln.Addr().(*net.TCPAddr).IP
	}
	return ips
}

// scheme is how other devices reach the server: "https" while HTTPS is
// served, else "http" (also for a nil sec: not running).
func (sec *security) scheme() string {
	if sec != nil && sec.certs != nil {
		return "https"
	}
	return txtScheme
}

// fingerprint is what the mDNS TXT record publishes as fp: the CA's
// fingerprint (or the user certificate's), "" without HTTPS.
func (sec *security) fingerprint() string {
	if sec == nil {
		return ""
	}
	return sec.tls.Fingerprint
}

// altHostLocked is the .local name shown beside the join URLs: the name
// this server advertises when mDNS is on, else none: with mDNS off no
// .local name is known to reach this server (the machine's own name only
// works where Avahi or Bonjour publishes it), and the window must not list
// as reachable what the same pane says is off. s.mu is held.
func (s *Service) altHostLocked() string {
	if s.settings.MDNS {
		return mdnsHostName()
	}
	return ""
}

// restartRelayLocked stops the relay and starts it again as st says,
// without restarting the server: peers that join later get the new ICE
// servers. s.mu is held.
func (s *Service) restartRelayLocked(st Settings) {
	if s.sec == nil {
		return
	}
	s.sec.relay.stop()
	if st.TURN {
		s.sec.relay.start(st.TURNPort, planRelay(servedIPs(listenerIPs(s.lns), st.Interfaces, LANAddrs)))
	}
}
