package native

import (
	"errors"

	"signalbox/signaling"
)

// handle parses one client frame and routes it to the hub. Every failure
// goes back to the client as an error frame with its code. It reports
// false when the client has misbehaved too often in a row and must go.
func (c *conn) handle(frame []byte) bool {
	p := c.peer.Load()
	if !p.Allow() {
		// Tell a flooding client once, then drop its frames silently
		// until it slows down: answering each would double the flood.
		if !c.limited {
			p.SendError("", signaling.ErrRateLimited)
		}
		c.limited = true
		return true
	}
	c.limited = false
	req, err := decodeRequest(frame)
	if err == nil {
		err = c.route(p, req)
	}
	if err == nil {
		c.strikes = 0
		return true
	}
	p.SendError(req.Type, err)
	if _, coded := signaling.CodeOf(err); !coded {
		c.log.Error("request failed", "peer", p.ID(), "type", req.Type, "err", err)
	}
	c.strikes++
	return c.strikes < c.cfg.MaxStrikes
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
		p.Send(&signaling.Message{Kind: signaling.KindFrame, Frame: pongJSON})
		return nil
	}
	return errors.New("unrouted request type " + req.Type) // decodeRequest admits no other type
}

var pongJSON = []byte(`{"type":"pong"}`)
