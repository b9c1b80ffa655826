// Package settings keeps the desktop app's settings as JSON in the user's
// configuration folder (os.UserConfigDir()/signalbox/settings.json): port,
// room capacity, server name, interfaces, mDNS, language and the server's
// random id. Callers pass the folder, so tests use a temporary one and never
// the real one.
//
// It imports app/service (to turn settings into service.Settings) and must
// never import Wails, package app or anything that opens a window.
package settings
