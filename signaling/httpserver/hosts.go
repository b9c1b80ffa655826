package httpserver

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// HostPolicy says which Host headers name this server: the defence
// against DNS rebinding, where a page from evil.example re-points its name
// at this server to read it with the visitor's browser (a rebinding
// request carries the attacker's name in Host; a request that names the
// server by its address or its own names is no rebinding).
type HostPolicy struct {
	// Names are the server's names besides localhost (its mDNS names, the
	// user's --allow-host additions), matched without regard to case.
	Names []string
	// IPs returns the addresses the server serves; a Host that is one of
	// them, or a loopback address, is allowed. Nil means every address of
	// this machine's interfaces.
	IPs func() []net.IP
}

// interfaceCache is how long the default IPs reuses the interface list.
const interfaceCache = 2 * time.Second

// hostGuard refuses requests whose Host is not the server's.
type hostGuard struct {
	names map[string]bool
	ips   func() []net.IP

	mu      sync.Mutex
	cached  []net.IP
	cacheAt time.Time
}

func newHostGuard(p HostPolicy) *hostGuard {
	g := &hostGuard{names: map[string]bool{}, ips: p.IPs}
	for _, n := range p.Names {
		g.names[normalHost(n)] = true
	}
	if g.ips == nil {
		g.ips = g.interfaceIPs
	}
	return g
}

// allowed reports whether hostport (a Host header) names this server.
func (g *hostGuard) allowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = normalHost(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	switch {
	case host == "":
		return false
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return true // RFC 6761: always loopback in browsers
	case g.names[host]:
		return true
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	for _, a := range g.ips() {
		if b, ok := netip.AddrFromSlice(a); ok && b.Unmap() == ip.Unmap().WithZone("") {
			return true
		}
	}
	return false
}

// interfaceIPs is the default IPs: this machine's addresses, re-read at
// most every interfaceCache.
func (g *hostGuard) interfaceIPs() []net.IP {
	g.mu.Lock()
	defer g.mu.Unlock()
	if time.Since(g.cacheAt) < interfaceCache {
		return g.cached
	}
	g.cached, g.cacheAt = nil, time.Now()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			g.cached = append(g.cached, n.IP)
		}
	}
	return g.cached
}

// normalHost lower-cases a name and drops a final dot.
func normalHost(h string) string { return strings.TrimSuffix(strings.ToLower(h), ".") }

// wrap refuses, with 421 Misdirected Request, every request whose Host is
// not this server's.
func (g *hostGuard) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.allowed(r.Host) {
			http.Error(w, "421 misdirected request: host "+quoteHost(r.Host)+
				" is not this Signalbox server; open it by its address (or add the name with --allow-host)",
				http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// quoteHost quotes a client-supplied host for an error text, cut short.
func quoteHost(h string) string {
	if len(h) > 64 {
		h = h[:64] + "…"
	}
	return `"` + strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return '?'
		}
		return r
	}, h) + `"`
}
