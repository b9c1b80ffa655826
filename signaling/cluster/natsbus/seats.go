package natsbus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"signalbox/signaling"
)

// Seat takes a seat for m in room: the compare-and-set on the room's key
// makes the capacity exact whatever the number of servers joining at once.
// For a class's student (class not ""), a room of another class or of
// none, named like one of the class's rooms, counts as full.
func (b *Bus) Seat(room string, m signaling.Member, capacity int, class string) (signaling.RoomState, error) {
	st, err := b.change(room, func(st *signaling.RoomState) error {
		if len(st.Members) == 0 { // a new room, or an old key of an emptied one
			*st = signaling.RoomState{Name: room, Rev: st.Rev, Capacity: capacity, Class: class}
		}
		if class != "" && room != class && st.Class != class {
			return fmt.Errorf("join %q for class %q: a room of its own: %w", room, class, signaling.ErrRoomFull)
		}
		for _, o := range st.Members {
			if o.ID == m.ID {
				return fmt.Errorf("join %q: %w", room, signaling.ErrAlreadyInRoom)
			}
		}
		switch {
		case st.Locked:
			return fmt.Errorf("join %q: %w", room, signaling.ErrRoomLocked)
		case len(st.Members) >= st.Capacity:
			return fmt.Errorf("join %q (%d of %d): %w", room, len(st.Members), st.Capacity, signaling.ErrRoomFull)
		}
		st.Members = append(st.Members, m)
		return nil
	})
	if errors.Is(err, signaling.ErrClusterUnavailable) {
		// The seat may have been taken though the answer was lost; the
		// peer is told it was not, so make sure it is not.
		b.Unseat(room, m, signaling.ReasonLeft)
	}
	return st, err
}

// Unseat queues the end of m's seat; the worker makes it, in order, as
// soon as the cluster can be reached.
func (b *Bus) Unseat(room string, m signaling.Member, reason signaling.Reason) {
	b.enqueue(unseat{room: room, m: m, reason: reason})
}

// Retoken queues the change of m's token hash, made in order with the
// seat changes.
func (b *Bus) Retoken(room string, m signaling.Member) {
	b.enqueue(unseat{room: room, m: m, retoken: true})
}

// Rename queues the change of m's name, made in order with the seat
// changes.
func (b *Bus) Rename(room string, m signaling.Member) {
	b.enqueue(unseat{room: room, m: m, rename: true})
}

func (b *Bus) enqueue(u unseat) {
	b.mu.Lock()
	b.queue = append(b.queue, u)
	b.mu.Unlock()
	b.kick()
}

func (b *Bus) kick() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// work makes the queued seat changes in order, retrying while the cluster
// cannot be reached, and ends the seats of servers gone silent.
func (b *Bus) work(ctx context.Context) {
	defer b.done.Done()
	tick := time.NewTicker(b.cfg.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.wake:
		case <-tick.C:
			b.reap()
		}
		for b.drain() {
			select {
			case <-ctx.Done():
				return
			case <-time.After(b.cfg.Heartbeat / 4): // the cluster is unreachable: try again soon
			}
		}
	}
}

// drain makes the queued changes; it reports true when one failed and is
// still queued.
func (b *Bus) drain() bool {
	for {
		b.mu.Lock()
		if len(b.queue) == 0 {
			b.mu.Unlock()
			return false
		}
		u := b.queue[0]
		b.mu.Unlock()
		st, err := b.change(u.room, func(st *signaling.RoomState) error {
			self := b.cfg.ServerID
			if u.rename {
				for i, o := range st.Members {
					if o.ID == u.m.ID && o.Seat == u.m.Seat && o.Server == self && o.Renames < u.m.Renames {
						st.Members[i].Name, st.Members[i].Renames = u.m.Name, u.m.Renames
						return nil
					}
				}
				return errNoChange // gone, moved, or renamed later already
			}
			if u.retoken {
				for i, o := range st.Members {
					if o.ID == u.m.ID && o.Seat == u.m.Seat && o.Server == self {
						st.Members[i].TokenHash = u.m.TokenHash
						return nil
					}
				}
				return errNoChange
			}
			if removeIf(st, u.reason, func(o signaling.Member) bool {
				return o.ID == u.m.ID && o.Seat == u.m.Seat && o.Server == self
			}) == 0 {
				return errNoChange // already gone (expired by others, kicked, moved)
			}
			return nil
		})
		if err != nil {
			return true
		}
		b.mu.Lock()
		b.queue = b.queue[1:]
		b.mu.Unlock()
		b.hub.ApplyRoom(st)
	}
}

// Resume moves the seat with tokenHash to this server.
func (b *Bus) Resume(tokenHash, newTokenHash string) (signaling.RoomState, signaling.Member, error) {
	room, ok := b.findRoom(func(m signaling.Member) bool { return m.TokenHash == tokenHash })
	if !ok {
		// The seat may be so new that this server's mirror has not seen
		// it yet; the server it was taken on has.
		reply, err := b.nc.Request(b.prefix+"find", []byte(tokenHash), findTimeout)
		if err != nil {
			return signaling.RoomState{}, signaling.Member{}, signaling.ErrBadToken
		}
		room = string(reply.Data)
	}
	var seat signaling.Member
	st, err := b.change(room, func(st *signaling.RoomState) error {
		for i, m := range st.Members {
			if m.TokenHash == tokenHash {
				st.Members[i].Server = b.cfg.ServerID
				st.Members[i].TokenHash = newTokenHash
				seat = st.Members[i]
				return nil
			}
		}
		return signaling.ErrBadToken
	})
	return st, seat, err
}

// findTimeout bounds the wait for another server to name the room of a
// token this one does not know; no answer means no such seat.
const findTimeout = 500 * time.Millisecond

// find answers, from the mirror, which room holds the seat of a token hash.
func (b *Bus) find(msg *nats.Msg) {
	hash := string(msg.Data)
	if room, ok := b.findRoom(func(m signaling.Member) bool { return m.TokenHash == hash }); ok {
		_ = msg.Respond([]byte(room)) // the asker may have given up
	}
}

// Kick ends the seat of peer id, wherever it is connected: its server
// sees the seat gone with reason kicked and closes its connection.
func (b *Bus) Kick(id string) error {
	room, ok := b.findRoom(func(m signaling.Member) bool { return m.ID == id })
	if !ok {
		return fmt.Errorf("kick %q: %w", id, signaling.ErrNoSuchPeer)
	}
	st, err := b.change(room, func(st *signaling.RoomState) error {
		if removeIf(st, signaling.ReasonKicked, func(m signaling.Member) bool { return m.ID == id }) == 0 {
			return fmt.Errorf("kick %q: %w", id, signaling.ErrNoSuchPeer)
		}
		return nil
	})
	if err == nil {
		b.hub.ApplyRoom(st)
	}
	return err
}

// Lock locks or unlocks room across the cluster.
func (b *Bus) Lock(room string, locked bool) error {
	st, err := b.change(room, func(st *signaling.RoomState) error {
		if len(st.Members) == 0 {
			return fmt.Errorf("lock %q: %w", room, signaling.ErrNoSuchRoom)
		}
		st.Locked = locked
		return nil
	})
	if err == nil {
		b.hub.ApplyRoom(st)
	}
	return err
}

// CloseRoom ends every seat of room; the peers stay connected.
func (b *Bus) CloseRoom(room string) error {
	st, err := b.change(room, func(st *signaling.RoomState) error {
		if removeIf(st, signaling.ReasonRoomClosed, func(signaling.Member) bool { return true }) == 0 {
			return fmt.Errorf("close %q: %w", room, signaling.ErrNoSuchRoom)
		}
		st.Locked = false
		return nil
	})
	if err == nil {
		b.hub.ApplyRoom(st)
	}
	return err
}
