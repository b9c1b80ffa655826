// Command testserver runs Signalbox's HTTP server (signaling/httpserver)
// on a free loopback port with the built browser client, for the browser
// end-to-end tests in e2e/. It prints "LISTEN http://127.0.0.1:PORT" on
// standard output once it accepts connections, and stops on SIGINT,
// SIGTERM or when its standard input closes, so a test that dies takes
// its server with it.
//
// It must never import Wails, zeroconf or anything under app/: the tests
// exercise the server core exactly as the headless program serves it.
package main
