package mdns

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"

	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

const (
	// mdnsPort is the mDNS port (RFC 6762 §3).
	mdnsPort = 5353
	// hostTTL is the TTL of the A/AAAA answers, in seconds: RFC 6762 §10
	// recommends 120 s for records that carry a host name, so a changed
	// address ages out quickly.
	hostTTL = 120
	// legacyTTL caps the TTL in answers to legacy unicast queries (RFC 6762
	// §6.7), which go to resolvers that do not watch for goodbyes.
	legacyTTL = 10
	// maxPacket is the largest mDNS packet read (RFC 6762 §17).
	maxPacket = 9000
	// multicastTTL is the IP TTL of everything the responder sends (RFC 6762
	// §11), so receivers can tell it came from the local link.
	multicastTTL = 255
	// classTopBit is the QU bit of a question's class and the cache-flush
	// bit of a record's class (RFC 6762 §5.4, §10.2).
	classTopBit = 1 << 15
)

// groupV4 and groupV6 return the mDNS multicast groups and port.
func groupV4() *net.UDPAddr { return &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: mdnsPort} }
func groupV6() *net.UDPAddr { return &net.UDPAddr{IP: net.ParseIP("ff02::fb"), Port: mdnsPort} }

// hostResponder answers mDNS A, AAAA and ANY queries for one host name with
// fixed addresses, on chosen interfaces only.
//
// It is hand-written because the libraries at hand do not do it:
// zeroconf v1.0.0 puts the host's address records into its service answers
// and announcements but ignores a query for the host name itself, and
// hashicorp/mdns answers every query by unicast to the sender only. It does
// no probing or conflict resolution and no known-answer suppression; zeroconf
// sends the announcements and goodbyes for these records.
type hostResponder struct {
	name   string       // fully qualified; compared case-insensitively
	v4, v6 []net.IP     // the answers
	ifaces map[int]bool // indexes of the interfaces to answer on
	conns  []packetConn
	log    *slog.Logger
	wg     sync.WaitGroup
}

// startHostResponder joins the mDNS groups on ifaces and answers for name
// until close. It fails only if neither IPv4 nor IPv6 works on any of them.
func startHostResponder(name string, addrs []net.IP, ifaces []net.Interface, log *slog.Logger) (*hostResponder, error) {
	h := &hostResponder{name: name, ifaces: make(map[int]bool, len(ifaces)), log: log}
	for _, ip := range addrs {
		if v4 := ip.To4(); v4 != nil {
			h.v4 = append(h.v4, v4)
		} else {
			h.v6 = append(h.v6, ip)
		}
	}
	for _, ifi := range ifaces {
		h.ifaces[ifi.Index] = true
	}
	c4, err4 := listenV4(ifaces)
	if c4 != nil {
		h.conns = append(h.conns, c4)
	}
	c6, err6 := listenV6(ifaces)
	if c6 != nil {
		h.conns = append(h.conns, c6)
	}
	if len(h.conns) == 0 {
		return nil, errors.Join(err4, err6)
	}
	if err := errors.Join(err4, err6); err != nil {
		log.Debug("mdns: host name answered on one IP version only", "err", err)
	}
	for _, c := range h.conns {
		h.wg.Go(func() { h.serve(c) })
	}
	return h, nil
}

// close stops answering and waits for the readers to return.
func (h *hostResponder) close() {
	for _, c := range h.conns {
		if err := c.close(); err != nil {
			h.log.Debug("mdns: closing host responder socket", "err", err)
		}
	}
	h.wg.Wait()
}

// serve answers the queries read from c until c is closed.
func (h *hostResponder) serve(c packetConn) {
	buf := make([]byte, maxPacket)
	for {
		n, ifIndex, src, err := c.read(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		// A socket bound to port 5353 also receives queries from
		// interfaces where another program joined the group: answer only
		// on the chosen ones.
		if err != nil || src == nil || !h.ifaces[ifIndex] {
			continue
		}
		var q dns.Msg
		if q.Unpack(buf[:n]) != nil {
			continue
		}
		resp, unicast := h.answer(&q, src.Port)
		if resp == nil {
			continue
		}
		b, err := resp.Pack()
		if err != nil {
			h.log.Warn("mdns: packing host name answer", "err", err)
			continue
		}
		dst := c.group()
		if unicast {
			dst = src
		}
		if err := c.write(b, ifIndex, dst); err != nil {
			h.log.Debug("mdns: sending host name answer", "to", dst, "err", err)
		}
	}
}

// answer builds the response to q, received from srcPort, and says whether
// it goes back to the sender by unicast. It returns nil when q asks nothing
// about the host name.
func (h *hostResponder) answer(q *dns.Msg, srcPort int) (resp *dns.Msg, unicast bool) {
	if q.Response || q.Opcode != dns.OpcodeQuery || q.Rcode != dns.RcodeSuccess {
		return nil, false
	}
	// A query from a port other than 5353 is a one-shot "legacy" query
	// from a plain DNS resolver (RFC 6762 §6.7).
	legacy := srcPort != mdnsPort
	var questions []dns.Question
	var answer, extra []dns.RR
	unicast = true
	for _, qu := range q.Question {
		class := qu.Qclass &^ classTopBit
		if !strings.EqualFold(qu.Name, h.name) || (class != dns.ClassINET && class != dns.ClassANY) {
			continue
		}
		var recs, others []dns.RR
		switch qu.Qtype {
		case dns.TypeA:
			recs, others = h.records(h.v4), h.records(h.v6)
		case dns.TypeAAAA:
			recs, others = h.records(h.v6), h.records(h.v4)
		case dns.TypeANY:
			recs = append(h.records(h.v4), h.records(h.v6)...)
		}
		if len(recs) == 0 {
			continue
		}
		questions = append(questions, qu)
		answer = append(answer, recs...)
		// RFC 6762 §6.2: put the other address family in the additional
		// section.
		extra = append(extra, others...)
		unicast = unicast && qu.Qclass&classTopBit != 0
	}
	if len(answer) == 0 {
		return nil, false
	}
	resp = &dns.Msg{
		MsgHdr:   dns.MsgHdr{Response: true, Authoritative: true},
		Compress: true,
		Answer:   answer,
		Extra:    extra,
	}
	if legacy {
		// RFC 6762 §6.7: echo the id and the question, cap the TTL, and
		// leave the cache-flush bit off.
		resp.Id = q.Id
		resp.Question = questions
		for _, rr := range append(answer, extra...) {
			rr.Header().Ttl = legacyTTL
		}
		return resp, true
	}
	for _, rr := range append(answer, extra...) {
		rr.Header().Class |= classTopBit // the host's records are unique
	}
	if unicast {
		resp.Id = q.Id // RFC 6762 §18.1
	}
	return resp, unicast
}

// records returns A or AAAA records for the host name, one per address.
func (h *hostResponder) records(ips []net.IP) []dns.RR {
	out := make([]dns.RR, 0, len(ips))
	for _, ip := range ips {
		hdr := dns.RR_Header{Name: h.name, Class: dns.ClassINET, Ttl: hostTTL}
		if ip.To4() != nil {
			hdr.Rrtype = dns.TypeA
			out = append(out, &dns.A{Hdr: hdr, A: ip})
		} else {
			hdr.Rrtype = dns.TypeAAAA
			out = append(out, &dns.AAAA{Hdr: hdr, AAAA: ip})
		}
	}
	return out
}

// packetConn is an IPv4 or IPv6 mDNS socket that reports the interface each
// packet came in on.
type packetConn interface {
	read(b []byte) (n, ifIndex int, src *net.UDPAddr, err error)
	write(b []byte, ifIndex int, dst *net.UDPAddr) error
	group() *net.UDPAddr
	close() error
}

// familyConn is an ipv4.PacketConn or an ipv6.PacketConn; CM is its
// control message.
type familyConn[CM any] interface {
	JoinGroup(ifi *net.Interface, group net.Addr) error
	SetMulticastLoopback(on bool) error
	ReadFrom(b []byte) (int, *CM, net.Addr, error)
	WriteTo(b []byte, cm *CM, dst net.Addr) (int, error)
	Close() error
}

// family is the packetConn of one IP version.
type family[CM any] struct {
	conn    familyConn[CM]
	grp     *net.UDPAddr
	ifIndex func(*CM) int         // the interface a packet came in on
	control func(ifIndex int) *CM // sends a packet out of ifIndex
}

// listenV4 binds port 5353 (shared with zeroconf: Go sets SO_REUSEADDR when
// the address is a multicast group) and joins the group on ifaces.
func listenV4(ifaces []net.Interface) (packetConn, error) {
	udp, err := net.ListenUDP("udp4", groupV4())
	if err != nil {
		return nil, fmt.Errorf("udp4: %w", err)
	}
	p := ipv4.NewPacketConn(udp)
	f := &family[ipv4.ControlMessage]{
		conn: p, grp: groupV4(),
		ifIndex: func(cm *ipv4.ControlMessage) int { return cm.IfIndex },
		control: func(i int) *ipv4.ControlMessage { return &ipv4.ControlMessage{IfIndex: i} },
	}
	return f.join("udp4", ifaces, errors.Join(p.SetControlMessage(ipv4.FlagInterface, true), p.SetMulticastTTL(multicastTTL)))
}

// listenV6 is listenV4 for IPv6.
func listenV6(ifaces []net.Interface) (packetConn, error) {
	udp, err := net.ListenUDP("udp6", groupV6())
	if err != nil {
		return nil, fmt.Errorf("udp6: %w", err)
	}
	p := ipv6.NewPacketConn(udp)
	f := &family[ipv6.ControlMessage]{
		conn: p, grp: groupV6(),
		ifIndex: func(cm *ipv6.ControlMessage) int { return cm.IfIndex },
		control: func(i int) *ipv6.ControlMessage { return &ipv6.ControlMessage{IfIndex: i} },
	}
	return f.join("udp6", ifaces, errors.Join(p.SetControlMessage(ipv6.FlagInterface, true), p.SetMulticastHopLimit(multicastTTL)))
}

// join joins the group on ifaces, on one at least, and turns multicast
// loopback on; setup is the error of the socket's other options. On any
// error the socket is closed.
func (f *family[CM]) join(network string, ifaces []net.Interface, setup error) (packetConn, error) {
	joined := 0
	for i := range ifaces {
		if f.conn.JoinGroup(&ifaces[i], f.grp) == nil {
			joined++
		}
	}
	err := errors.Join(setup, f.conn.SetMulticastLoopback(true))
	if joined == 0 {
		err = errors.Join(err, fmt.Errorf("joined the group on none of %d interfaces", len(ifaces)))
	}
	if err != nil {
		_ = f.conn.Close()
		return nil, fmt.Errorf("%s: %w", network, err)
	}
	return f, nil
}

func (f *family[CM]) read(b []byte) (int, int, *net.UDPAddr, error) {
	n, cm, src, err := f.conn.ReadFrom(b)
	if err != nil {
		return 0, 0, nil, err
	}
	ifIndex := 0
	if cm != nil {
		ifIndex = f.ifIndex(cm)
	}
	udp, _ := src.(*net.UDPAddr)
	return n, ifIndex, udp, nil
}

func (f *family[CM]) write(b []byte, ifIndex int, dst *net.UDPAddr) error {
	_, err := f.conn.WriteTo(b, f.control(ifIndex), dst)
	return err
}

func (f *family[CM]) group() *net.UDPAddr { return f.grp }
func (f *family[CM]) close() error        { return f.conn.Close() }
