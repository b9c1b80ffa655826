package turnrelay

import (
	"encoding/json"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/pion/turn/v4"
)

func TestCredentialsRefused(t *testing.T) {
	other, _ := startTest(t, Config{})
	forged, forgedPassword, _ := other.Credentials("peer-1") // another secret
	s, c := startTest(t, Config{AllowPeer: allowLoopback})
	username, password, expires := s.Credentials("peer-1")
	tests := []struct {
		name               string
		username, password string
		at                 time.Time
		ok                 bool
	}{
		{"valid", username, password, t0, true},
		{"valid until the last second", username, password, expires, true},
		{"wrong password", username, password[1:] + "A", t0, false},
		{"expired", username, password, expires.Add(time.Second), false},
		{"other secret", forged, forgedPassword, t0, false},
		{"peer id changed", username + "x", password, t0, false},
		{"expiry extended", strconv.FormatInt(expires.Unix()+3600, 10) + ":peer-1", password, t0, false},
		{"no expiry", "peer-1", password, t0, false},
		{"empty", "", "", t0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.Set(tt.at)
			failures := s.Stats().AuthFailures
			relay, err := newClient(t, s, "udp", tt.username, tt.password).Allocate()
			if (err == nil) != tt.ok {
				t.Fatalf("Allocate err = %v, want ok = %v", err, tt.ok)
			}
			if err == nil {
				_ = relay.Close()
				return
			}
			if tt.username != "" && s.Stats().AuthFailures <= failures {
				t.Errorf("AuthFailures stayed at %d", failures)
			}
		})
	}
}

func TestLiveAllocationOutlivesItsCredential(t *testing.T) {
	s, c := startTest(t, Config{AllowPeer: allowLoopback, CredentialTTL: time.Minute})
	username, password, expires := s.Credentials("peer-1")
	if !expires.Equal(t0.Add(time.Minute)) {
		t.Fatalf("expires = %v, want %v", expires, t0.Add(time.Minute))
	}
	client := newClient(t, s, "udp", username, password)
	relay, err := client.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = relay.Close() })

	c.Set(expires.Add(time.Hour))
	// Requests of the live allocation (here CreatePermission; refreshes
	// are authenticated the same way) still pass ...
	if err := client.CreatePermission(&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}); err != nil {
		t.Errorf("CreatePermission on a live allocation after expiry: %v", err)
	}
	relayBothWays(t, relay, listenPeer(t, "127.0.0.2"))
	// ... but nobody can start a new one with the expired credential.
	if _, err := newClient(t, s, "udp", username, password).Allocate(); err == nil {
		t.Error("new allocation with an expired credential succeeded")
	}
}

func TestCredentialFormat(t *testing.T) {
	secret := []byte("test secret")
	s, _ := startTest(t, Config{Secret: secret, Now: time.Now})
	username, password, expires := s.Credentials("peer:with:colons")
	if want := strconv.FormatInt(expires.Unix(), 10) + ":peer:with:colons"; username != want {
		t.Errorf("username = %q, want %q", username, want)
	}
	if d := time.Until(expires); d <= DefaultCredentialTTL-time.Minute || d > DefaultCredentialTTL {
		t.Errorf("expires in %v, want about %v", d, DefaultCredentialTTL)
	}
	// pion's own TURN REST API handler, an independent implementation,
	// derives the same key from the secret.
	pionKey, ok := turn.LongTermTURNRESTAuthHandler(string(secret), nil)(username, DefaultRealm, &net.UDPAddr{})
	if !ok {
		t.Fatal("pion refused our username")
	}
	if want := turn.GenerateAuthKey(username, DefaultRealm, password); string(pionKey) != string(want) {
		t.Error("our password does not match pion's TURN REST derivation")
	}
}

func TestICEServers(t *testing.T) {
	s, _ := startTest(t, Config{})
	port := strconv.Itoa(s.Port())
	tests := []struct {
		host, want string
	}{
		{"192.168.1.5", "192.168.1.5:" + port},
		{"box.local", "box.local:" + port},
		{"fe80::1", "[fe80::1]:" + port},
		{"", "127.0.0.1:" + port},
	}
	for _, tt := range tests {
		servers := s.ICEServers(tt.host, "peer-1")
		if len(servers) != 1 {
			t.Fatalf("ICEServers(%q) = %d entries, want 1", tt.host, len(servers))
		}
		got := servers[0]
		want := []string{"turn:" + tt.want + "?transport=udp", "turn:" + tt.want + "?transport=tcp"}
		if len(got.URLs) != 2 || got.URLs[0] != want[0] || got.URLs[1] != want[1] {
			t.Errorf("ICEServers(%q).URLs = %q, want %q", tt.host, got.URLs, want)
		}
		if got.Username == "" || got.Credential != s.password(got.Username) {
			t.Errorf("ICEServers(%q) credentials %q/%q do not match", tt.host, got.Username, got.Credential)
		}
	}
	data, err := json.Marshal(ICEServer{URLs: []string{"turn:h:1"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"urls":["turn:h:1"]}` {
		t.Errorf("JSON = %s", data)
	}
}
