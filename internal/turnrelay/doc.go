// Package turnrelay is Signalbox's built-in TURN server (RFC 8656), for peers
// on the same LAN that cannot reach each other directly: Wi-Fi client
// isolation, separate subnets, firewalls that drop inbound UDP. It wraps
// github.com/pion/turn/v4 and listens on UDP and TCP on one port.
//
// Credentials follow the TURN REST API scheme
// (draft-uberti-behave-turn-rest): the username is "<expiry unix
// seconds>:<peer id>" and the password is base64(HMAC-SHA1(secret,
// username)), so the server stores nothing per peer and a credential cannot
// be forged or extended without the secret, which is random per run unless
// Config.Secret is set. The signalling server hands each peer its
// ICEServers in the join answer.
//
// Decisions:
//   - Credentials live one hour (DefaultCredentialTTL). The expiry bounds
//     when a new allocation can be made with them (initial gathering, an ICE
//     restart); an allocation made in time keeps refreshing with them for as
//     long as the call lasts, so a long relayed call is not cut off. A
//     client that rejoins gets fresh ones.
//   - Relay sockets send only to private (RFC 1918, fc00::/7) and link-local
//     addresses and to the relay address itself (DefaultAllowPeer), never to
//     loopback or public addresses: the server cannot be used to reach
//     services on the host's loopback or as an open relay to the internet.
//     Config.AllowPeer widens or narrows this.
//   - Relay addresses are IPv4 (pion/turn allocates udp4 relays only); the
//     control port listens on whatever ListenIP says, IPv4 and IPv6.
//   - Stats counts allocations through pion's EventHandler and relayed bytes
//     through a wrapper around each relay socket. Browsers allocate a relay
//     whenever a TURN server is configured, so RelayedBytes, not the
//     allocation count, tells whether a call actually goes through the relay.
//   - The UDP port's socket asks for 4 MiB buffers and each relay socket for
//     1 MiB (the kernel caps both at net.core.rmem_max/wmem_max), so a
//     class's bursts of video wait in the kernel while a reader goroutine
//     is held back, instead of being dropped (docs/benchmarks.md).
//   - On Linux the UDP port and every relay socket are read a burst at a
//     time (recvmmsg: up to 32 datagrams on the port, 8 on a relay socket)
//     and written with sendto, both as raw system calls on the
//     non-blocking socket (batchConn): the goroutine keeps its processor
//     through a call of a few microseconds instead of handing it off, which
//     cost a thread wake-up per datagram on a busy machine. pion's checks
//     (permissions, channels, quotas) are untouched: batchConn only moves
//     bytes. Measured in docs/benchmarks.md.
//   - PeerBytes counts each peer's relayed bytes (the username names the
//     peer), so the window can tell which calls go through the relay.
//   - Server.Close also closes accepted TCP connections, which
//     pion/turn's Server.Close leaves open.
//
// Hand-written here, because pion/turn has no such helpers: the slog adapter
// for pion's logger, the UDP+TCP listen on one port, the batched
// raw-syscall UDP socket (neither the standard library nor x/net has a
// net.PacketConn that batches), the time-injectable REST-API auth handler
// (pion's reads the wall clock and refuses refreshes of live allocations
// once the credential has expired).
//
// This package must never import Wails, zeroconf, anything under app/, or
// the signaling core.
package turnrelay
