package mdns

// The two-host test (scripts/test-mdns.sh, second part): TestTwoHosts runs
// in one network namespace and advertises on its end of a veth pair; it
// starts this test binary again in the other namespace as
// TestTwoHostsPeer, which browses, joins and listens from the other end.

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	hmdns "github.com/hashicorp/mdns"
	"github.com/miekg/dns"
)

const (
	// envPeerNS names the namespace of the other host (set by the script).
	envPeerNS = "SIGNALBOX_PEER_NS"
	// envPeerWant carries what the peer must find, as JSON; it also marks
	// the process as the peer.
	envPeerWant = "SIGNALBOX_PEER_WANT"
	// peerTimeout bounds the whole peer process.
	peerTimeout = 30 * time.Second
	// joinBody is what the advertised server answers at its join URL.
	joinBody = "signalbox join page"
	// The lines the peer prints for TestTwoHosts.
	lineListening = "PEER: listening for goodbyes"
	lineGoodbye   = "PEER: goodbye received"
)

// peerWant is what TestTwoHosts tells its peer to expect.
type peerWant struct {
	Instance string   `json:"instance"`
	Host     string   `json:"host"`
	Port     int      `json:"port"`
	Addrs    []string `json:"addrs"` // IPv4 first
	URL      string   `json:"url"`
	TXT      TXT      `json:"txt"`
}

// lanOnly returns the interfaces of LANInterfaces after checking it sees
// only the veth end the script made.
func lanOnly(t *testing.T) ([]net.Interface, []net.IP) {
	t.Helper()
	lan, err := LANInterfaces()
	if err != nil {
		t.Fatalf("LANInterfaces() = %v", err)
	}
	ifaces, addrs := SplitLAN(lan)
	if len(ifaces) != 1 {
		t.Fatalf("LANInterfaces() = %q, want only the veth end", ifaceNames(ifaces))
	}
	return ifaces, addrs
}

func TestTwoHosts(t *testing.T) {
	requireNetns(t)
	peerNS := os.Getenv(envPeerNS)
	if peerNS == "" || os.Getenv(envPeerWant) != "" {
		t.Skip("two-host test: run scripts/test-mdns.sh")
	}
	ifaces, addrs := lanOnly(t)
	if len(addrs) != 2 || addrs[0].To4() == nil || addrs[1].To4() != nil {
		t.Fatalf("LANInterfaces() addresses = %v, want one IPv4 then one IPv6", addrs)
	}

	// The "server": a join page on the veth address, port chosen by the kernel.
	ln, err := net.Listen("tcp", net.JoinHostPort(addrs[0].String(), "0"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, joinBody)
	}))
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	port := ln.Addr().(*net.TCPAddr).Port

	cfg := Config{
		Instance: "Lab Bench 2.0", Host: "bench", Port: port, Addrs: addrs, Ifaces: ifaces,
		TXT: TXT{Version: "1", Path: "/ws", Scheme: "http", ID: rand.Text()},
	}
	a := New(cfg, testLogger(t))
	if err := a.Start(); err != nil {
		t.Fatalf("Start() = %v", err)
	}
	t.Cleanup(a.Shutdown)

	want, err := json.Marshal(peerWant{
		Instance: cfg.Instance, Host: "bench.local.", Port: port, Addrs: ipStrings(addrs),
		URL: fmt.Sprintf("http://%s/", ln.Addr()), TXT: cfg.TXT,
	})
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), peerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", peerNS,
		exe, "-test.run=^TestTwoHostsPeer$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), envPeerWant+"="+string(want))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var listening, goodbye bool
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		t.Log("peer: " + line)
		switch strings.TrimSpace(line) {
		case lineListening:
			listening = true
			a.Shutdown()
		case lineGoodbye:
			goodbye = true
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("peer in %s: %v\n%s", peerNS, err, stderr.String())
	}
	if !listening || !goodbye {
		t.Fatalf("peer exited without finishing (listening %v, goodbye %v)\n%s", listening, goodbye, stderr.String())
	}
}

// TestTwoHostsPeer is the other host of TestTwoHosts; it is skipped unless
// TestTwoHosts starts it.
func TestTwoHostsPeer(t *testing.T) {
	raw := os.Getenv(envPeerWant)
	if raw == "" {
		t.Skip("helper process of TestTwoHosts")
	}
	requireNetns(t)
	var want peerWant
	if err := json.Unmarshal([]byte(raw), &want); err != nil {
		t.Fatalf("%s: %v", envPeerWant, err)
	}
	ifaces, _ := lanOnly(t)
	ifi := ifaces[0]

	t.Run("discover", func(t *testing.T) {
		servers, err := Discover(t.Context(), ifaces, discoverWait)
		if err != nil {
			t.Fatalf("Discover() = %v", err)
		}
		i := slices.IndexFunc(servers, func(s Server) bool { return s.Instance == want.Instance })
		if i < 0 {
			t.Fatalf("Discover() = %+v, want %q among them", servers, want.Instance)
		}
		s := servers[i]
		if s.Host != want.Host || s.Port != want.Port || s.TXT != want.TXT || !slices.Equal(ipStrings(s.Addrs), want.Addrs) {
			t.Errorf("Discover() found %+v, want %+v", s, want)
		}
		if s.URL() != want.URL {
			t.Fatalf("URL() = %q, want %q", s.URL(), want.URL)
		}
		resp, err := (&http.Client{Timeout: answerWait}).Get(s.URL())
		if err != nil {
			t.Fatalf("GET %s: %v", s.URL(), err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || string(body) != joinBody {
			t.Errorf("GET %s = %q, %v, want %q", s.URL(), body, err, joinBody)
		}
	})

	t.Run("hashicorp client over IPv6", func(t *testing.T) {
		entries := make(chan *hmdns.ServiceEntry, 16)
		err := hmdns.QueryContext(t.Context(), &hmdns.QueryParam{
			Service: ServiceType, Domain: domain, Timeout: discoverWait,
			Interface: &ifi, Entries: entries, DisableIPv4: true,
			Logger: log.New(t.Output(), "hashicorp/mdns: ", 0),
		})
		if err != nil {
			t.Fatalf("hashicorp/mdns QueryContext() = %v", err)
		}
		close(entries)
		var found bool
		for e := range entries {
			// The instance is the first label; a dot in it is escaped.
			if labels := dns.SplitDomainName(e.Name); len(labels) != 4 || unescape(labels[0]) != want.Instance {
				continue
			}
			found = true
			if e.Port != want.Port || e.AddrV4.String() != want.Addrs[0] || e.AddrV6.String() != want.Addrs[1] {
				t.Errorf("hashicorp/mdns found port %d, addresses %v %v; want %d %q", e.Port, e.AddrV4, e.AddrV6, want.Port, want.Addrs)
			}
			if !slices.Equal(e.InfoFields, want.TXT.Records()) {
				t.Errorf("hashicorp/mdns TXT = %q, want %q", e.InfoFields, want.TXT.Records())
			}
		}
		if !found {
			t.Errorf("hashicorp/mdns over IPv6 did not find %q", want.Instance)
		}
	})

	t.Run("host name", func(t *testing.T) {
		if got := queryHost(t, ifi, false, want.Host, dns.TypeA); !slices.Equal(got, want.Addrs[:1]) {
			t.Errorf("A %s over IPv4 = %q, want %q", want.Host, got, want.Addrs[:1])
		}
		if got := queryHost(t, ifi, true, want.Host, dns.TypeAAAA); !slices.Equal(got, want.Addrs[1:]) {
			t.Errorf("AAAA %s over IPv6 = %q, want %q", want.Host, got, want.Addrs[1:])
		}
	})

	t.Run("goodbye", func(t *testing.T) {
		l := listenGroup(t, ifi)
		fmt.Println(lineListening)
		l.waitFor(t, "goodbye for "+want.Instance, func(m *dns.Msg) bool { return isGoodbye(m, want.Instance) })
		fmt.Println(lineGoodbye)
	})
}
