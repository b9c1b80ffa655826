package turnrelay

import (
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/pion/turn/v4"
)

// Socket buffer sizes asked of the kernel, which caps them at
// net.core.rmem_max and wmem_max (208 KiB on a stock Linux, so raise those
// to get them). A class's video arrives in bursts (a frame is several
// packets at once, from dozens of students) and the relay reads each socket
// with one goroutine that the scheduler may hold back for milliseconds; the
// default buffers then overflow and drop packets (measured with
// scripts/bench-turn.sh, docs/benchmarks.md). coturn asks for 2 MiB too.
const (
	// listenSocketBuffer is for the UDP port every client sends to.
	listenSocketBuffer = 4 << 20
	// relaySocketBuffer is for each allocation's relay socket: one client's
	// share.
	relaySocketBuffer = 1 << 20
)

// growBuffers asks for size-byte receive and send buffers on pc when it is
// a UDP socket. Best effort: the kernel grants what its limits allow, and a
// refusal changes nothing but the headroom.
func growBuffers(pc net.PacketConn, size int) {
	if u, ok := pc.(*net.UDPConn); ok {
		_ = u.SetReadBuffer(size)
		_ = u.SetWriteBuffer(size)
	}
}

// maxPortAttempts is how many ports listenPair tries when Config.Port is 0:
// the TCP port the kernel picks may be taken for UDP, and then it tries
// another.
const maxPortAttempts = 10

// listenPair listens on UDP and TCP on the same port of ip (nil: all
// interfaces). With port 0 it picks a port free for both.
func listenPair(ip net.IP, port int) (net.PacketConn, net.Listener, error) {
	host := ""
	if ip != nil {
		host = ip.String()
	}
	attempts := 1
	if port == 0 {
		attempts = maxPortAttempts
	}
	var lastErr error
	for range attempts {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return nil, nil, err
		}
		tcpPort := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", net.JoinHostPort(host, strconv.Itoa(tcpPort)))
		if err == nil {
			growBuffers(pc, listenSocketBuffer)
			return newBatchConn(pc, listenBatch), ln, nil
		}
		lastErr = errors.Join(err, ln.Close())
	}
	return nil, nil, lastErr
}

// trackingListener remembers the connections it accepts, so Close can close
// them: pion/turn's Server.Close closes the listener but not the connections
// it accepted.
type trackingListener struct {
	net.Listener

	mu     sync.Mutex
	conns  map[*trackedConn]struct{}
	closed bool
}

func newTrackingListener(l net.Listener) *trackingListener {
	return &trackingListener{Listener: l, conns: make(map[*trackedConn]struct{})}
}

// Accept accepts a connection and tracks it until it is closed.
func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, owner: l}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		_ = c.Close() // raced with closeConns: refuse it
		return nil, net.ErrClosed
	}
	l.conns[tc] = struct{}{}
	return tc, nil
}

// closeConns closes every tracked connection and refuses new ones.
func (l *trackingListener) closeConns() error {
	l.mu.Lock()
	l.closed = true
	conns := make([]*trackedConn, 0, len(l.conns))
	for c := range l.conns {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	var errs []error
	for _, c := range conns {
		if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// trackedConn removes itself from its listener when closed.
type trackedConn struct {
	net.Conn
	owner *trackingListener
}

// Close closes the connection and forgets it.
func (c *trackedConn) Close() error {
	c.owner.mu.Lock()
	delete(c.owner.conns, c)
	c.owner.mu.Unlock()
	return c.Conn.Close()
}

// relayGenerator hands pion relay sockets on one IPv4 address and wraps
// each one to count the bytes it relays and keep it to its peers.
type relayGenerator struct {
	turn.RelayAddressGeneratorStatic
	relayed *atomic.Uint64
	srv     *Server
}

// AllocatePacketConn opens a relay socket, wraps it in a countingConn and
// registers it with the server (for Revoke and the own-port rule).
func (g *relayGenerator) AllocatePacketConn(network string, requestedPort int) (net.PacketConn, net.Addr, error) {
	conn, addr, err := g.RelayAddressGeneratorStatic.AllocatePacketConn(network, requestedPort)
	if err != nil {
		return nil, nil, err
	}
	growBuffers(conn, relaySocketBuffer)
	c := &countingConn{PacketConn: newBatchConn(conn, relayBatch), n: g.relayed, srv: g.srv, key: addr.String()}
	if ua, ok := addr.(*net.UDPAddr); ok {
		c.port = ua.Port
	}
	g.srv.addRelay(c)
	return c, addr, nil
}

// countingConn adds the payload bytes it reads and writes to n: everything a
// relay socket exchanges with peers. It drops datagrams to and from this
// machine's own addresses unless they are another relay socket: a client
// may relay to a peer on the same relay, never to the laptop's services.
type countingConn struct {
	net.PacketConn
	n    *atomic.Uint64
	srv  *Server
	key  string // the relay address, as registered
	port int
	peer string        // the peer id of its allocation, set when pion reports it (srv.mu)
	own  atomic.Uint64 // the bytes this socket relayed, for Server.PeerBytes

	closeOnce sync.Once
}

// Close closes the socket and forgets it. Only the first call closes:
// pion closes the socket of an allocation that Revoke closed already, and
// would log the second close's error.
func (c *countingConn) Close() error {
	err := net.ErrClosed
	c.closeOnce.Do(func() {
		c.srv.removeRelay(c)
		err = c.PacketConn.Close()
	})
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// ReadFrom reads a datagram from a peer and counts it; a datagram from one
// of this machine's addresses other than a relay socket is dropped.
func (c *countingConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		n, addr, err := c.PacketConn.ReadFrom(p)
		if err == nil && !c.srv.mayRelay(addr) {
			c.srv.dropped()
			continue
		}
		c.n.Add(uint64(max(n, 0)))
		c.own.Add(uint64(max(n, 0)))
		return n, addr, err
	}
}

// WriteTo writes a datagram to a peer and counts it. It counts before
// sending, so the count already holds the datagram when the peer answers,
// and takes back whatever was not sent. A datagram to one of this
// machine's addresses other than a relay socket is dropped unsent.
func (c *countingConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	if !c.srv.mayRelay(addr) {
		c.srv.dropped()
		return len(p), nil // as a lost datagram: UDP promises nothing
	}
	c.n.Add(uint64(len(p)))
	c.own.Add(uint64(len(p)))
	n, err := c.PacketConn.WriteTo(p, addr)
	if unsent := len(p) - max(n, 0); unsent > 0 {
		c.n.Add(^uint64(unsent - 1)) // subtracts unsent
		c.own.Add(^uint64(unsent - 1))
	}
	return n, err
}
