//go:build !(desktop || production || dev || bindings)

package app

// WindowSupported is false in a plain `go build`: Wails compiles a stub
// that exits at once, so such a binary always runs headless.
const WindowSupported = false
