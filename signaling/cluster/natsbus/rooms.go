package natsbus

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"signalbox/signaling"
)

// key is a room's key in the bucket: its name in base64url, as keys allow
// only a few characters.
func key(room string) string { return base64.RawURLEncoding.EncodeToString([]byte(room)) }

// errNoChange tells change that the state needs no write.
var errNoChange = errors.New("no change")

// change applies fn to the room's state by compare-and-set, retrying when
// another server changed it in between, then tells the servers of the
// room's members, before and after, the new state. It returns the new
// state (the current one when fn says errNoChange).
func (b *Bus) change(room string, fn func(*signaling.RoomState) error) (signaling.RoomState, error) {
	b.mu.Lock()
	kv := b.kv
	b.mu.Unlock()
	if kv == nil || !b.nc.IsConnected() {
		return signaling.RoomState{}, fmt.Errorf("%q: %w", room, signaling.ErrClusterUnavailable)
	}
	k := key(room)
	b.slots <- struct{}{}
	defer func() { <-b.slots }()
	for range maxCAS {
		ctx, cancel := context.WithTimeout(context.Background(), b.cfg.OpTimeout)
		st, exists, err := get(ctx, kv, k)
		if err != nil {
			cancel()
			return st, b.failed("read room", err)
		}
		st.Name = room
		old := servers(st, nil)
		err = fn(&st)
		if errors.Is(err, errNoChange) {
			cancel()
			return st, nil
		}
		if err != nil {
			cancel()
			return st, err
		}
		data, _ := json.Marshal(st)
		var rev uint64
		if exists {
			rev, err = kv.Update(ctx, k, data, st.Rev)
		} else {
			rev, err = kv.Create(ctx, k, data)
		}
		cancel()
		if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			continue
		}
		if err != nil {
			// The write may have been made though its answer was lost:
			// if the room now holds exactly what we wrote, it was.
			if rev = b.made(kv, k, data); rev == 0 {
				return st, b.failed("write room", err)
			}
		}
		b.succeeded()
		st.Rev = rev
		b.remember(st)
		b.announce(st, servers(st, old))
		return st, nil
	}
	return signaling.RoomState{}, b.failed("write room", errors.New("too many concurrent changes"))
}

// made returns the revision of key k if its value is data, else 0.
func (b *Bus) made(kv jetstream.KeyValue, k string, data []byte) uint64 {
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.OpTimeout)
	defer cancel()
	e, err := kv.Get(ctx, k)
	if err != nil || !bytes.Equal(e.Value(), data) {
		return 0
	}
	return e.Revision()
}

// get reads a room's state; a missing room is an empty state.
func get(ctx context.Context, kv jetstream.KeyValue, k string) (signaling.RoomState, bool, error) {
	var st signaling.RoomState
	e, err := kv.Get(ctx, k)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return st, false, nil
	}
	if err != nil {
		return st, false, err
	}
	if err := json.Unmarshal(e.Value(), &st); err != nil {
		return st, false, fmt.Errorf("room state: %w", err)
	}
	st.Rev = e.Revision()
	return st, true, nil
}

// servers adds to acc the servers of st's members, once each.
func servers(st signaling.RoomState, acc []string) []string {
	for _, m := range st.Members {
		if !slices.Contains(acc, m.Server) {
			acc = append(acc, m.Server)
		}
	}
	return acc
}

// remember keeps st in the mirror if it is newer.
func (b *Bus) remember(st signaling.RoomState) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if cur, ok := b.mirror[st.Name]; ok && cur.Rev >= st.Rev {
		return
	}
	b.mirror[st.Name] = st
	for _, m := range st.Members {
		if _, ok := b.lastSeen[m.Server]; !ok {
			b.lastSeen[m.Server] = time.Now() // first sighting starts its clock
		}
	}
}

// watch keeps the mirror of every room from the bucket, and hands the
// hub states it may have missed (a state sent while a connection blinked).
func (b *Bus) watch(ctx context.Context, w jetstream.KeyWatcher) {
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.Updates():
			if !ok {
				return
			}
			if e == nil {
				continue // the end of the initial values
			}
			name, err := base64.RawURLEncoding.DecodeString(e.Key())
			if err != nil {
				continue
			}
			var st signaling.RoomState
			if e.Operation() == jetstream.KeyValuePut {
				if err := json.Unmarshal(e.Value(), &st); err != nil {
					continue
				}
			}
			st.Name, st.Rev = string(name), e.Revision()
			b.remember(st)
			b.hub.ApplyRoom(st)
		}
	}
}

// Rooms lists the rooms that have members, as last seen.
func (b *Bus) Rooms() []signaling.RoomState {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]signaling.RoomState, 0, len(b.mirror))
	for _, st := range b.mirror {
		if len(st.Members) > 0 {
			out = append(out, st)
		}
	}
	return out
}

// Room is the room named name as last seen.
func (b *Bus) Room(name string) (signaling.RoomState, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st, ok := b.mirror[name]
	return st, ok
}

// findRoom returns the room whose members include one matching pred.
func (b *Bus) findRoom(pred func(signaling.Member) bool) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for name, st := range b.mirror {
		for _, m := range st.Members {
			if pred(m) {
				return name, true
			}
		}
	}
	return "", false
}

// depart records that id left st for reason.
func depart(st *signaling.RoomState, id string, reason signaling.Reason) {
	st.Departed = append(st.Departed, signaling.Departure{ID: id, Reason: reason})
	if n := len(st.Departed); n > keepDepartures {
		st.Departed = append([]signaling.Departure(nil), st.Departed[n-keepDepartures:]...)
	}
}

// removeIf takes out of st the members for which pred holds, recording
// reason, and reports how many.
func removeIf(st *signaling.RoomState, reason signaling.Reason, pred func(signaling.Member) bool) int {
	kept := st.Members[:0:0]
	n := 0
	for _, m := range st.Members {
		if pred(m) {
			depart(st, m.ID, reason)
			n++
			continue
		}
		kept = append(kept, m)
	}
	st.Members = kept
	return n
}
