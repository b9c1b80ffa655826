package service

import (
	"net"
	"slices"
	"sort"
)

// LANAddr is an address of this machine that other devices on the LAN can
// reach, with the interface that holds it.
type LANAddr struct {
	IP        net.IP
	Interface string
}

// LANAddrs returns this machine's addresses that other devices on the LAN
// can reach: up, non-loopback interfaces, IPv4 before IPv6, private ranges
// before others; link-local addresses are left out (a browser cannot open
// a URL with an IPv6 zone). When only is not empty, just the interfaces
// named there count.
func LANAddrs(only []string) []LANAddr {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []LANAddr
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		if len(only) > 0 && !slices.Contains(only, ifc.Name) {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
				continue
			}
			out = append(out, LANAddr{IP: ipn.IP, Interface: ifc.Name})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].IP) < rank(out[j].IP) })
	return out
}

// rank orders addresses for LANAddrs: private IPv4, other IPv4, private
// (unique local) IPv6, other IPv6.
func rank(ip net.IP) int {
	r := 0
	if ip.To4() == nil {
		r += 2
	}
	if !ip.IsPrivate() {
		r++
	}
	return r
}
