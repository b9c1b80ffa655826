package natsbus

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"

	"signalbox/signaling"
)

// beat says this server is alive, every Heartbeat.
func (b *Bus) beat(ctx context.Context) {
	defer b.done.Done()
	t := time.NewTicker(b.cfg.Heartbeat)
	defer t.Stop()
	for {
		_ = b.nc.Publish(b.prefix+"hb", []byte(b.cfg.ServerID)) // fails only while disconnected
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// heartbeat notes that a server is alive.
func (b *Bus) heartbeat(msg *nats.Msg) {
	b.mu.Lock()
	b.lastSeen[string(msg.Data)] = time.Now()
	b.mu.Unlock()
}

// reap ends, with timed-out, the seats of servers silent for DeadAfter: a
// server killed without a goodbye. Every live server does it; the
// compare-and-set lets exactly one of them make each change. Nothing is
// reaped while this server itself is cut off.
func (b *Bus) reap() {
	if !b.nc.IsConnected() {
		return
	}
	b.mu.Lock()
	dead := map[string]bool{}
	for id, t := range b.lastSeen {
		if id != b.cfg.ServerID && time.Since(t) > b.cfg.DeadAfter {
			dead[id] = true
		}
	}
	var rooms []string
	for name, st := range b.mirror {
		for _, m := range st.Members {
			if dead[m.Server] {
				rooms = append(rooms, name)
				break
			}
		}
	}
	b.mu.Unlock()
	for _, room := range rooms {
		st, err := b.change(room, func(st *signaling.RoomState) error {
			if removeIf(st, signaling.ReasonTimedOut, func(m signaling.Member) bool { return dead[m.Server] }) == 0 {
				return errNoChange
			}
			return nil
		})
		if err != nil {
			return
		}
		b.log.Info("seats of a silent server ended", "room", room, "servers", len(dead))
		b.hub.ApplyRoom(st)
	}
	b.mu.Lock()
	for id := range dead {
		still := false
		for _, st := range b.mirror {
			for _, m := range st.Members {
				still = still || m.Server == id
			}
		}
		if !still {
			delete(b.lastSeen, id)
		}
	}
	b.mu.Unlock()
}
