package turnrelay

import (
	"net"
	"sync"
	"time"
)

// localRefresh is how often localIPs re-reads this machine's addresses.
const localRefresh = 5 * time.Second

// localIPs caches this machine's interface addresses: datagrams to them
// reach the laptop's own services (a docker bridge's gateway, a VPN's
// address), which relay sockets must not.
type localIPs struct {
	mu     sync.Mutex
	ips    []net.IP
	readAt time.Time
}

// has reports whether ip is an address of this machine.
func (l *localIPs) has(ip net.IP) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Since(l.readAt) > localRefresh {
		l.readAt, l.ips = time.Now(), nil
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok {
					l.ips = append(l.ips, n.IP)
				}
			}
		}
	}
	for _, own := range l.ips {
		if own.Equal(ip) {
			return true
		}
	}
	return false
}
