package native

import (
	"errors"

	"signalbox/signaling"
)

// handle parses one client frame and routes it to the hub. Every failure
// goes back to the client as an error frame with its code; a flood is told
// once (transport.Guard). It reports false when the client has misbehaved
// too often in a row and must go.
func (c *conn) handle(frame []byte) bool {
	p := c.peer.Load()
	if ok, tell := c.guard.Admit(p); !ok {
		if tell {
			p.SendError("", signaling.ErrRateLimited)
		}
		return true
	}
	req, err := decodeRequest(frame)
	if err == nil {
		err = c.route(p, req)
	}
	if err != nil {
		p.SendError(req.Type, err)
	}
	return c.guard.Done(p, "request", req.Type, err)
}

// route carries out one valid request.
func (c *conn) route(p *signaling.Peer, req request) error {
	switch req.Type {
	case typeJoin:
		return c.hub.JoinWith(p, req.Room, signaling.JoinOptions{Name: req.Name, ChatOnly: req.ChatOnly, Overflow: req.Overflow})
	case typeRename:
		return c.hub.Rename(p, req.Name)
	case typeLeave:
		return c.hub.Leave(p)
	case typeSignal:
		return c.hub.Signal(p, req.To, req.Data)
	case typeBroadcast:
		return c.hub.Broadcast(p, req.Data)
	case typeResume:
		seat, err := c.hub.Resume(p, req.Token, req.LastSeq)
		if err != nil {
			return err
		}
		c.peer.Store(seat)
		c.Wake()
		return nil
	case typePing:
		p.Send(&signaling.Message{Kind: signaling.KindFrame, Frame: pongJSON, Transient: true})
		return nil
	}
	return errors.New("unrouted request type " + req.Type) // decodeRequest admits no other type
}

var pongJSON = []byte(`{"type":"pong"}`)
