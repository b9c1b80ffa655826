// Package app is the thin Wails glue of the desktop window. It starts the
// service (app/service), binds the methods the window's TypeScript calls,
// and forwards hub events to the window.
//
//   - app.go: App, its Config, start-up and shutdown, Status.
//   - bind.go: the bound methods (View, EventLog, Kick, LockRoom,
//     CloseRoom, OpenRoom, Retry, Settings, SaveSettings, SetLanguage,
//     ReportRendered); their errors start with a stable code (codes.go)
//     that the window translates.
//   - watch.go: the watcher turns hub events into at most one
//     "rooms:changed" snapshot per DefaultBatchInterval, log lines, a
//     "stats:changed" per second with messages per second, and
//     "status:changed" when the server's state changes. It emits through an
//     Emitter, so it is tested without a window (testing/synctest).
//   - view.go, device.go, eventlog.go: the DTOs the window receives.
//   - run.go: the only file that starts Wails (wails.Run and its runtime).
//
// Beside it, the app's packages: app/settings declares every setting once
// (stored, flags, restart rule), app/service runs the server, app/mdns
// advertises it, app/headless runs it in a terminal, app/discover is
// `signalbox discover`, app/memtrim tunes the process.
//
// Only this package and main import Wails. It must never be imported by
// its sibling packages, signaling/ or internal/ (layers_test.go, at the
// module root, enforces every import rule).
package app
