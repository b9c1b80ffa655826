// Package certs gives the Signalbox server a certificate that browsers on the
// LAN can trust: a local certificate authority, created once per machine, and
// a server certificate it signs for every name and address the server is
// reached by. Built on crypto/x509 alone; no openssl.
//
// The user installs the CA (ca.pem, offered for download by the server) on
// each device once and compares its fingerprint (Manager.Fingerprint) with
// the one the app shows. After that the Manager renews the server
// certificate by itself: when the wanted names change (SetAddresses) and
// when expiry nears (checked by Open and by every GetCertificate), without
// the user noticing, because the CA stays the same.
//
// Decisions:
//   - Keys are ECDSA P-256. The CA is valid for ten years, a server
//     certificate for 90 days and is renewed in its last 30 (see
//     DefaultServerValidity). A server certificate never outlives the CA.
//   - The CA carries X.509 name constraints: it can vouch only for
//     localhost, .local, .home.arpa, .internal, .localdomain, .lan and .home
//     names and for loopback, private (RFC 1918, fc00::/7), link-local and
//     shared (100.64.0.0/10) addresses. Installing it therefore never lets
//     anyone who steals ca-key.pem impersonate a public site. Other names
//     and addresses passed in are left out of the server certificate, with a
//     warning in the log; Manager.Names tells which ones it carries.
//   - An expired CA is replaced by a new one on Open or on the first
//     handshake after expiry, with a warning in the log: the server keeps
//     working and users install the new CA. A CA that cannot be read is an
//     error (ErrInvalidCA) and is never overwritten. A server certificate
//     that cannot be read, does not match its key or was not signed by the
//     CA is simply replaced.
//   - Files live in Config.Dir (mode 0700), all written with mode 0600
//     through a temporary file and a rename: ca.pem, ca-key.pem, server.pem,
//     server-key.pem. No method returns a private key, except inside the
//     *tls.Certificate that GetCertificate hands to crypto/tls.
//   - A user-supplied certificate (Config.CertFile, Config.KeyFile) is served
//     as given: no CA, no renewal, no files written.
//
// This package must never import Wails, zeroconf, anything under app/, or
// the signaling core: it is a leaf the server and the UI use.
package certs
