// Command signalbox is a LAN WebRTC signaling appliance: a desktop window
// (Wails) or, with --headless or without a display, a terminal program.
// `signalbox discover` lists the Signalbox servers on the LAN.
//
// main.go holds what only the command can: the embedded client
// (frontend/dist), the flags (the settings' flags come from app/settings)
// and the wiring of the service to the window (app) or the terminal
// (app/headless). Only main and package app import Wails; main imports
// app/, never signaling/ directly (layers_test.go holds every such rule).
package main
