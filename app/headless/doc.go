// Package headless runs Signalbox without a window: it starts the service,
// prints the join banner of app/banner (join URLs, QR code, the
// certificate's fingerprint, the relay's state) from the running service
// (banner.go), and serves until SIGINT or SIGTERM (run.go).
//
// It must never import Wails or package app: it runs where there is no
// display, and the window does not use it.
package headless
