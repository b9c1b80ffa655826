// Package metrics exposes a signaling.Hub's counters to Prometheus. It reads
// the hub's atomic counters at scrape time, so the relay path pays nothing
// for it. It must never import Wails, zeroconf or app/.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"signalbox/signaling"
)

// collector describes the hub at scrape time.
type collector struct {
	hub                                    *signaling.Hub
	peers, rooms                           *prometheus.Desc
	connects, relayed, dropped, eventsLost *prometheus.Desc
	errors                                 *prometheus.Desc
	historyBytes, pendingBytes             *prometheus.Desc
}

// NewRegistry returns a registry holding the hub's metrics and the Go
// runtime and process collectors. Each server gets its own registry: there
// is no global state to reset between tests.
func NewRegistry(hub *signaling.Hub) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newCollector(hub),
	)
	return reg
}

func newCollector(hub *signaling.Hub) *collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("signalbox_"+name, help, labels, nil)
	}
	return &collector{
		hub:          hub,
		peers:        d("peers", "Peers connected now, in a room or not."),
		rooms:        d("rooms", "Rooms open now."),
		connects:     d("connections_total", "Connections accepted since start."),
		relayed:      d("messages_relayed_total", "Signal and broadcast messages delivered to peers."),
		dropped:      d("slow_peers_dropped_total", "Peers disconnected for falling too far behind."),
		eventsLost:   d("observer_events_lost_total", "Hub events an observer was too slow to take."),
		errors:       d("errors_total", "Errors reported to clients, by code.", "code"),
		historyBytes: d("outbox_history_bytes", "Bytes the peers' resume histories hold (budget: docs/security.md)."),
		pendingBytes: d("outbox_pending_bytes", "Bytes waiting to be written to peers (budget: docs/security.md)."),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.peers, c.rooms, c.connects, c.relayed, c.dropped, c.eventsLost, c.errors, c.historyBytes, c.pendingBytes} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.hub.Stats()
	ch <- prometheus.MustNewConstMetric(c.peers, prometheus.GaugeValue, float64(s.Peers))
	ch <- prometheus.MustNewConstMetric(c.rooms, prometheus.GaugeValue, float64(s.Rooms))
	ch <- prometheus.MustNewConstMetric(c.connects, prometheus.CounterValue, float64(s.Connects))
	ch <- prometheus.MustNewConstMetric(c.relayed, prometheus.CounterValue, float64(s.Relayed))
	ch <- prometheus.MustNewConstMetric(c.dropped, prometheus.CounterValue, float64(s.SlowDropped))
	ch <- prometheus.MustNewConstMetric(c.eventsLost, prometheus.CounterValue, float64(s.EventsLost))
	b := c.hub.Budget()
	ch <- prometheus.MustNewConstMetric(c.historyBytes, prometheus.GaugeValue, float64(b.HistoryBytes))
	ch <- prometheus.MustNewConstMetric(c.pendingBytes, prometheus.GaugeValue, float64(b.PendingBytes))
	for code, n := range s.Errors {
		ch <- prometheus.MustNewConstMetric(c.errors, prometheus.CounterValue, float64(n), string(code))
	}
}
