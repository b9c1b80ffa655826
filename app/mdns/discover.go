package mdns

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grandcat/zeroconf"
)

// DefaultDiscoverWait is how long Discover listens when given no wait: a
// server on the LAN answers within milliseconds, but Wi-Fi power saving can
// delay a multicast answer by a few hundred.
const DefaultDiscoverWait = 2 * time.Second

// Server is a Signalbox server found by Discover.
type Server struct {
	// Instance is the server's name, as advertised.
	Instance string `json:"instance"`
	// Host is the host name from the SRV record, such as "signalbox.local.".
	Host string `json:"host"`
	// Port is the server's TCP port.
	Port int `json:"port"`
	// Addrs are the host's addresses, IPv4 first.
	Addrs []net.IP `json:"addrs"`
	// TXT holds the fields of the TXT record: Version, Path, Scheme,
	// Fingerprint and ID.
	TXT
}

// URL returns the address a browser opens to join the server:
// scheme://ip:port/. It prefers an IPv4 address, then a routable IPv6 one,
// and returns "" when there is neither (a link-local IPv6 address needs a
// zone the announcement does not carry). The scheme is https only when the
// server says so.
func (s Server) URL() string {
	ip := s.preferredAddr()
	if ip == nil || s.Port < 1 || s.Port > 65535 {
		return ""
	}
	scheme := "http"
	if strings.EqualFold(s.Scheme, "https") {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: net.JoinHostPort(ip.String(), strconv.Itoa(s.Port)), Path: "/"}
	return u.String()
}

// preferredAddr picks the address for URL.
func (s Server) preferredAddr() net.IP {
	rank := func(ip net.IP) int {
		switch {
		case ip.To4() != nil && !ip.IsLinkLocalUnicast():
			return 0
		case ip.To4() != nil:
			return 1
		case !ip.IsLinkLocalUnicast() && !ip.IsUnspecified() && !ip.IsMulticast():
			return 2
		default:
			return -1
		}
	}
	var best net.IP
	for _, ip := range s.Addrs {
		if r := rank(ip); r >= 0 && (best == nil || r < rank(best)) {
			best = ip
		}
	}
	return best
}

// Discover browses for _signalbox._tcp on ifaces (all of LANInterfaces when
// empty) for wait (DefaultDiscoverWait when not positive) and returns the
// servers that answered, sorted by name. If ctx ends first it returns what
// it found so far with ctx's error.
func Discover(ctx context.Context, ifaces []net.Interface, wait time.Duration) ([]Server, error) {
	if len(ifaces) == 0 {
		lan, err := LANInterfaces()
		if err != nil {
			return nil, err
		}
		ifaces, _ = SplitLAN(lan)
		if len(ifaces) == 0 {
			return nil, ErrNoInterfaces
		}
	}
	if wait <= 0 {
		wait = DefaultDiscoverWait
	}
	r, err := newResolver(ifaces)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBrowse, err)
	}
	bctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	// zeroconf closes entries when bctx ends; until then its loop blocks on
	// each send, so the channel is read to the end.
	entries := make(chan *zeroconf.ServiceEntry)
	if err := r.Browse(bctx, ServiceType, domain, entries); err != nil {
		cancel()
		for range entries {
		}
		return nil, fmt.Errorf("%w: %w", ErrBrowse, err)
	}
	found := make(map[string]*Server)
	for e := range entries {
		s := serverFromEntry(e)
		if old, ok := found[s.Instance]; ok {
			old.Addrs = mergeAddrs(old.Addrs, s.Addrs)
			continue
		}
		found[s.Instance] = &s
	}
	servers := make([]Server, 0, len(found))
	for _, s := range found {
		servers = append(servers, *s)
	}
	slices.SortFunc(servers, func(a, b Server) int {
		return cmp.Or(strings.Compare(a.Instance, b.Instance), strings.Compare(a.Host, b.Host))
	})
	return servers, ctx.Err()
}

// newResolver opens zeroconf's resolver on ifaces. zeroconf fails (and
// leaks the socket it did open) when either IP version fails, so the
// versions that can join the group are found out first.
func newResolver(ifaces []net.Interface) (*zeroconf.Resolver, error) {
	var t zeroconf.IPType
	c4, err4 := listenV4(ifaces)
	if err4 == nil {
		_ = c4.close()
		t |= zeroconf.IPv4
	}
	c6, err6 := listenV6(ifaces)
	if err6 == nil {
		_ = c6.close()
		t |= zeroconf.IPv6
	}
	if t == 0 {
		return nil, errors.Join(err4, err6)
	}
	return zeroconf.NewResolver(zeroconf.SelectIfaces(ifaces), zeroconf.SelectIPTraffic(t))
}

// serverFromEntry converts what zeroconf found. zeroconf hands over names
// and TXT strings as miekg/dns prints them, with escapes.
func serverFromEntry(e *zeroconf.ServiceEntry) Server {
	txt := make([]string, len(e.Text))
	for i, t := range e.Text {
		txt[i] = unescape(t)
	}
	return Server{
		Instance: unescape(e.Instance),
		Host:     e.HostName,
		Port:     e.Port,
		Addrs:    mergeAddrs(e.AddrIPv4, e.AddrIPv6),
		TXT:      ParseTXT(txt),
	}
}

// mergeAddrs returns the addresses of a and b without repeats, IPv4 first.
func mergeAddrs(a, b []net.IP) []net.IP {
	var v4, v6 []net.IP
	seen := make(map[string]bool)
	for _, ip := range slices.Concat(a, b) {
		if ip == nil || seen[ip.String()] {
			continue
		}
		seen[ip.String()] = true
		if ip.To4() != nil {
			v4 = append(v4, ip)
		} else {
			v6 = append(v6, ip)
		}
	}
	return append(v4, v6...)
}
