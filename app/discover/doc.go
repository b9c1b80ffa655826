// Package discover is the `signalbox discover` command: it parses its
// flags, browses the LAN with app/mdns for the Signalbox servers there and
// prints them as a table or JSON.
//
// It must never import Wails, package app or app/service: it runs on a
// machine that serves nothing.
package discover
