// Package app is the thin Wails glue of the desktop window: it starts the
// service, binds methods the window's TypeScript calls, and forwards hub
// events to the window. Everything it does is in app/service or signaling;
// only this package and main import Wails.
package app
