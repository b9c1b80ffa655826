// Package service runs the Signalbox appliance: it opens the listeners (on
// every interface, or on the chosen ones plus loopback), serves the hub
// over HTTP, finds the join URLs, and advertises the server on the LAN with
// app/mdns (advertise.go: started after listening, re-announced when the
// machine's addresses change, withdrawn with goodbyes on Stop; a failure is
// reported by MDNS and logged, never fatal). By default it also serves
// HTTPS on the same port with a certificate from the local CA in the
// configuration folder (tls.go; join URLs become https:// on the LAN,
// loopback stays http://) and runs the built-in TURN relay, whose
// credentials each peer gets in its welcome (turn.go); security.go keeps
// both in step with the machine's addresses. Neither may stop the server:
// a failure is reported by TLS or Relay and logged, and the server serves
// plain HTTP or without the relay. Apply changes the settings,
// restarting the server only when it must. The headless command and the
// desktop window both drive it.
//
// Its settings are app/settings.Settings, which also says which of them
// restart the server. It must never import Wails or package app: it is tested without a
// window, and the window imports it, not the other way round.
package service
