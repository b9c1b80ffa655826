package signaling

import "sync/atomic"

// Byte budgets of the outboxes, defaults for Config. A frame count alone
// bounds nothing: 64 messages of 60 KB are 4 MB. See docs/security.md.
const (
	// DefaultHistoryBytes bounds the written messages one peer keeps for a
	// resume, in bytes (a call's setup is a few dozen KB).
	DefaultHistoryBytes = 256 << 10
	// DefaultMaxHistoryBytes bounds the history of all peers together; past
	// it, a peer's oldest history goes as it writes more.
	DefaultMaxHistoryBytes = 32 << 20
	// DefaultPendingBytes bounds the bytes waiting to be written to one
	// peer: a peer this far behind is dropped as a slow consumer. It holds
	// two full bursts of maximum-size messages.
	DefaultPendingBytes = 8 << 20
	// DefaultMaxPendingBytes bounds the bytes waiting for all peers
	// together; a message that would pass it drops its recipient as a slow
	// consumer.
	DefaultMaxPendingBytes = 128 << 20
)

// messageOverhead is what a queued message costs besides its payload: the
// Message struct, its slot and small strings.
const messageOverhead = 256

// cost is what m holds in memory while queued or kept, in bytes: its
// payload, twice for the kinds whose encoding is cached with the message
// (see Message.Encoded), plus messageOverhead.
func cost(m *Message) int64 {
	n := int64(messageOverhead + len(m.Data) + len(m.Frame))
	switch m.Kind {
	case KindBroadcast, KindPeerJoined, KindPeerLeft:
		n += int64(len(m.Data))
	}
	return n
}

// budget counts the bytes held by every outbox of a hub against the
// server-wide limits. Its counters are atomic: outboxes change them under
// their own peer's lock.
type budget struct {
	maxHistory, maxPending int64
	history, pending       atomic.Int64
}

// reservePending takes n bytes of the pending budget, or reports false
// and takes nothing.
func (b *budget) reservePending(n int64) bool {
	if b.pending.Add(n) > b.maxPending {
		b.pending.Add(-n)
		return false
	}
	return true
}

// overHistory reports whether the histories hold more than their budget.
func (b *budget) overHistory() bool { return b.history.Load() > b.maxHistory }

// BudgetSnapshot is what the outboxes hold now, for the window and tests.
type BudgetSnapshot struct {
	HistoryBytes int64 `json:"historyBytes"`
	PendingBytes int64 `json:"pendingBytes"`
}

// Budget returns the bytes the outboxes hold now.
func (h *Hub) Budget() BudgetSnapshot {
	return BudgetSnapshot{HistoryBytes: h.budget.history.Load(), PendingBytes: h.budget.pending.Load()}
}
