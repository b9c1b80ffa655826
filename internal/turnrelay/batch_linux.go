package turnrelay

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// batchConn is a UDP socket that the relay's hot path reads and writes with
// fewer, cheaper system calls: ReadFrom takes a burst of datagrams with one
// recvmmsg and hands them out one per call, and WriteTo sends with sendto.
// Both are made as raw system calls through the socket's syscall.RawConn,
// on the non-blocking socket the runtime already polls: the goroutine keeps
// its processor for the few microseconds a UDP send or receive takes,
// instead of handing it off as an ordinary (blocking-capable) system call
// does, which on a busy machine wakes the runtime's monitor thread and
// another OS thread for nearly every relayed datagram (docs/benchmarks.md,
// where the relay's time goes). When nothing is there to read, or the send
// buffer is full, the runtime parks the goroutine on its poller as for any
// socket.
//
// The source address of each datagram is kept per slot and handed out
// again while it does not change (a relay socket hears one peer, the UDP
// port a few clients), so a datagram costs no allocation for it. Handed-out
// addresses are never modified.
//
// ReadFrom is safe for concurrent use (pion calls it from one goroutine);
// WriteTo too (every allocation writes to the UDP port). Everything else is
// the *net.UDPConn's.
//
// Hand-written: pion/turn reads and writes through a net.PacketConn, and
// neither the standard library nor x/net offers one that batches or skips
// the system-call hand-off (x/net's ReadBatch alone, tried, measured no
// gain: its recvmmsg is an ordinary system call).
type batchConn struct {
	*net.UDPConn
	rc     syscall.RawConn
	family uint16 // the socket's: AF_INET, or AF_INET6 (dual-stack, IPv4 peers v4-mapped)

	mu      sync.Mutex // the read side
	hdrs    []unix.Mmsghdr
	iovs    []unix.Iovec
	names   []unix.RawSockaddrInet6 // large enough for either family
	bufs    []byte
	addrs   []*net.UDPAddr // per slot, the last source address handed out
	next, n int            // hdrs[next:n] are read and not yet handed out
}

func newPlatformBatchConn(u *net.UDPConn, size int) (net.PacketConn, error) {
	rc, err := u.SyscallConn()
	if err != nil {
		return nil, err
	}
	local, ok := u.LocalAddr().(*net.UDPAddr)
	if !ok {
		return nil, fmt.Errorf("turnrelay: local address %v", u.LocalAddr())
	}
	var family uint16
	var ctrlErr error
	err = rc.Control(func(fd uintptr) {
		var domain int
		domain, ctrlErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_DOMAIN)
		family = uint16(domain)
	})
	if err = errors.Join(err, ctrlErr); err != nil {
		return nil, err
	}
	if family != unix.AF_INET && family != unix.AF_INET6 {
		return nil, fmt.Errorf("turnrelay: socket family %d on %v", family, local)
	}
	c := &batchConn{
		UDPConn: u, rc: rc, family: family,
		hdrs: make([]unix.Mmsghdr, size), iovs: make([]unix.Iovec, size),
		names: make([]unix.RawSockaddrInet6, size), bufs: make([]byte, size*batchBufSize),
		addrs: make([]*net.UDPAddr, size),
	}
	for i := range c.hdrs {
		c.iovs[i].Base = &c.bufs[i*batchBufSize]
		c.iovs[i].SetLen(batchBufSize)
		c.hdrs[i].Hdr.Iov = &c.iovs[i]
		c.hdrs[i].Hdr.SetIovlen(1)
		c.hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&c.names[i]))
	}
	return c, nil
}

// ReadFrom returns the next datagram read, reading a new burst (waiting
// until at least one datagram is there) when none is left. A datagram
// longer than p is cut to len(p), as a plain read would.
func (c *batchConn) ReadFrom(p []byte) (int, net.Addr, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next >= c.n {
		if err := c.readBatch(); err != nil {
			return 0, nil, err
		}
	}
	i := c.next
	c.next++
	n := min(int(c.hdrs[i].Len), batchBufSize)
	return copy(p, c.bufs[i*batchBufSize:i*batchBufSize+n]), c.addrs[i], nil
}

// readBatch fills hdrs[0:n] with one recvmmsg, and addrs with their
// senders. c.mu is held.
func (c *batchConn) readBatch() error {
	c.next, c.n = 0, 0
	for i := range c.hdrs {
		c.hdrs[i].Hdr.Namelen = unix.SizeofSockaddrInet6
		c.hdrs[i].Hdr.Flags = 0
		c.hdrs[i].Len = 0
	}
	var got uintptr
	var errno syscall.Errno
	err := c.rc.Read(func(fd uintptr) bool {
		got, _, errno = unix.RawSyscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&c.hdrs[0])), uintptr(len(c.hdrs)), unix.MSG_DONTWAIT, 0, 0)
		return errno != unix.EAGAIN && errno != unix.EINTR
	})
	if err == nil && errno != 0 {
		err = os.NewSyscallError("recvmmsg", errno)
	}
	if err != nil {
		return &net.OpError{Op: "read", Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Err: err}
	}
	for i := range int(got) {
		c.addrs[i] = c.sender(i)
	}
	c.n = int(got)
	return nil
}

// sender returns slot i's source address: the one handed out last from
// this slot when it is the same.
func (c *batchConn) sender(i int) *net.UDPAddr {
	sa := &c.names[i]
	var ip []byte
	zone := ""
	switch sa.Family {
	case unix.AF_INET:
		ip = (*unix.RawSockaddrInet4)(unsafe.Pointer(sa)).Addr[:]
	case unix.AF_INET6:
		ip = sa.Addr[:]
		if sa.Scope_id != 0 { // a link-local peer: the zone says which interface
			zone = strconv.FormatUint(uint64(sa.Scope_id), 10)
		}
	default:
		return nil
	}
	port := int(binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:]))
	if a := c.addrs[i]; a != nil && a.Port == port && a.Zone == zone && string(a.IP) == string(ip) {
		return a
	}
	return &net.UDPAddr{IP: append(net.IP(nil), ip...), Port: port, Zone: zone}
}

// WriteTo sends p to addr, a *net.UDPAddr.
func (c *batchConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok || len(p) == 0 {
		return c.UDPConn.WriteTo(p, addr) // the standard library's errors and edge cases
	}
	var sa unix.RawSockaddrInet6 // large enough for either family
	var salen uintptr
	port := (*[2]byte)(unsafe.Pointer(&sa.Port))
	binary.BigEndian.PutUint16(port[:], uint16(ua.Port))
	if c.family == unix.AF_INET {
		ip4 := ua.IP.To4()
		if ip4 == nil {
			return c.UDPConn.WriteTo(p, addr)
		}
		s4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(&sa))
		s4.Family = unix.AF_INET
		copy(s4.Addr[:], ip4)
		salen = unix.SizeofSockaddrInet4
	} else {
		ip16 := ua.IP.To16()
		if ip16 == nil || ua.Zone != "" {
			return c.UDPConn.WriteTo(p, addr) // a link-local peer: the standard library resolves the zone
		}
		sa.Family = unix.AF_INET6
		copy(sa.Addr[:], ip16)
		salen = unix.SizeofSockaddrInet6
	}
	var sent uintptr
	var errno syscall.Errno
	err := c.rc.Write(func(fd uintptr) bool {
		sent, _, errno = unix.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), 0, uintptr(unsafe.Pointer(&sa)), salen)
		return errno != unix.EAGAIN && errno != unix.EINTR
	})
	if err == nil && errno != 0 {
		err = os.NewSyscallError("sendto", errno)
	}
	if err != nil {
		return 0, &net.OpError{Op: "write", Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: addr, Err: err}
	}
	return int(sent), nil
}
