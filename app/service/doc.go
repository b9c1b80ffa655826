// Package service runs the Signalbox appliance: it opens the listener,
// serves the hub over HTTP, and finds the join URLs. The headless command
// and the desktop window both drive it; it imports no Wails code, so it is
// tested without a window.
package service
