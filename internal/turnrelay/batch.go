package turnrelay

import (
	"net"
	"sync"

	"golang.org/x/net/ipv4"
)

// Batch sizes for batchConn: how many datagrams one recvmmsg may take. A
// student's video frame arrives as a burst of several packets (5–6 at
// 1.5 Mbit/s), and the UDP port gets every client's bursts.
const (
	// listenBatch is for the UDP port every client sends to.
	listenBatch = 32
	// relayBatch is for each allocation's relay socket: one peer's bursts.
	relayBatch = 8
	// batchBufSize holds one datagram: pion's read buffers are 1,600 bytes
	// (the relay sockets, rtpMTU) and 1,600 on the UDP port
	// (inboundMTU); a larger datagram is cut there anyway.
	batchBufSize = 1600
)

// batchConn reads a UDP socket's datagrams several at a time with
// recvmmsg (golang.org/x/net/ipv4's ReadBatch) and hands them out one per
// ReadFrom, so a burst costs one system call and one goroutine wake-up
// instead of one each per datagram: pion/turn reads each socket with one
// goroutine that calls ReadFrom in a loop, and every wake-up is a thread
// hand-off (docs/benchmarks.md, where the relay's time goes). Writes and
// everything else go straight to the socket. ReadFrom is safe for
// concurrent use, though pion calls it from one goroutine.
//
// Hand-written: x/net offers the batch call, not a net.PacketConn that
// reads through it, which is what pion/turn takes.
type batchConn struct {
	*net.UDPConn
	batch *ipv4.PacketConn

	mu      sync.Mutex
	msgs    []ipv4.Message
	next, n int // msgs[next:n] are read and not yet handed out
}

// newBatchConn wraps pc in a batchConn reading up to size datagrams a call
// when it is a UDP socket, and returns pc unchanged otherwise.
func newBatchConn(pc net.PacketConn, size int) net.PacketConn {
	u, ok := pc.(*net.UDPConn)
	if !ok {
		return pc
	}
	c := &batchConn{UDPConn: u, batch: ipv4.NewPacketConn(u), msgs: make([]ipv4.Message, size)}
	buf := make([]byte, size*batchBufSize)
	for i := range c.msgs {
		c.msgs[i].Buffers = [][]byte{buf[i*batchBufSize : (i+1)*batchBufSize : (i+1)*batchBufSize]}
	}
	return c
}

// ReadFrom returns the next datagram read, reading a new batch (blocking
// until at least one datagram is there) when none is left. A datagram
// longer than p is cut to len(p), as a plain read would.
func (c *batchConn) ReadFrom(p []byte) (int, net.Addr, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next >= c.n {
		n, err := c.batch.ReadBatch(c.msgs, 0)
		if err != nil {
			c.next, c.n = 0, 0
			return 0, nil, err
		}
		c.next, c.n = 0, n
	}
	m := &c.msgs[c.next]
	c.next++
	return copy(p, m.Buffers[0][:m.N]), m.Addr, nil
}
