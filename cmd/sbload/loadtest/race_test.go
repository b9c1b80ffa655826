//go:build race

package loadtest

// raceEnabled: the race detector's shadow memory grows the RSS and is
// never given back, so RSS comparisons mean nothing under it.
const raceEnabled = true
