package turnrelay

import "net"

// Batch sizes for batchConn: how many datagrams one recvmmsg may take. A
// student's video frame arrives as a burst of several packets (5–6 at
// 1.5 Mbit/s), and the UDP port gets every client's bursts.
const (
	// listenBatch is for the UDP port every client sends to.
	listenBatch = 32
	// relayBatch is for each allocation's relay socket: one peer's bursts.
	relayBatch = 8
	// batchBufSize holds one datagram: pion's read buffers are 1,600 bytes
	// (the relay sockets' rtpMTU and the UDP port's inboundMTU), and it
	// drops or cuts a larger datagram there anyway.
	batchBufSize = 1600
)

// newBatchConn wraps pc in a batchConn reading up to size datagrams a call
// where the platform has one (Linux) and pc is a UDP socket, and returns pc
// unchanged otherwise.
func newBatchConn(pc net.PacketConn, size int) net.PacketConn {
	u, ok := pc.(*net.UDPConn)
	if !ok {
		return pc
	}
	c, err := newPlatformBatchConn(u, size)
	if err != nil {
		return pc // plain reads and writes: slower, as correct
	}
	return c
}
