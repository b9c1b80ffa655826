package abuse

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/pion/turn/v4"

	"signalbox/app/service"
	"signalbox/internal/testwait"
	"signalbox/internal/turnrelay"
)

// startService runs the whole service (HTTP, hub and TURN relay) on
// loopback until the test ends.
func startService(t *testing.T, st service.Settings) *service.Service {
	t.Helper()
	st.Addr = "127.0.0.1:0"
	svc := service.New(service.Config{Settings: st, Client: clientFiles(), Version: "test"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = svc.Stop(ctx)
	})
	return svc
}

// turnCreds connects a native client, optionally seats it in room, and
// returns it with the TURN username and password of its welcome.
func turnCreds(t *testing.T, svc *service.Service, room string) (*wsClient, string, string) {
	t.Helper()
	s := &server{addr: "127.0.0.1:" + strconv.Itoa(svc.Port())}
	c, err := dialWSWelcome(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.close)
	if room != "" {
		if err := c.join(room); err != nil {
			t.Fatal(err)
		}
	}
	ice := c.welcome["iceServers"].([]any)
	if len(ice) == 0 {
		t.Fatal("welcome has no TURN server")
	}
	e := ice[0].(map[string]any)
	return c, e["username"].(string), e["credential"].(string)
}

// turnClient is a TURN client on its own UDP socket.
func turnClient(t *testing.T, hostPort, user, pass string) *turn.Client {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := turn.NewClient(&turn.ClientConfig{
		STUNServerAddr: hostPort, TURNServerAddr: hostPort, Conn: conn,
		Username: user, Password: pass, Realm: turnrelay.DefaultRealm,
		RTO: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); conn.Close() })
	return c
}

// TestTURNCredentialsFollowSeat is repro 4 of issue 11: the credentials of
// a peer that has disconnected start no allocation (300 tries); a seated
// peer gets at most its quota; when it leaves its room its allocations are
// revoked at once.
func TestTURNCredentialsFollowSeat(t *testing.T) {
	svc := startService(t, service.Settings{TURN: true, RoomCapacity: 2})
	hostPort := "127.0.0.1:" + strconv.Itoa(svc.Relay().Port)

	gone, user, pass := turnCreds(t, svc, "r1")
	gone.bye()
	testwait.Until(t, "the peer is gone", readTimeout, func() bool { return svc.Hub().Stats().Peers == 0 })
	refusedGone := 0
	for range 300 {
		c := turnClient(t, hostPort, user, pass)
		if _, err := c.Allocate(); err != nil {
			refusedGone++
		}
		c.Close()
	}
	if st := svc.Relay(); st.ActiveAllocations != 0 {
		t.Errorf("%d allocations open after a gone peer's tries", st.ActiveAllocations)
	}
	if refusedGone != 300 {
		t.Errorf("%d of 300 allocations with a gone peer's credentials refused, want all", 300-refusedGone)
	}

	seated, user, pass := turnCreds(t, svc, "r2")
	granted, refusedQuota := 0, 0
	var relays []net.PacketConn
	for range 2 * turnrelay.DefaultMaxAllocationsPerPeer {
		c := turnClient(t, hostPort, user, pass)
		r, err := c.Allocate()
		if err != nil {
			refusedQuota++
			continue
		}
		granted++
		relays = append(relays, r)
	}
	if granted != turnrelay.DefaultMaxAllocationsPerPeer {
		t.Errorf("a seated peer got %d allocations, want its quota %d", granted, turnrelay.DefaultMaxAllocationsPerPeer)
	}
	if err := seated.send(map[string]any{"type": "leave"}); err != nil {
		t.Fatal(err)
	}
	testwait.Until(t, "the allocations are revoked", readTimeout, func() bool {
		return svc.Relay().ActiveAllocations == 0 || revoked(svc) >= uint64(granted)
	})
	for _, r := range relays {
		r.Close()
	}
	t.Logf("FIGURES repro 4: gone peer's credentials: %d of 300 allocations refused; seated peer: %d granted, %d refused over quota, %d revoked on leave (%d allocations left)",
		refusedGone, granted, refusedQuota, revoked(svc), svc.Relay().ActiveAllocations)
}

// revoked reads the relay's revocation count through the service.
func revoked(svc *service.Service) uint64 { return svc.Relay().RevokedAllocations }

// TestTURNStaysInTheClassroom is repro 5 of issue 11: with the relay on
// this machine (no LAN served), permissions to link-local, other private
// networks and cloud metadata are refused, and datagrams to the laptop's
// own ports (its HTTP port here) are not carried; two relays still talk.
func TestTURNStaysInTheClassroom(t *testing.T) {
	svc := startService(t, service.Settings{TURN: true, RoomCapacity: 2})
	hostPort := "127.0.0.1:" + strconv.Itoa(svc.Relay().Port)
	_, user, pass := turnCreds(t, svc, "r")
	c := turnClient(t, hostPort, user, pass)
	relay, err := c.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	refused := 0
	for _, ip := range []string{"169.254.169.254", "169.254.1.1", "10.0.0.1", "172.17.0.1", "192.168.99.1", "8.8.8.8", "127.0.0.2"} {
		if err := c.CreatePermission(&net.UDPAddr{IP: net.ParseIP(ip), Port: 80}); err == nil {
			t.Errorf("permission to %s granted", ip)
		} else {
			refused++
		}
	}
	// The laptop's own service: a UDP socket on the relay address.
	own, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	if _, err := relay.WriteTo([]byte("to the laptop"), own.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	// Another peer's relay is reached: the datagram to it proves the one
	// to the laptop, sent first, was dropped and not delayed.
	_, user2, pass2 := turnCreds(t, svc, "r")
	c2 := turnClient(t, hostPort, user2, pass2)
	relay2, err := c2.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	defer relay2.Close()
	if _, err := relay2.WriteTo([]byte("permit"), relay.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if _, err := relay.WriteTo([]byte("to a peer"), relay2.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	relay2.SetReadDeadline(time.Now().Add(readTimeout))
	for {
		n, _, err := relay2.ReadFrom(buf)
		if err != nil {
			t.Fatalf("relay to relay: %v", err)
		}
		if string(buf[:n]) == "to a peer" {
			break
		}
	}
	own.SetReadDeadline(time.Now().Add(50 * time.Millisecond)) // it was dropped before the other was sent
	if n, _, err := own.ReadFrom(buf); err == nil {
		t.Errorf("the laptop's own port got %q through the relay", buf[:n])
	}
	t.Logf("FIGURES repro 5: %d of 7 permissions beyond the classroom refused; datagrams to the laptop's own ports dropped: %d",
		refused, svc.Relay().DroppedDatagrams)
	if svc.Relay().DroppedDatagrams == 0 {
		t.Error("no datagram counted as dropped")
	}
}
