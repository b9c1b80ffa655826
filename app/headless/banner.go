package headless

import (
	"fmt"
	"io"

	"github.com/mdp/qrterminal/v3"

	"signalbox/app/service"
)

// PrintJoinInfo prints what the terminal shows once the server runs: the
// server's name and version, the join URLs, a QR code of the first, and
// then PrintSecurityInfo.
func PrintJoinInfo(w io.Writer, svc *service.Service, version string) {
	urls := svc.JoinURLs()
	fmt.Fprintf(w, "Signalbox %s is running: %q\n", version, svc.Settings().ServerName)
	if len(urls) == 0 {
		return
	}
	fmt.Fprintf(w, "Join from any device on this network: %s\n", urls[0])
	for _, u := range urls[1:] {
		fmt.Fprintf(w, "  also: %s\n", u)
	}
	qrterminal.GenerateWithConfig(urls[0], qrterminal.Config{
		Level: qrterminal.L, Writer: w, HalfBlocks: true,
		BlackChar: qrterminal.BLACK_BLACK, WhiteChar: qrterminal.WHITE_WHITE,
		BlackWhiteChar: qrterminal.BLACK_WHITE, WhiteBlackChar: qrterminal.WHITE_BLACK, QuietZone: 1,
	})
	PrintSecurityInfo(w, svc)
}

// PrintSecurityInfo prints, after the join URLs, how devices trust the
// certificate and whether the relay runs.
func PrintSecurityInfo(w io.Writer, svc *service.Service) {
	tls := svc.TLS()
	switch {
	case tls.Active && tls.UserCert:
		fmt.Fprintf(w, "HTTPS with your certificate, fingerprint (SHA-256):\n  %s\n", tls.Fingerprint)
	case tls.Active:
		fmt.Fprintf(w, "HTTPS with this computer's own certificate authority, fingerprint (SHA-256):\n  %s\n", tls.Fingerprint)
		fmt.Fprintf(w, "Trust it once on each device (or accept the browser's warning): %s\n", tls.TrustURL)
	case tls.Enabled:
		fmt.Fprintf(w, "HTTPS is off (%s): other devices get no camera over plain HTTP.\n", tls.Error)
	}
	switch r := svc.Relay(); {
	case r.Active:
		fmt.Fprintf(w, "Relay (TURN) for networks that block direct calls: %s, UDP and TCP port %d\n", r.Addr, r.Port)
	case r.Enabled:
		fmt.Fprintf(w, "Relay (TURN) is off (%s): calls that cannot connect directly will fail.\n", r.Error)
	}
}
