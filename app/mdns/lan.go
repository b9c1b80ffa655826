package mdns

import (
	"fmt"
	"net"
	"slices"
)

// LANInterface is a network interface fit for mDNS, with the addresses a
// peer on its link can reach the machine at.
type LANInterface struct {
	net.Interface
	// Addrs are the interface's IPv4 addresses, then its routable IPv6
	// ones (global or unique local); its link-local IPv6 address only when
	// it has no routable one.
	Addrs []net.IP
}

// LANInterfaces lists the interfaces that are up, running, multicast-capable
// and not loopback, and have at least one address: where Signalbox
// advertises and browses by default.
func LANInterfaces() ([]LANInterface, error) {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("mdns: listing interfaces: %w", err)
	}
	var out []LANInterface
	for _, ifi := range ifaces {
		const want = net.FlagUp | net.FlagRunning | net.FlagMulticast
		if ifi.Flags&want != want || ifi.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifi.Addrs()
		if err != nil {
			return nil, fmt.Errorf("mdns: addresses of %s: %w", ifi.Name, err)
		}
		if ips := lanAddrs(addrs); len(ips) > 0 {
			out = append(out, LANInterface{Interface: ifi, Addrs: ips})
		}
	}
	return out, nil
}

// lanAddrs picks the addresses of one interface as LANInterface.Addrs says.
func lanAddrs(addrs []net.Addr) []net.IP {
	var v4, v6, linkLocal []net.IP
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsUnspecified() || ipn.IP.IsMulticast() {
			continue
		}
		switch ip := ipn.IP; {
		case ip.To4() != nil:
			v4 = append(v4, ip.To4())
		case ip.IsLinkLocalUnicast():
			linkLocal = append(linkLocal, ip)
		default:
			v6 = append(v6, ip)
		}
	}
	if len(v6) == 0 {
		v6 = linkLocal
	}
	return slices.Concat(v4, v6)
}

// SplitLAN returns the interfaces of lan and all their addresses, as
// Config.Ifaces, Config.Addrs and Discover want them.
func SplitLAN(lan []LANInterface) ([]net.Interface, []net.IP) {
	ifaces := make([]net.Interface, 0, len(lan))
	var addrs []net.IP
	for _, l := range lan {
		ifaces = append(ifaces, l.Interface)
		addrs = append(addrs, l.Addrs...)
	}
	return ifaces, addrs
}
