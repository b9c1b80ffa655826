// Package service runs the Signalbox appliance: it opens the listeners (on
// every interface, or on the chosen ones plus loopback), serves the hub
// over HTTP, finds the join URLs, and advertises the server on the LAN with
// app/mdns (advertise.go: started after listening, re-announced when the
// machine's addresses change, withdrawn with goodbyes on Stop; a failure is
// reported by MDNS and logged, never fatal). Apply changes the settings,
// restarting the server only when it must. The headless command and the
// desktop window both drive it.
//
// It must never import Wails or package app: it is tested without a
// window, and the window imports it, not the other way round.
package service
