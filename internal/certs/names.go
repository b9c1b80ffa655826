package certs

import (
	"crypto/x509"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// Limits on DNS names, from RFC 1035 section 2.3.4.
const (
	maxNameLen  = 253 // characters in a whole name, without the trailing dot
	maxLabelLen = 63  // characters in one label
)

// The CA carries X.509 name constraints (RFC 5280 section 4.2.1.10): it can
// vouch only for the local and private names below. A browser that trusts the
// CA therefore cannot be fooled by it for any public site, even if ca-key.pem
// is stolen. Names and addresses outside these lists are left out of the
// server certificate (with a warning in the log): a certificate that named
// them would fail verification as a whole.

// permittedDomains returns the DNS suffixes the CA may vouch for: each one
// and every name below it. All are reserved or conventionally private.
func permittedDomains() []string {
	return []string{
		"localhost",   // RFC 6761
		"local",       // mDNS, RFC 6762
		"home.arpa",   // home networks, RFC 8375
		"internal",    // private use, reserved by ICANN in 2024
		"localdomain", // common in /etc/hosts
		"lan",         // common on home routers, never delegated
		"home",        // common on home routers, never delegated
	}
}

// permittedPrefixes returns the address ranges the CA may vouch for: loopback,
// private, link-local and shared (CGNAT, also used by overlay VPNs) ranges.
func permittedPrefixes() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"),    // loopback
		netip.MustParsePrefix("10.0.0.0/8"),     // RFC 1918
		netip.MustParsePrefix("172.16.0.0/12"),  // RFC 1918
		netip.MustParsePrefix("192.168.0.0/16"), // RFC 1918
		netip.MustParsePrefix("169.254.0.0/16"), // link-local
		netip.MustParsePrefix("100.64.0.0/10"),  // shared address space, RFC 6598
		netip.MustParsePrefix("::1/128"),        // loopback
		netip.MustParsePrefix("fc00::/7"),       // unique local, RFC 4193
		netip.MustParsePrefix("fe80::/10"),      // link-local
	}
}

// alwaysHosts returns the DNS names every server certificate carries, so the
// local machine can always reach the server.
func alwaysHosts() []string { return []string{"localhost"} }

// alwaysIPs returns the addresses every server certificate carries.
func alwaysIPs() []netip.Addr {
	return []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1}), netip.IPv6Loopback()}
}

// sanSet is a normalised, sorted, duplicate-free set of subject alternative
// names. Two sets with the same names compare equal whatever order or form
// (upper case, trailing dot, IPv4-mapped IPv6) the caller used.
type sanSet struct {
	hosts []string
	ips   []netip.Addr
}

// newSANSet normalises hosts and ips, adds the names every certificate
// carries, and returns the set together with the names it had to leave out
// (invalid, or outside the CA's name constraints).
func newSANSet(hosts []string, ips []net.IP) (set sanSet, dropped []string) {
	for _, h := range append(alwaysHosts(), hosts...) {
		name, ok := normalizeHost(h)
		switch {
		case !ok:
			dropped = append(dropped, h)
		case !hostPermitted(name):
			dropped = append(dropped, name)
		default:
			set.hosts = append(set.hosts, name)
		}
	}
	addrs := alwaysIPs()
	for _, ip := range ips {
		a, ok := netip.AddrFromSlice(ip)
		if !ok {
			dropped = append(dropped, ip.String())
			continue
		}
		addrs = append(addrs, a)
	}
	for _, a := range addrs {
		a = a.Unmap().WithZone("")
		if !addrPermitted(a) {
			dropped = append(dropped, a.String())
			continue
		}
		set.ips = append(set.ips, a)
	}
	slices.Sort(set.hosts)
	set.hosts = slices.Compact(set.hosts)
	slices.SortFunc(set.ips, netip.Addr.Compare)
	set.ips = slices.Compact(set.ips)
	return set, dropped
}

// sansOf returns the subject alternative names of cert as a sanSet.
func sansOf(cert *x509.Certificate) sanSet {
	var set sanSet
	for _, h := range cert.DNSNames {
		if name, ok := normalizeHost(h); ok {
			set.hosts = append(set.hosts, name)
		}
	}
	for _, ip := range cert.IPAddresses {
		if a, ok := netip.AddrFromSlice(ip); ok {
			set.ips = append(set.ips, a.Unmap())
		}
	}
	slices.Sort(set.hosts)
	set.hosts = slices.Compact(set.hosts)
	slices.SortFunc(set.ips, netip.Addr.Compare)
	set.ips = slices.Compact(set.ips)
	return set
}

// equal reports whether s and o hold the same names.
func (s sanSet) equal(o sanSet) bool {
	return slices.Equal(s.hosts, o.hosts) && slices.Equal(s.ips, o.ips)
}

// netIPs returns the addresses as net.IP values, IPv4 in its 4-byte form.
func (s sanSet) netIPs() []net.IP {
	out := make([]net.IP, 0, len(s.ips))
	for _, a := range s.ips {
		out = append(out, net.IP(a.AsSlice()))
	}
	return out
}

// normalizeHost lower-cases h and strips one trailing dot. It reports false
// for anything that is not a plain ASCII host name (letters, digits, '-' and
// '_' in labels of 1 to 63 characters); wildcards are refused too.
func normalizeHost(h string) (string, bool) {
	name := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), "."))
	if name == "" || len(name) > maxNameLen {
		return "", false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > maxLabelLen {
			return "", false
		}
		for _, c := range []byte(label) {
			ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
			if !ok {
				return "", false
			}
		}
	}
	return name, true
}

// hostPermitted reports whether the normalised name lies under one of the
// permitted domains.
func hostPermitted(name string) bool {
	for _, d := range permittedDomains() {
		if name == d || strings.HasSuffix(name, "."+d) {
			return true
		}
	}
	return false
}

// addrPermitted reports whether a lies in one of the permitted ranges.
func addrPermitted(a netip.Addr) bool {
	for _, p := range permittedPrefixes() {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// permittedIPNets returns permittedPrefixes in the form x509 templates take.
func permittedIPNets() []*net.IPNet {
	prefixes := permittedPrefixes()
	out := make([]*net.IPNet, 0, len(prefixes))
	for _, p := range prefixes {
		bits := p.Addr().BitLen()
		out = append(out, &net.IPNet{
			IP:   net.IP(p.Addr().AsSlice()),
			Mask: net.CIDRMask(p.Bits(), bits),
		})
	}
	return out
}
