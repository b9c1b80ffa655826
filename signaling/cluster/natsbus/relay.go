package natsbus

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"

	"github.com/nats-io/nats.go"

	"signalbox/signaling"
)

// What servers send each other on their own subjects, sb.<cluster>.srv.<server>:
//   - a relay (signaling.Delivery) in a compact binary form, as relays are
//     the hot path of a cluster: JSON cost about 15 µs per relay to write
//     and read on the 2-core test machine, this about 1 µs;
//   - a room state, as JSON (an envelope), a few per join or leave.
//
// The first byte tells them apart: deliveryV1 for a relay, '{' for JSON.
//
// A relay is deliveryV1, its kind, a flags byte (flagChatOnly), the
// rename count as a uvarint, then six fields, each a uvarint length and
// its bytes: room, from id, from name, to, origin, data. Hand-written because no library encodes seven fields
// more simply, and gob or protobuf would cost more than they save here.

const (
	deliveryV1   byte = 1
	flagChatOnly byte = 1 << 0
	// maxRelay bounds a relay's encoded size: room, ids and names are short,
	// and data is at most the largest message a transport accepts.
	maxRelay = 1 << 20
)

// envelope is a room state between servers.
type envelope struct {
	State *signaling.RoomState `json:"s,omitempty"`
}

// appendDelivery appends d's encoding to dst.
func appendDelivery(dst []byte, d *signaling.Delivery) []byte {
	var flags byte
	if d.From.ChatOnly {
		flags |= flagChatOnly
	}
	dst = append(dst, deliveryV1, byte(d.Kind), flags)
	dst = binary.AppendUvarint(dst, uint64(d.Renames))
	for _, s := range [...]string{d.Room, d.From.ID, d.From.Name, d.To, d.Origin} {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	dst = binary.AppendUvarint(dst, uint64(len(d.Data)))
	return append(dst, d.Data...)
}

// errBadRelay is a relay that cannot be decoded.
var errBadRelay = errors.New("malformed relay")

// parseDelivery decodes a relay made by appendDelivery. Data aliases b.
// Data that is not JSON is refused: it would be spliced into frames.
func parseDelivery(b []byte) (signaling.Delivery, error) {
	var d signaling.Delivery
	if len(b) < 3 || b[0] != deliveryV1 {
		return d, errBadRelay
	}
	d.Kind, d.From.ChatOnly = signaling.Kind(b[1]), b[2]&flagChatOnly != 0
	b = b[3:]
	renames, k := binary.Uvarint(b)
	if k <= 0 || renames > math.MaxUint32 {
		return d, errBadRelay
	}
	d.Renames, b = uint32(renames), b[k:]
	field := func() ([]byte, bool) {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return nil, false
		}
		f := b[k : k+int(n)]
		b = b[k+int(n):]
		return f, true
	}
	var fs [6][]byte
	for i := range fs {
		f, ok := field()
		if !ok {
			return d, errBadRelay
		}
		fs[i] = f
	}
	if len(b) != 0 {
		return d, errBadRelay
	}
	d.Room, d.From.ID, d.From.Name, d.To, d.Origin = string(fs[0]), string(fs[1]), string(fs[2]), string(fs[3]), string(fs[4])
	if len(fs[5]) > 0 {
		if !json.Valid(fs[5]) {
			return d, fmt.Errorf("%w: data is not JSON", errBadRelay)
		}
		d.Data = fs[5]
	}
	return d, nil
}

// announce sends st to the other servers in to.
func (b *Bus) announce(st signaling.RoomState, to []string) {
	data, _ := json.Marshal(envelope{State: &st})
	for _, srv := range to {
		if srv != b.cfg.ServerID {
			if err := b.nc.Publish(b.subject(srv), data); err != nil {
				b.log.Debug("room state not sent; the watcher will carry it", "to", srv, "err", err)
			}
		}
	}
}

// subject is the subject server srv listens on.
func (b *Bus) subject(srv string) string { return b.prefix + "srv." + srv }

// inbound handles what another server sent this one.
func (b *Bus) inbound(msg *nats.Msg) {
	if len(msg.Data) > 0 && msg.Data[0] == deliveryV1 {
		d, err := parseDelivery(msg.Data)
		if err != nil {
			b.log.Warn("malformed cluster message", "err", err)
			return
		}
		b.hub.Deliver(d)
		return
	}
	var e envelope
	if err := json.Unmarshal(msg.Data, &e); err != nil {
		b.log.Warn("malformed cluster message", "err", err)
		return
	}
	if e.State != nil {
		b.remember(*e.State)
		b.hub.ApplyRoom(*e.State)
	}
}

// Send relays d to server srv.
func (b *Bus) Send(srv string, d signaling.Delivery) error {
	bp, _ := b.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer b.bufs.Put(bp)
	*bp = appendDelivery((*bp)[:0], &d)
	if len(*bp) > maxRelay {
		return fmt.Errorf("relay to server %s: %d bytes: %w", srv, len(*bp), signaling.ErrTooLarge)
	}
	if err := b.nc.Publish(b.subject(srv), *bp); err != nil {
		return fmt.Errorf("relay to server %s: %w: %w", srv, signaling.ErrClusterUnavailable, err)
	}
	if d.Kind == signaling.KindSignal || d.Kind == signaling.KindBroadcast {
		// nats.go leaves the write to its flusher goroutine; yielding runs
		// it now instead of after whatever the caller does next (the
		// poller's other ready connections). BusHop in one process: p50
		// 85 -> 13 us, routed p99 4-13 -> 0.9-1.5 ms (docs/benchmarks.md).
		// Relays are sent holding no lock (signaling.Cluster).
		runtime.Gosched()
	}
	return nil
}
