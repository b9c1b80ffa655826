package service

import (
	"net"
	"sort"
)

// LANAddrs returns this machine's addresses that other devices on the LAN
// can reach: up, non-loopback interfaces, IPv4 before IPv6, private ranges
// before others; link-local addresses are left out (a browser cannot open
// a URL with an IPv6 zone).
func LANAddrs() []net.IP {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var ips []net.IP
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
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
			ips = append(ips, ipn.IP)
		}
	}
	sort.SliceStable(ips, func(i, j int) bool { return rank(ips[i]) < rank(ips[j]) })
	return ips
}

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
