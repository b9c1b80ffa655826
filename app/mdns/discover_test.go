package mdns

import (
	"net"
	"slices"
	"testing"

	"github.com/grandcat/zeroconf"
)

func TestServerURL(t *testing.T) {
	v4 := net.ParseIP("192.168.1.20")
	v4ll := net.ParseIP("169.254.3.4")
	v6 := net.ParseIP("fd00::20")
	v6ll := net.ParseIP("fe80::1")
	tests := []struct {
		name string
		s    Server
		want string
	}{
		{"ipv4", Server{Port: 8080, Addrs: []net.IP{v4}}, "http://192.168.1.20:8080/"},
		{"ipv4 preferred", Server{Port: 8080, Addrs: []net.IP{v6, v4ll, v4}}, "http://192.168.1.20:8080/"},
		{"link-local ipv4 before ipv6", Server{Port: 8080, Addrs: []net.IP{v6, v4ll}}, "http://169.254.3.4:8080/"},
		{"ipv6 in brackets", Server{Port: 443, Addrs: []net.IP{v6ll, v6}, TXT: TXT{Scheme: "https"}}, "https://[fd00::20]:443/"},
		{"scheme is case-insensitive", Server{Port: 1, Addrs: []net.IP{v4}, TXT: TXT{Scheme: "HTTPS"}}, "https://192.168.1.20:1/"},
		{"unknown scheme means http", Server{Port: 1, Addrs: []net.IP{v4}, TXT: TXT{Scheme: "javascript"}}, "http://192.168.1.20:1/"},
		{"only link-local ipv6", Server{Port: 8080, Addrs: []net.IP{v6ll}}, ""},
		{"no address", Server{Port: 8080}, ""},
		{"no port", Server{Addrs: []net.IP{v4}}, ""},
	}
	for _, tt := range tests {
		if got := tt.s.URL(); got != tt.want {
			t.Errorf("%s: URL() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestServerFromEntry feeds serverFromEntry what zeroconf's resolver hands
// over: names and TXT strings escaped as miekg/dns prints them.
func TestServerFromEntry(t *testing.T) {
	e := zeroconf.NewServiceEntry(`Caf\195\169\ Lab\ 2\.0`, ServiceType, domain)
	e.HostName = "signalbox.local."
	e.Port = 8443
	e.Text = []string{"v=1", "path=/ws", "scheme=https", "fp=AB:CD", "id=r4nd0m"}
	e.AddrIPv4 = []net.IP{net.ParseIP("10.0.0.5"), net.ParseIP("10.0.0.5")}
	e.AddrIPv6 = []net.IP{net.ParseIP("fd00::5")}

	s := serverFromEntry(e)
	want := Server{
		Instance: "Café Lab 2.0",
		Host:     "signalbox.local.",
		Port:     8443,
		TXT:      TXT{Version: "1", Path: "/ws", Scheme: "https", Fingerprint: "AB:CD", ID: "r4nd0m"},
	}
	if s.Instance != want.Instance || s.Host != want.Host || s.Port != want.Port || s.TXT != want.TXT {
		t.Errorf("serverFromEntry = %+v, want %+v", s, want)
	}
	if got := ipStrings(s.Addrs); !slices.Equal(got, []string{"10.0.0.5", "fd00::5"}) {
		t.Errorf("serverFromEntry.Addrs = %q, want [10.0.0.5 fd00::5]", got)
	}
	if got := s.URL(); got != "https://10.0.0.5:8443/" {
		t.Errorf("URL() = %q, want https://10.0.0.5:8443/", got)
	}
}

func TestMergeAddrs(t *testing.T) {
	a := []net.IP{net.ParseIP("fd00::1"), net.ParseIP("10.0.0.1")}
	b := []net.IP{net.ParseIP("10.0.0.1").To4(), net.ParseIP("10.0.0.2"), nil}
	got := ipStrings(mergeAddrs(a, b))
	if want := []string{"10.0.0.1", "10.0.0.2", "fd00::1"}; !slices.Equal(got, want) {
		t.Errorf("mergeAddrs = %q, want %q", got, want)
	}
}

func ipStrings(ips []net.IP) []string {
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ip.String()
	}
	return out
}
