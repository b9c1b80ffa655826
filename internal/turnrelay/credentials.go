package turnrelay

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // HMAC-SHA1 is what the TURN REST API scheme specifies
	"encoding/base64"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/pion/turn/v4"
)

// ICEServer is one entry of RTCConfiguration.iceServers, as the browser API
// spells it.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// Credentials returns a TURN username and password for peerID that can
// start allocations until expires: username "<expires unix>:<peerID>",
// password base64(HMAC-SHA1(secret, username)).
func (s *Server) Credentials(peerID string) (username, password string, expires time.Time) {
	expires = time.Unix(s.cfg.Now().Add(s.cfg.CredentialTTL).Unix(), 0)
	username = strconv.FormatInt(expires.Unix(), 10) + ":" + peerID
	return username, s.password(username), expires
}

// ICEServers returns the TURN servers for peerID, reached at host (the name
// or address the client used to reach the signalling server; "" means the
// relay IP), over UDP and TCP, with fresh credentials.
func (s *Server) ICEServers(host, peerID string) []ICEServer {
	if host == "" {
		host = s.cfg.RelayIP.String()
	}
	username, password, _ := s.Credentials(peerID)
	hostPort := net.JoinHostPort(host, strconv.Itoa(s.port))
	return []ICEServer{{
		URLs: []string{
			"turn:" + hostPort + "?transport=udp",
			"turn:" + hostPort + "?transport=tcp",
		},
		Username:   username,
		Credential: password,
	}}
}

// password is base64(HMAC-SHA1(secret, username)).
func (s *Server) password(username string) string {
	mac := hmac.New(sha1.New, s.cfg.Secret)
	mac.Write([]byte(username)) // hash writes never fail
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// authenticate is the pion AuthHandler: it returns the long-term key for a
// well-formed username (pion then checks the request's integrity with it),
// and refuses an expired username unless src already holds an allocation
// made with it: refreshes of a live allocation continue past expiry.
func (s *Server) authenticate(username, realm string, src net.Addr) (key []byte, ok bool) {
	expiry, _, found := strings.Cut(username, ":")
	exp, err := strconv.ParseInt(expiry, 10, 64)
	if !found || err != nil {
		s.authFailed()
		s.log.Debug("turnrelay: malformed username", "client", src.String(), "username", username)
		return nil, false
	}
	if peer := peerOf(username); s.cfg.PeerActive != nil && !s.cfg.PeerActive(peer) {
		s.authFailed()
		s.log.Debug("turnrelay: peer holds no seat", "client", src.String(), "username", username)
		return nil, false
	}
	if s.cfg.Now().Unix() > exp && !s.holdsAllocation(src, username) {
		s.authFailed()
		s.log.Debug("turnrelay: expired username", "client", src.String(), "username", username)
		return nil, false
	}
	return turn.GenerateAuthKey(username, realm, s.password(username)), true
}

// holdsAllocation reports whether src has a live allocation made with
// username.
func (s *Server) holdsAllocation(src net.Addr, username string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live[allocationKey(src, username)] > 0
}

// permit is the pion PermissionHandler: the relay address always (its
// relay ports only, see countingConn), other peers as Config.AllowPeer
// (by default Config.PeerNets) says.
func (s *Server) permit(client net.Addr, peer net.IP) bool {
	if peer.Equal(s.cfg.RelayIP) || s.cfg.AllowPeer(peer) {
		return true
	}
	s.log.Debug("turnrelay: peer refused", "client", client.String(), "peer", peer.String())
	return false
}
