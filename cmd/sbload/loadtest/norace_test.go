//go:build !race

package loadtest

// raceEnabled: see race_test.go.
const raceEnabled = false
