package app

import (
	"sync"
	"time"
)

// logCapacity is how many entries the event log keeps (and the window
// shows): enough for a lesson's joins and leaves, small enough to render.
const logCapacity = 500

// Kinds of log entries the app adds besides the hub's signaling.EventKind
// values.
const (
	LogServerStarted  = "server-started"
	LogServerStopped  = "server-stopped"
	LogServerError    = "server-error"
	LogMDNSAdvertised = "mdns-advertising"
	LogMDNSError      = "mdns-error"
	LogTLSError       = "tls-error"
	LogRelayError     = "relay-error"
	LogSettingsSaved  = "settings-saved"
	LogEventsSkipped  = "events-skipped"
)

// LogEntry is one line of the window's event log. Kind is a stable
// identifier (a hub event kind or one of the Log… constants) that the
// window translates; Detail is English, for copying into a bug report.
type LogEntry struct {
	Seq      uint64    `json:"seq"`
	Time     time.Time `json:"time"`
	Kind     string    `json:"kind"`
	Room     string    `json:"room,omitempty"`
	Peer     string    `json:"peer,omitempty"`
	PeerName string    `json:"peerName,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	// Class is the class address of the room; Capacity, with Count, how
	// full a room was when a join was refused (room-full).
	Class    string `json:"class,omitempty"`
	Capacity int    `json:"capacity,omitempty"`
	Code     string `json:"code,omitempty"`
	Detail   string `json:"detail,omitempty"`
	Count    int    `json:"count,omitempty"`
	Port     int    `json:"port,omitempty"`
}

// eventLog keeps the latest logCapacity entries, numbered from 1.
type eventLog struct {
	mu      sync.Mutex
	entries []LogEntry
	seq     uint64
}

// add numbers the entries, stamps those without a time, and keeps them.
func (l *eventLog) add(now time.Time, entries ...LogEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range entries {
		l.seq++
		e.Seq = l.seq
		if e.Time.IsZero() {
			e.Time = now
		}
		l.entries = append(l.entries, e)
	}
	if over := len(l.entries) - logCapacity; over > 0 {
		l.entries = append(l.entries[:0:0], l.entries[over:]...)
	}
}

// since returns the entries numbered after seq, oldest first.
func (l *eventLog) since(seq uint64) []LogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := len(l.entries)
	for i > 0 && l.entries[i-1].Seq > seq {
		i--
	}
	return append([]LogEntry(nil), l.entries[i:]...)
}
