// Package mdns makes a Signalbox server findable on the local network with
// multicast DNS, and finds the servers others run.
//
// Advertising (advertiser.go): an Advertiser registers the DNS-SD service
// _signalbox._tcp with grandcat/zeroconf. The instance name is the server's
// name; the TXT record carries what the caller puts in Config.TXT (v=1,
// path=/ws, scheme=http|https, fp=<certificate fingerprint>, id=<server id>);
// the SRV record points at a host name such as signalbox.local. whose A and
// AAAA records hold the addresses given, on the interfaces given (usually
// from LANInterfaces). zeroconf.RegisterProxy is used because Register skips
// loopback addresses and looks addresses up by itself. Update re-registers
// when the addresses change; Shutdown makes zeroconf send goodbyes.
//
// zeroconf v1.0.0 puts the host's address records into its announcements
// and service answers but ignores a query for the host name itself, so
// hostresponder.go answers A/AAAA queries for it: a small hand-written
// responder, since neither zeroconf nor hashicorp/mdns (which answers only
// by unicast) does that correctly.
//
// Discovery (discover.go): Discover browses with zeroconf's resolver and
// returns each Server with its TXT fields parsed and the join URL;
// WriteTable prints them for `signalbox discover`.
//
// Known limits of zeroconf v1.0.0, which this package cannot change: it
// neither probes for nor resolves name conflicts, so two servers should not
// share an instance or host name; and its socket answers a query from any
// interface where another program (such as avahi-daemon) joined the mDNS
// group, not only the chosen ones. zeroconf also logs a line through the
// standard log package when an interface refuses IPv4 or IPv6 multicast, and
// its Shutdown races with its own start-up, so a registration is kept at
// least zeroconfStartup before it is shut down.
//
// The tests that multicast run only inside private network namespaces made
// by scripts/test-mdns.sh, never on a real interface.
//
// This package must never import Wails, signaling/ or anything else under
// app/: the app imports it, not the other way round.
package mdns
