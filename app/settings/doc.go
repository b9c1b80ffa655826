// Package settings declares every setting a user can make, once, in one
// struct (Settings), and keeps the stored ones as JSON in the user's
// configuration folder (os.UserConfigDir()/signalbox/settings.json).
//
// A field's tags are the table the rest is read from (table.go): its JSON
// key (stored and shown in the window, or "-" for the command line only),
// its flag and help (flags.go: BindFlags, Override, Fixed), and whether a
// change restarts the server (NeedsRestart, used by app/service; and
// RestartKeys, which the window gets, so it keeps no copy of the rule).
// Callers pass the folder, so tests use a temporary one and never the real
// one.
//
// It imports only signaling (for the room limits). It must never import
// Wails, package app, app/service or anything that opens a window: the
// service and the window import it.
package settings
