package app

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"time"

	"signalbox/signaling"
)

// Names of the events the app emits to the window.
const (
	// EventRooms carries a View; at most one per batch interval.
	EventRooms = "rooms:changed"
	// EventLog carries the []LogEntry added since the last one.
	EventLog = "log:added"
	// EventStats carries a StatsView, once per stats interval.
	EventStats = "stats:changed"
	// EventStatus carries a Status, when it changed.
	EventStatus = "status:changed"
)

// Timing of the events. A server where hundreds of peers come and go emits
// thousands of hub events a second; the window gets one fresh snapshot per
// batch instead, so it never falls behind.
const (
	// DefaultBatchInterval is the least time between two EventRooms.
	DefaultBatchInterval = 250 * time.Millisecond
	// DefaultStatsInterval is how often EventStats is sent and the status
	// re-checked.
	DefaultStatsInterval = time.Second
	// eventBuffer is the room for hub events between two batches; when it
	// overflows the hub drops events for us, the next snapshot is still
	// complete, and only log lines are lost.
	eventBuffer = 4096
)

// Emitter sends an event to the window: runtime.EventsEmit in the app,
// a recorder in tests.
type Emitter func(name string, data ...any)

// watcher turns hub events into batched window events. Only its run
// goroutine uses its fields, except wake.
type watcher struct {
	emit   Emitter
	hub    func() *signaling.Hub
	status func() Status
	// relayed returns the peers the relay carries now (nil: none).
	relayed func() map[string]bool
	log     *eventLog
	batch   time.Duration
	tick    time.Duration
	// wake is poked (never blocking) when the hub may have changed, the
	// app added log entries or the status may have changed.
	wake chan struct{}

	viewer  viewer
	names   map[string]string // peer names at the last batch, by id
	pending []signaling.Event
	skipped int    // events dropped from pending since the last batch
	sent    uint64 // the last log entry sent
	status0 Status // the last status sent
	started bool   // status0 is valid
}

func newWatcher(emit Emitter, hub func() *signaling.Hub, status func() Status, log *eventLog, batch, tick time.Duration) *watcher {
	return &watcher{
		emit: emit, hub: hub, status: status, log: log, batch: batch, tick: tick,
		wake: make(chan struct{}, 1),
	}
}

// poke asks the run loop to look at the hub, the log and the status now.
func (w *watcher) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// run emits events until ctx ends.
func (w *watcher) run(ctx context.Context) {
	var (
		hub      *signaling.Hub
		events   <-chan signaling.Event
		cancel   = func() {}
		flush    <-chan time.Time
		relayed  uint64
		lastTick = time.Now()
	)
	defer func() { cancel() }()
	ticker := time.NewTicker(w.tick)
	defer ticker.Stop()
	arm := func() {
		if flush == nil {
			flush = time.After(w.batch)
		}
	}
	follow := func() {
		h := w.hub()
		if h == hub {
			return
		}
		cancel()
		hub, events, cancel = h, nil, func() {}
		if h != nil {
			events, cancel = h.Subscribe(eventBuffer)
			relayed = h.Stats().Relayed
		}
		arm()
	}
	follow()
	w.checkStatus()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
			follow()
			arm()
			w.checkStatus()
		case ev, ok := <-events:
			if !ok { // the hub shut down
				events = nil
				arm()
				continue
			}
			w.queue(ev)
			arm()
		case <-flush:
			flush = nil
			w.flush(hub)
		case now := <-ticker.C:
			st := StatsView{}
			if hub != nil {
				st = statsView(hub.Stats())
				if secs := now.Sub(lastTick).Seconds(); secs > 0 && st.Relayed >= relayed {
					st.MessagesPerSec = float64(st.Relayed-relayed) / secs
				}
				relayed = st.Relayed
			}
			lastTick = now
			w.emit(EventStats, st)
			if w.relayed != nil {
				if r := w.relayed(); !maps.Equal(r, w.viewer.relayed) {
					w.viewer.relayed = r
					w.flush(hub) // a call went through the relay, or stopped
				}
			}
			follow() // the server may have stopped on its own
			w.checkStatus()
		}
	}
}

// queue keeps ev for the next batch's log lines, dropping the oldest when
// more arrive than the log can show.
func (w *watcher) queue(ev signaling.Event) {
	if !logged(ev) {
		return
	}
	if len(w.pending) >= logCapacity {
		w.pending = append(w.pending[:0], w.pending[1:]...)
		w.skipped++
	}
	w.pending = append(w.pending, ev)
}

// logged says which hub events are worth a log line: not connections that
// come and go in the lobby, nor a disconnection the peer-left line already
// told.
func logged(ev signaling.Event) bool {
	switch ev.Kind {
	case signaling.EventPeerConnected:
		return false
	case signaling.EventPeerDisconnected:
		return ev.Reason == signaling.ReasonKicked || ev.Reason == signaling.ReasonDropped
	}
	return true
}

// flush sends a fresh View and the new log entries.
func (w *watcher) flush(hub *signaling.Hub) {
	view := View{Rooms: []RoomView{}, Lobby: []PeerView{}}
	names := map[string]string{}
	if hub != nil {
		view, names = w.viewer.view(hub.Snapshot())
	}
	entries := make([]LogEntry, 0, len(w.pending)+1)
	if w.skipped > 0 {
		entries = append(entries, LogEntry{Kind: LogEventsSkipped, Count: w.skipped})
	}
	left := map[string]signaling.Reason{} // peers whose peer-left line is in this batch
	for _, ev := range w.pending {
		if ev.Kind == signaling.EventPeerLeft {
			left[ev.Peer] = ev.Reason
		}
		if ev.Kind == signaling.EventPeerDisconnected && left[ev.Peer] == ev.Reason {
			continue
		}
		// The hub names the peer as it was at the event (a refused join:
		// the name it asked for); else the last snapshots do.
		name := ev.Name
		if name == "" {
			name = names[ev.Peer]
		}
		if name == "" {
			name = w.names[ev.Peer]
		}
		entries = append(entries, LogEntry{
			Time: ev.Time, Kind: string(ev.Kind), Room: ev.Room, Peer: ev.Peer, PeerName: name,
			Reason: string(ev.Reason), Code: string(ev.Code), Class: ev.Class,
			Count: ev.Count, Capacity: ev.Capacity, Detail: ev.Detail,
		})
	}
	w.pending, w.skipped, w.names = w.pending[:0], 0, names
	w.log.add(time.Now(), entries...)
	w.emit(EventRooms, view)
	if fresh := w.log.since(w.sent); len(fresh) > 0 {
		w.sent = fresh[len(fresh)-1].Seq
		w.emit(EventLog, fresh)
	}
}

// checkStatus sends the status when it changed, with a log line for each
// change a person should see later.
func (w *watcher) checkStatus() {
	st := w.status()
	if w.started && reflect.DeepEqual(st, w.status0) {
		return
	}
	old := w.status0
	if !w.started {
		old = Status{State: StateStopped}
	}
	w.status0, w.started = st, true
	if entries := statusEntries(old, st); len(entries) > 0 {
		w.log.add(time.Now(), entries...)
		if fresh := w.log.since(w.sent); len(fresh) > 0 {
			w.sent = fresh[len(fresh)-1].Seq
			w.emit(EventLog, fresh)
		}
	}
	w.emit(EventStatus, st)
}

// statusEntries describes the change from old to st as log lines.
func statusEntries(old, st Status) []LogEntry {
	var out []LogEntry
	switch {
	case st.State == StateRunning && (old.State != StateRunning || old.Port != st.Port || old.ServerName != st.ServerName || old.RoomCapacity != st.RoomCapacity):
		out = append(out, LogEntry{Kind: LogServerStarted, Port: st.Port, Detail: fmt.Sprintf("port %d", st.Port)})
	case st.State == StateError && (old.State != StateError || old.Error != st.Error):
		out = append(out, LogEntry{Kind: LogServerError, Code: st.ErrorCode, Port: st.Port, Detail: st.Error})
	case st.State == StateStopped && old.State == StateRunning:
		out = append(out, LogEntry{Kind: LogServerStopped})
	}
	switch m, o := st.MDNS, old.MDNS; {
	case m.Advertising && !o.Advertising:
		out = append(out, LogEntry{Kind: LogMDNSAdvertised, Detail: m.Host})
	case m.Code != "" && m.Code != o.Code:
		out = append(out, LogEntry{Kind: LogMDNSError, Code: m.Code, Detail: m.Error})
	}
	if st.TLS.Code != "" && st.TLS.Error != old.TLS.Error {
		out = append(out, LogEntry{Kind: LogTLSError, Code: st.TLS.Code, Detail: st.TLS.Error})
	}
	if st.Relay.Code != "" && st.Relay.Error != old.Relay.Error {
		out = append(out, LogEntry{Kind: LogRelayError, Code: st.Relay.Code, Port: st.Relay.Port, Detail: st.Relay.Error})
	}
	return out
}
