//go:build !race

package abuse

// raceEnabled: the race detector multiplies memory and time, so the
// memory figures mean nothing under it.
const raceEnabled = false
