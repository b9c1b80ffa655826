//go:build !bindings

package app

// GeneratingBindings is true in the binary the Wails CLI builds only to
// generate the TypeScript bindings: it must call Run and exit, never serve.
const GeneratingBindings = false
