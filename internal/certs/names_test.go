package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"testing"
)

func TestNewSANSet(t *testing.T) {
	tests := []struct {
		name      string
		hosts     []string
		ips       []string
		wantHosts []string
		wantIPs   []string
		dropped   []string
	}{
		{
			name:      "defaults only",
			wantHosts: []string{"localhost"},
			wantIPs:   []string{"127.0.0.1", "::1"},
		},
		{
			name:      "case, trailing dot, duplicates, mapped IPv4",
			hosts:     []string{"MyBox.Local.", "mybox.local", " localhost "},
			ips:       []string{"::ffff:192.168.0.7", "192.168.0.7", "::1"},
			wantHosts: []string{"localhost", "mybox.local"},
			wantIPs:   []string{"127.0.0.1", "192.168.0.7", "::1"},
		},
		{
			name:      "private suffixes and ranges",
			hosts:     []string{"nas.home.arpa", "box.lan", "box.home", "box.internal", "box.localdomain", "my_box.local"},
			ips:       []string{"10.0.0.1", "172.31.255.1", "169.254.3.4", "100.100.1.2", "fd12::1", "fe80::1"},
			wantHosts: []string{"box.home", "box.internal", "box.lan", "box.localdomain", "localhost", "my_box.local", "nas.home.arpa"},
			wantIPs:   []string{"10.0.0.1", "100.100.1.2", "127.0.0.1", "169.254.3.4", "172.31.255.1", "::1", "fd12::1", "fe80::1"},
		},
		{
			name:      "public, bare and invalid names are dropped",
			hosts:     []string{"example.com", "mybox", "*.local", "bad name.local", "", "a..local", "münchen.local"},
			ips:       []string{"8.8.8.8", "2001:db8::1", "172.32.0.1", "0.0.0.0"},
			wantHosts: []string{"localhost"},
			wantIPs:   []string{"127.0.0.1", "::1"},
			dropped: []string{"example.com", "mybox", "*.local", "bad name.local", "", "a..local", "münchen.local",
				"8.8.8.8", "2001:db8::1", "172.32.0.1", "0.0.0.0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ips []net.IP
			for _, s := range tt.ips {
				ips = append(ips, net.ParseIP(s))
			}
			set, dropped := newSANSet(tt.hosts, ips)
			if !slices.Equal(set.hosts, tt.wantHosts) {
				t.Errorf("hosts = %q, want %q", set.hosts, tt.wantHosts)
			}
			var gotIPs []string
			for _, a := range set.ips {
				gotIPs = append(gotIPs, a.String())
			}
			if !slices.Equal(gotIPs, tt.wantIPs) {
				t.Errorf("ips = %q, want %q", gotIPs, tt.wantIPs)
			}
			if !slices.Equal(dropped, tt.dropped) {
				t.Errorf("dropped = %q, want %q", dropped, tt.dropped)
			}
		})
	}
}

func TestSANSetEqual(t *testing.T) {
	a, _ := newSANSet([]string{"b.local", "a.local"}, []net.IP{net.ParseIP("10.0.0.2"), net.ParseIP("10.0.0.1")})
	b, _ := newSANSet([]string{"A.local", "b.local."}, []net.IP{net.ParseIP("::ffff:10.0.0.1"), net.ParseIP("10.0.0.2")})
	c, _ := newSANSet([]string{"a.local"}, []net.IP{net.ParseIP("10.0.0.1"), net.ParseIP("10.0.0.2")})
	if !a.equal(b) {
		t.Errorf("%v != %v", a, b)
	}
	if a.equal(c) {
		t.Errorf("%v == %v", a, c)
	}
	// A set survives a round trip through a certificate.
	if got := sansOf(&x509.Certificate{DNSNames: a.hosts, IPAddresses: a.netIPs()}); !got.equal(a) {
		t.Errorf("sansOf(cert of %v) = %v", a, got)
	}
}

func TestPublicNamesLeftOut(t *testing.T) {
	cfg, _ := testConfig(t)
	cfg.Hosts = append(cfg.Hosts, "example.com", "mybox")
	cfg.IPs = append(cfg.IPs, net.ParseIP("8.8.8.8"), net.ParseIP("2001:db8::1"))
	m := mustOpen(t, cfg)
	leaf := served(t, m)
	for _, name := range []string{"signalbox-test.local", "192.168.1.20"} {
		if err := verifyName(m, leaf, name, t0); err != nil {
			t.Errorf("verify %q: %v", name, err)
		}
	}
	hosts, ips := m.Names()
	for _, bad := range []string{"example.com", "mybox"} {
		if slices.Contains(hosts, bad) {
			t.Errorf("certificate names %q", bad)
		}
	}
	for _, ip := range ips {
		a, _ := netip.AddrFromSlice(ip)
		if !addrPermitted(a.Unmap()) {
			t.Errorf("certificate names public address %v", ip)
		}
	}
}

// TestNameConstraintsBindTheCA signs certificates with the CA's own key, as
// a thief of ca-key.pem would, and checks that verifiers refuse every name
// outside the constraints.
func TestNameConstraintsBindTheCA(t *testing.T) {
	cfg, _ := testConfig(t)
	m := mustOpen(t, cfg)
	tests := []struct {
		name string
		ok   bool
	}{
		{"x.local", true},
		{"localhost", true},
		{"10.20.30.40", true},
		{"fd00::1", true},
		{"example.com", false},
		{"www.google.com", false},
		{"local.example.com", false},
		{"mybox", false},
		{"8.8.8.8", false},
		{"2001:db8::1", false},
	}
	for _, tt := range tests {
		leaf, err := forge(m.ca, tt.name)
		if err != nil {
			t.Fatalf("forge %q: %v", tt.name, err)
		}
		err = verifyName(m, leaf, tt.name, t0)
		if (err == nil) != tt.ok {
			t.Errorf("forged certificate for %q: verify err = %v, want ok = %v", tt.name, err, tt.ok)
		}
		var invalid x509.CertificateInvalidError
		if !tt.ok && (!errors.As(err, &invalid) || invalid.Reason != x509.CANotAuthorizedForThisName) {
			t.Errorf("forged certificate for %q: err = %v, want CANotAuthorizedForThisName", tt.name, err)
		}
	}
}

// forge issues a server certificate for one name, bypassing newSANSet.
func forge(ca *authority, name string) (*x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: name},
		NotBefore:   t0.Add(-clockSkew),
		NotAfter:    t0.Add(DefaultServerValidity),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{name}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	return x509.ParseCertificate(der)
}
