// Package metrics exposes a signaling.Hub's counters to Prometheus. It reads
// the hub's atomic counters at scrape time, so the relay path pays nothing
// for it. It must never import Wails, zeroconf or app/.
package metrics
