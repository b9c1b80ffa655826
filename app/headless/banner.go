package headless

import (
	"fmt"
	"log/slog"
	"strings"

	"signalbox/app/banner"
	"signalbox/app/service"
)

// PrintJoinInfo prints the banner (join URLs, QR code, certificate,
// relay) as one block.
func PrintJoinInfo(term *banner.Terminal, svc *service.Service, version string, log *slog.Logger) {
	block, err := banner.Render(joinInfo(svc, version))
	if err != nil {
		log.Error("no join banner", "err", err)
		return
	}
	if err := term.Print(block); err != nil {
		log.Warn("printing the join banner", "err", err)
	}
	if info := clusterInfo(svc); info != "" {
		if err := term.Print([]byte(info)); err != nil {
			log.Warn("printing the cluster status", "err", err)
		}
	}
}

// clusterInfo says, after the join banner, which cluster the server is
// part of and whether it is connected; "" when standalone.
func clusterInfo(svc *service.Service) string {
	c := svc.Cluster()
	if c.Mode == "" {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Cluster %q (%s), this server %s", c.ClusterID, c.Mode, c.ServerID)
	if c.RouteURL != "" {
		fmt.Fprintf(&b, ", other servers route to %s", c.RouteURL)
	}
	b.WriteString("\n")
	if !c.Ready {
		fmt.Fprintf(&b, "Cluster not reachable yet (%s): rooms shared with other servers wait for it.\n", c.Error)
	}
	return b.String()
}

// joinInfo gathers what the banner tells from the running service.
func joinInfo(svc *service.Service, version string) banner.Info {
	in := banner.Info{Version: version, ServerName: svc.Settings().ServerName, URLs: svc.JoinURLs()}
	switch t := svc.TLS(); {
	case t.Active:
		in.Fingerprint, in.UserCert, in.Uncovered = t.Fingerprint, t.UserCert, t.Uncovered
		if !t.UserCert {
			in.TrustURL = t.TrustURL
		}
	case t.Enabled:
		in.HTTPSOff = t.Error
	}
	switch r := svc.Relay(); {
	case r.Active:
		in.RelayAddr, in.RelayPort = r.Addr, r.Port
	case r.Enabled:
		in.RelayOff = r.Error
	}
	return in
}
