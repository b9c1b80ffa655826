package banner

import (
	"bytes"
	"fmt"
	"strings"

	"rsc.io/qr"
)

// Info is what the banner tells: filled in by main.go from the running
// service.
type Info struct {
	Version    string
	ServerName string
	// URLs are the join addresses, the one to write on the board first.
	URLs []string
	// HTTPS: Fingerprint is the SHA-256 of the CA (or of the user's
	// certificate, UserCert); TrustURL is where devices install the CA;
	// HTTPSOff says why HTTPS is off although enabled ("" when on or not
	// wanted).
	Fingerprint string
	UserCert    bool
	TrustURL    string
	HTTPSOff    string
	// Uncovered are join addresses the served certificate does not
	// cover: browsers there refuse the page until it is fixed.
	Uncovered []string
	// Relay: RelayAddr and RelayPort while it runs; RelayOff says why it
	// is off although enabled.
	RelayAddr string
	RelayPort int
	RelayOff  string
}

// Render returns the banner: one block of text, the QR code of the first
// join URL in the middle.
func Render(in Info) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "\nSignalbox %s is running: %q\n", in.Version, in.ServerName)
	if len(in.URLs) > 0 {
		fmt.Fprintf(&b, "Join from any device on this network: %s\n", in.URLs[0])
		for _, u := range in.URLs[1:] {
			fmt.Fprintf(&b, "  also: %s\n", u)
		}
		code, err := qr.Encode(in.URLs[0], qr.L)
		if err != nil {
			return nil, fmt.Errorf("banner: QR code of %q: %w", in.URLs[0], err)
		}
		writeQR(&b, code, true)
	}
	switch {
	case in.Fingerprint != "" && in.UserCert:
		fmt.Fprintf(&b, "HTTPS with your certificate, fingerprint (SHA-256):\n  %s\n", in.Fingerprint)
	case in.Fingerprint != "":
		fmt.Fprintf(&b, "HTTPS with this computer's own certificate authority, fingerprint (SHA-256):\n  %s\n", in.Fingerprint)
		if in.TrustURL != "" {
			fmt.Fprintf(&b, "Trust it once on each device (or accept the browser's warning): %s\n", in.TrustURL)
		}
	case in.HTTPSOff != "":
		fmt.Fprintf(&b, "HTTPS is off (%s): other devices get no camera over plain HTTP.\n", in.HTTPSOff)
	}
	if len(in.Uncovered) > 0 {
		fmt.Fprintf(&b, "PROBLEM: the certificate does not cover %s: browsers there will refuse the page.\n", strings.Join(in.Uncovered, ", "))
		if in.UserCert {
			b.WriteString("  Fix: add these addresses to your certificate (subjectAltName) and restart, or start without\n  --cert/--key to use Signalbox's own certificate, which covers every address it serves.\n")
		} else {
			b.WriteString("  Fix: restart Signalbox so it issues a certificate for these addresses, or serve only on\n  the network the devices use with --interface NAME.\n")
		}
	}
	switch {
	case in.RelayAddr != "":
		fmt.Fprintf(&b, "Relay (TURN) for networks that block direct calls: %s, UDP and TCP port %d\n", in.RelayAddr, in.RelayPort)
	case in.RelayOff != "":
		fmt.Fprintf(&b, "Relay (TURN) is off (%s): calls that cannot connect directly will fail.\n", in.RelayOff)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// quietZone is the light border around the code, in modules: the QR
// standard asks for 4, and scanners find the code faster with it.
const quietZone = 4

// The ANSI escapes that give the code its own colours: black foreground
// on a white background, whatever the terminal's theme; reset after each
// row so the rest of the screen is untouched.
const (
	sgrCode  = "\x1b[30;107m"
	sgrReset = "\x1b[0m"
)

// writeQR draws code with half blocks, two module rows per text row: the
// upper half of a cell is the upper module, in the foreground colour when
// dark. With colour, dark modules are black on white on any terminal;
// without (only for tests showing why colour is needed), dark modules are
// drawn in the terminal's default foreground, which is light on a dark
// theme, so the code reads inverted there.
func writeQR(b *bytes.Buffer, code *qr.Code, colour bool) {
	n := code.Size + 2*quietZone
	dark := func(x, y int) bool {
		x, y = x-quietZone, y-quietZone
		return x >= 0 && y >= 0 && x < code.Size && y < code.Size && code.Black(x, y)
	}
	for y := 0; y < n; y += 2 {
		if colour {
			b.WriteString(sgrCode)
		}
		for x := range n {
			top, bottom := dark(x, y), y+1 < n && dark(x, y+1)
			if y+1 >= n {
				bottom = false
			}
			switch {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteByte(' ')
			}
		}
		if colour {
			b.WriteString(sgrReset)
		}
		b.WriteByte('\n')
	}
}
