//go:build desktop || production || dev || bindings

package app

// WindowSupported is true when the binary was built by the Wails CLI and
// can open a window.
const WindowSupported = true
