// Package banner prints the headless server's join banner on a terminal:
// the join address, a QR code of it, the certificate fingerprint and the
// /trust link, and any problem with the fix. The whole banner is one write
// through a Terminal, which every log line also goes through, so no log
// line can land in the middle of the QR code. The QR code sets its own
// colours (black modules on white), so it scans on dark and light
// terminals alike.
//
// It imports only the standard library and rsc.io/qr; never Wails,
// zeroconf, app/service or signaling: main.go hands it an Info.
package banner
