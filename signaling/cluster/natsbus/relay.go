package natsbus

import (
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go"

	"signalbox/signaling"
)

// envelope is what servers send each other on their own subjects.
type envelope struct {
	State    *signaling.RoomState `json:"s,omitempty"`
	Delivery *signaling.Delivery  `json:"d,omitempty"`
}

// announce sends st to the other servers in to.
func (b *Bus) announce(st signaling.RoomState, to []string) {
	data, _ := json.Marshal(envelope{State: &st})
	for _, srv := range to {
		if srv != b.cfg.ServerID {
			if err := b.nc.Publish(b.prefix+"srv."+srv, data); err != nil {
				b.log.Debug("room state not sent; the watcher will carry it", "to", srv, "err", err)
			}
		}
	}
}

// inbound handles what another server sent this one.
func (b *Bus) inbound(msg *nats.Msg) {
	var e envelope
	if err := json.Unmarshal(msg.Data, &e); err != nil {
		b.log.Warn("malformed cluster message", "err", err)
		return
	}
	switch {
	case e.Delivery != nil:
		b.hub.Deliver(*e.Delivery)
	case e.State != nil:
		b.remember(*e.State)
		b.hub.ApplyRoom(*e.State)
	}
}

// Send relays d to server srv.
func (b *Bus) Send(srv string, d signaling.Delivery) error {
	data, err := json.Marshal(envelope{Delivery: &d})
	if err != nil {
		return err
	}
	if err := b.nc.Publish(b.prefix+"srv."+srv, data); err != nil {
		return fmt.Errorf("relay to server %s: %w: %w", srv, signaling.ErrClusterUnavailable, err)
	}
	return nil
}
