package service

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"signalbox/app/settings"
	"strconv"
	"syscall"
)

// listen opens the listeners for st. With a host in st.Addr, or no
// interfaces named, it is one listener on st.Addr. With interfaces named and
// no host, it is one listener per address of those interfaces plus one on
// 127.0.0.1 (so this machine's browser and window always reach the server),
// all on the same port; an address that cannot be bound (its interface just
// went down) is left out and logged by the caller through skipped.
func listen(st settings.Settings) (lns []net.Listener, skipped []error, err error) {
	host, port, err := net.SplitHostPort(string(st.Addr))
	if err != nil {
		return nil, nil, fmt.Errorf("listen address %q: %w", st.Addr, err)
	}
	if host != "" || len(st.Interfaces) == 0 {
		ln, err := listenTCP(string(st.Addr))
		if err != nil {
			return nil, nil, err
		}
		return []net.Listener{ln}, nil, nil
	}
	first, err := listenTCP(net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return nil, nil, err
	}
	lns = []net.Listener{first}
	// Port 0 picks a free port for the first listener; the others share it.
	port = strconv.Itoa(first.Addr().(*net.TCPAddr).Port)
	for _, a := range LANAddrs(st.Interfaces) {
		ln, err := listenTCP(net.JoinHostPort(a.IP.String(), port))
		switch {
		case errors.Is(err, ErrPortBusy):
			closeAll(lns)
			return nil, nil, err
		case err != nil:
			skipped = append(skipped, err)
		default:
			lns = append(lns, ln)
		}
	}
	return lns, skipped, nil
}

// listenTCP listens on addr; a busy port is ErrPortBusy.
func listenTCP(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("listen on %s: %w", addr, ErrPortBusy)
	}
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		_ = ln.Close() // never served: nothing to report
	}
}

// JoinURL is a URL another device opens to join, with the interface whose
// address it uses ("" for loopback).
type JoinURL struct {
	URL       string `json:"url"`
	Interface string `json:"interface,omitempty"`
}

// joinURLs lists the URLs that reach the listeners bound to ips on port:
// every LAN address (of the interfaces in only, when not empty) for a
// wildcard listener, the address itself otherwise; loopback last.
func joinURLs(ips []net.IP, port int, only []string) []JoinURL {
	var out []JoinURL
	seen := map[string]bool{}
	add := func(ip net.IP, iface string) {
		u := "http://" + net.JoinHostPort(ip.String(), strconv.Itoa(port)) + "/"
		if !seen[u] {
			seen[u] = true
			out = append(out, JoinURL{URL: u, Interface: iface})
		}
	}
	lan := LANAddrs(only)
	var loopback []net.IP
	for _, ip := range ips {
		switch {
		case ip.IsUnspecified():
			v4only := ip.To4() != nil
			for _, a := range lan {
				if !v4only || a.IP.To4() != nil {
					add(a.IP, a.Interface)
				}
			}
			loopback = append(loopback, net.IPv4(127, 0, 0, 1))
		case ip.IsLoopback():
			loopback = append(loopback, ip)
		default:
			add(ip, ifaceOf(ip, lan))
		}
	}
	for _, ip := range loopback {
		add(ip, "")
	}
	return out
}

// ifaceOf names the interface holding ip, or "".
func ifaceOf(ip net.IP, lan []LANAddr) string {
	for _, a := range lan {
		if a.IP.Equal(ip) {
			return a.Interface
		}
	}
	return ""
}

// isLoopbackURL reports whether u's host is a loopback address.
func isLoopbackURL(u string) bool {
	parsed, err := url.Parse(u)
	if err != nil {
		return false
	}
	ip := net.ParseIP(parsed.Hostname())
	return ip != nil && ip.IsLoopback()
}
