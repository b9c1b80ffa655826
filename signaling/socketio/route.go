package socketio

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"

	"signalbox/signaling"
	"signalbox/signaling/socketio/sioproto"
	"signalbox/signaling/transport"
)

// handle acts on one Socket.IO packet from the client. As the reference
// server does, a malformed packet, or anything but CONNECT before the
// client has connected, closes the session. A binary packet waits for its
// attachments (see binary.go).
func (c *conn) handle(data string) {
	if c.bin != nil {
		c.log.Info("text packet while attachments are awaited")
		c.Close(reasonProtocol)
		return
	}
	pk, err := sioproto.Decode(data)
	if err != nil {
		c.log.Info("malformed packet", "err", err)
		c.Close(reasonProtocol)
		return
	}
	if pk.Binary() && pk.Attachments > 0 {
		c.bin = &assembly{pk: pk}
		return
	}
	c.dispatch(pk)
}

// dispatch acts on one whole packet: binary ones come with their
// attachments in place (as markers, see binary.go).
func (c *conn) dispatch(pk sioproto.Packet) {
	if pk.Namespace != sioproto.MainNamespace {
		if pk.Type == sioproto.Connect {
			c.reply(connectError(pk.Namespace, "Invalid namespace", nil))
		} // anything else is for a namespace the client is not in: ignored
		return
	}
	p := c.peer.Load()
	switch {
	case pk.Type == sioproto.Connect:
		c.connect(p, pk.Data)
	case p == nil:
		c.log.Info("packet before CONNECT", "type", pk.Type)
		c.Close(reasonProtocol)
	case pk.Type == sioproto.Disconnect:
		c.disconnect(p)
	case pk.Type == sioproto.Event, pk.Type == sioproto.BinaryEvent:
		c.event(p, pk)
	case pk.Type == sioproto.Ack, pk.Type == sioproto.BinaryAck:
		c.ack(p, pk.ID)
	default: // CONNECT_ERROR comes from servers only
		c.log.Info("unexpected packet", "type", pk.Type)
		c.Close(reasonProtocol)
	}
}

// auth is the part of the CONNECT payload (the client's auth option) the
// server reads.
type auth struct {
	Name string `json:"name"`
}

// connect registers the client's socket as a hub peer and answers with
// its id. A client already connected gets the same answer again.
func (c *conn) connect(p *signaling.Peer, data json.RawMessage) {
	if p != nil {
		c.reply(connectOK(p.ID()))
		return
	}
	var a auth
	_ = json.Unmarshal(data, &a) // the auth is optional and free-form
	info := signaling.ConnInfo{
		RemoteAddr: c.sess.RemoteAddr(),
		UserAgent:  c.sess.UserAgent(),
		Transport:  "socket.io/" + c.sess.Transport(),
		NoResume:   true, // a socket.io client reconnects as a new peer
	}
	p, err := c.srv.hub.Connect(info, c)
	if err != nil {
		// The client gives up on a CONNECT_ERROR; the connect timer closes
		// the session if it does not.
		e := errorFor("", err)
		c.reply(connectError(sioproto.MainNamespace, e.Message, &e))
		return
	}
	c.connectTimer.Stop()
	c.name = a.Name
	c.peer.Store(p)
	c.log.Debug("connected", "peer", p.ID(), "transport", info.Transport)
	p.Send(&signaling.Message{Kind: signaling.KindFrame, Frame: frame(connectOK(p.ID()))})
}

// disconnect ends the client's socket; the session stays open for another
// CONNECT, as the reference server's does.
func (c *conn) disconnect(p *signaling.Peer) {
	if c.peer.CompareAndSwap(p, nil) {
		c.srv.hub.Disconnect(p)
	}
	c.connectTimer.Reset(c.srv.hub.Config().HandshakeTimeout)
}

// event carries out one event and answers its ack id if it has one. Every
// failure reaches the client as an "error" event (and in its ack); too many
// in a row close the session; a flood is told once (transport.Guard).
func (c *conn) event(p *signaling.Peer, pk sioproto.Packet) {
	if ok, tell := c.guard.Admit(p); !ok {
		if tell {
			c.fail(p, pk, signaling.ErrRateLimited)
		}
		return
	}
	r, err := c.route(p, pk)
	if err != nil {
		c.fail(p, pk, err)
		if !c.guard.Done(p, "event", transport.Truncate(pk.Event, maxEventNameLen), err) {
			c.Close(reasonMisbehaving)
		}
		return
	}
	c.guard.Done(p, "event", pk.Event, nil)
	if pk.HasID {
		r.OK = true
		c.reply(ackPacket(pk.ID, r))
	}
}

// fail reports err for event pk: an "error" event, and the ack if one was
// asked for. (The Guard logs what carries no stable code.)
func (c *conn) fail(p *signaling.Peer, pk sioproto.Packet, err error) {
	name := transport.Truncate(pk.Event, maxEventNameLen)
	p.SendError(name, err)
	if pk.HasID {
		c.reply(ackPacket(pk.ID, errorReply(name, err)))
	}
}

// route carries out one event on the hub and returns what its ack says.
func (c *conn) route(p *signaling.Peer, pk sioproto.Packet) (reply, error) {
	switch pk.Event {
	case evCreateOrJoin:
		return c.createOrJoin(p, pk.Args)
	case evMessage:
		if len(pk.Args) == 0 || isNull(pk.Args[0]) {
			return reply{}, fmt.Errorf("message needs an argument: %w", signaling.ErrBadField)
		}
		if err := c.srv.hub.Broadcast(p, pk.Args[0]); err != nil {
			return reply{}, err
		}
		if pk.Binary() {
			c.reply(c.narrate("Got message:", fmt.Sprintf("(%d binary attachment(s))", pk.Attachments)))
		} else {
			c.reply(c.narrate("Got message:", pk.Args[0]))
		}
		return reply{}, nil
	case evIPAddr:
		addrs := c.srv.ipv4Addrs()
		packets := make([]string, len(addrs))
		for i, a := range addrs {
			packets[i] = event(evIPAddr, a)
		}
		if len(packets) > 0 {
			c.reply(packets...)
		}
		return reply{Addresses: addrs}, nil
	case evBye:
		room := p.RoomName()
		if err := c.srv.hub.Leave(p); err != nil {
			return reply{}, err
		}
		c.reply(c.narrate(fmt.Sprintf("Client ID %s left room %s", p.ID(), room)))
		return reply{Room: room}, nil
	}
	return reply{}, fmt.Errorf("event %q: %w", transport.Truncate(pk.Event, maxEventNameLen), signaling.ErrUnknownType)
}

// createOrJoin is the tutorial's "create or join"(room[, name]): the
// client joins the room, creating it if needed. The answer ("created" or
// "joined", then "ready" when the room is complete) comes from the hub's
// joined message; a full or locked room answers "full".
func (c *conn) createOrJoin(p *signaling.Peer, args []json.RawMessage) (reply, error) {
	room, err := roomArg(args)
	if err != nil {
		return reply{}, err
	}
	name := c.name
	if len(args) > 1 {
		var n string
		if json.Unmarshal(args[1], &n) == nil && n != "" {
			name = n
		}
	}
	c.reply(c.narrate("Request to create or join room " + room))
	err = c.srv.hub.Join(p, room, name)
	switch {
	case errors.Is(err, signaling.ErrRoomFull):
		c.reply(c.narrate("Room "+room+" is full"), event(evFull, room))
	case errors.Is(err, signaling.ErrRoomLocked):
		c.reply(c.narrate("Room "+room+" is locked"), event(evFull, room))
	}
	if err != nil {
		return reply{}, err
	}
	canonical, _ := signaling.RoomName(room) // Join accepted it
	return reply{Room: canonical, ID: p.ID()}, nil
}

// roomArg reads the room name: a string, or a number as the tutorial's
// prompt() may not give but a page may send.
func roomArg(args []json.RawMessage) (string, error) {
	if len(args) == 0 {
		return "", fmt.Errorf("create or join needs a room: %w", signaling.ErrBadField)
	}
	var room string
	if err := json.Unmarshal(args[0], &room); err == nil {
		return room, nil
	}
	var n json.Number
	if err := json.Unmarshal(args[0], &n); err == nil {
		return n.String(), nil
	}
	return "", fmt.Errorf("the room must be a string: %w", signaling.ErrBadField)
}

// ack takes the client's answer to the server's ack request ("ready").
func (c *conn) ack(p *signaling.Peer, id uint64) {
	room, ok := c.answered(id)
	if !ok {
		c.log.Debug("ack for no request", "id", id)
		return
	}
	c.reply(c.narrate(fmt.Sprintf("Client ID %s is ready in room %s", p.ID(), room)))
}

// ipv4Addrs lists the LAN IPv4 addresses answered to "ipaddr".
func (s *Server) ipv4Addrs() []string {
	var out []string
	for _, ip := range s.lanAddrs() {
		if v4 := ip.To4(); v4 != nil && !v4.IsLoopback() && !v4.IsUnspecified() {
			out = append(out, v4.String())
		}
	}
	return out
}

// interfaceAddrs returns the addresses of the up, non-loopback interfaces,
// leaving out link-local ones.
func interfaceAddrs() []net.IP {
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
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLinkLocalUnicast() {
				ips = append(ips, ipn.IP)
			}
		}
	}
	return ips
}

func isNull(raw json.RawMessage) bool { return string(raw) == "null" }
