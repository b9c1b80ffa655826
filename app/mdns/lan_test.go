package mdns

import (
	"net"
	"slices"
	"testing"
)

func TestLANAddrs(t *testing.T) {
	ipn := func(s string) net.Addr {
		ip, n, err := net.ParseCIDR(s)
		if err != nil {
			t.Fatal(err)
		}
		n.IP = ip
		return n
	}
	tests := []struct {
		name string
		in   []net.Addr
		want []string
	}{
		{"ipv4 first, routable ipv6 only", []net.Addr{ipn("fe80::1/64"), ipn("fd00::2/64"), ipn("192.168.1.9/24")},
			[]string{"192.168.1.9", "fd00::2"}},
		{"link-local ipv6 when nothing else", []net.Addr{ipn("fe80::1/64")}, []string{"fe80::1"}},
		{"loopback skipped", []net.Addr{ipn("127.0.0.1/8"), ipn("::1/128")}, []string{}},
		{"not an IPNet", []net.Addr{&net.IPAddr{IP: net.ParseIP("10.0.0.1")}}, []string{}},
	}
	for _, tt := range tests {
		if got := ipStrings(lanAddrs(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: lanAddrs = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSplitLAN(t *testing.T) {
	lan := []LANInterface{
		{Interface: net.Interface{Index: 2, Name: "eth0"}, Addrs: []net.IP{net.ParseIP("10.0.0.1")}},
		{Interface: net.Interface{Index: 3, Name: "wlan0"}, Addrs: []net.IP{net.ParseIP("10.0.1.1"), net.ParseIP("fd00::1")}},
	}
	ifaces, addrs := SplitLAN(lan)
	if got := ifaceNames(ifaces); !slices.Equal(got, []string{"eth0", "wlan0"}) {
		t.Errorf("SplitLAN ifaces = %q", got)
	}
	if got := ipStrings(addrs); !slices.Equal(got, []string{"10.0.0.1", "10.0.1.1", "fd00::1"}) {
		t.Errorf("SplitLAN addrs = %q", got)
	}
}
