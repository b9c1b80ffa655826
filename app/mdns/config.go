package mdns

import (
	"fmt"
	"net"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/miekg/dns"
)

// ServiceType is the DNS-SD service type every Signalbox server advertises.
const ServiceType = "_signalbox._tcp"

// DefaultHost is the host name advertised when Config.Host is empty.
const DefaultHost = "signalbox.local."

const (
	// domain is the only domain mDNS serves.
	domain = "local"
	// maxLabel is the longest DNS label in bytes (RFC 1035 §2.3.4); an
	// instance name is one label.
	maxLabel = 63
	// maxHostName is the longest host name in presentation form, in bytes.
	maxHostName = 253
	// maxTXTString is the longest TXT character-string ("key=value"), in
	// bytes (RFC 6763 §6.1).
	maxTXTString = 255
)

// Config says what an Advertiser publishes. New copies it; Start checks it.
type Config struct {
	// Instance is the DNS-SD instance name: the server's name as people see
	// it in a browser of services. Required; at most 63 bytes of UTF-8 with
	// no control characters, not starting or ending with a dot.
	Instance string
	// Host is the host name the SRV record points at and that resolves to
	// Addrs, such as "signalbox.local." (a name without ".local" gets it).
	// Empty means DefaultHost. Letters, digits and hyphens only.
	Host string
	// Port is the TCP port the server listens on. Required: start the
	// Advertiser after the server listens and read the real port.
	Port int
	// Addrs are the addresses Host resolves to (IPv4 and IPv6). Required;
	// Update replaces them.
	Addrs []net.IP
	// Ifaces are the interfaces to advertise on, usually from LANInterfaces.
	// Required: an empty list is refused rather than advertising everywhere.
	Ifaces []net.Interface
	// TXT is published as the service's TXT record; the caller decides every
	// value.
	TXT TXT
}

// registration is a checked Config in the forms zeroconf wants.
type registration struct {
	instance string   // escaped, one DNS label in presentation form
	host     string   // fully qualified, ends in ".local."
	ips      []string // Addrs as strings
	txt      []string // TXT.Records()
}

// check validates c with addrs in place of c.Addrs and converts it. Every
// error wraps ErrConfig.
func (c Config) check(addrs []net.IP) (registration, error) {
	var r registration
	var err error
	if r.instance, err = escapeInstance(c.Instance); err != nil {
		return r, err
	}
	if r.host, err = normalizeHost(c.Host); err != nil {
		return r, err
	}
	if c.Port < 1 || c.Port > 65535 {
		return r, fmt.Errorf("%w: port %d out of range", ErrConfig, c.Port)
	}
	if r.ips, err = checkAddrs(addrs); err != nil {
		return r, err
	}
	if len(c.Ifaces) == 0 {
		return r, fmt.Errorf("%w: no interface to advertise on", ErrConfig)
	}
	if err = c.TXT.check(); err != nil {
		return r, err
	}
	r.txt = c.TXT.Records()
	return r, nil
}

// escapeInstance checks an instance name and escapes it the way miekg/dns
// prints a label (a dot becomes `\.`, a space `\ `, a non-ASCII byte `\DDD`),
// so that zeroconf packs it as one label and matches the names in queries.
func escapeInstance(name string) (string, error) {
	switch {
	case name == "":
		return "", fmt.Errorf("%w: empty instance name", ErrConfig)
	case len(name) > maxLabel:
		return "", fmt.Errorf("%w: instance name is %d bytes, at most %d", ErrConfig, len(name), maxLabel)
	case !utf8.ValidString(name):
		return "", fmt.Errorf("%w: instance name is not UTF-8", ErrConfig)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", fmt.Errorf("%w: instance name %q has a control character", ErrConfig, name)
	case strings.HasPrefix(name, ".") || strings.HasSuffix(name, "."):
		// zeroconf trims dots from both ends, which would break the escape.
		return "", fmt.Errorf("%w: instance name %q starts or ends with a dot", ErrConfig, name)
	}
	wire := make([]byte, 0, len(name)+2)
	wire = append(wire, byte(len(name)))
	wire = append(wire, name...)
	wire = append(wire, 0)
	s, _, err := dns.UnpackDomainName(wire, 0)
	if err != nil {
		return "", fmt.Errorf("%w: instance name %q: %w", ErrConfig, name, err)
	}
	return strings.TrimSuffix(s, "."), nil
}

// unescape reverses the escapes miekg/dns uses when it prints a label or a
// TXT string: `\DDD` is a byte in decimal, `\c` is c.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b = append(b, s[i])
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			if n <= 255 {
				b = append(b, byte(n))
				i += 3
				continue
			}
		}
		b = append(b, s[i+1])
		i++
	}
	return string(b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// normalizeHost returns h as a fully qualified name under .local, checked.
func normalizeHost(h string) (string, error) {
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return DefaultHost, nil
	}
	if !strings.HasSuffix(strings.ToLower(h), "."+domain) {
		h += "." + domain
	}
	if len(h) > maxHostName {
		return "", fmt.Errorf("%w: host name is %d bytes, at most %d", ErrConfig, len(h), maxHostName)
	}
	for _, label := range strings.Split(h, ".") {
		if !validHostLabel(label) {
			return "", fmt.Errorf("%w: host name %q: bad label %q", ErrConfig, h, label)
		}
	}
	return h + ".", nil
}

// validHostLabel reports whether l is a host name label (RFC 1123):
// letters, digits and inner hyphens, 1 to 63 bytes.
func validHostLabel(l string) bool {
	if l == "" || len(l) > maxLabel || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '-') {
			return false
		}
	}
	return true
}

// checkAddrs returns addrs as strings, refusing an empty list and addresses
// no peer could connect to.
func checkAddrs(addrs []net.IP) ([]string, error) {
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%w: no address for the host name", ErrConfig)
	}
	out := make([]string, 0, len(addrs))
	for _, ip := range addrs {
		if ip.To16() == nil || ip.IsUnspecified() || ip.IsMulticast() {
			return nil, fmt.Errorf("%w: address %q cannot be advertised", ErrConfig, ip.String())
		}
		out = append(out, ip.String())
	}
	return out, nil
}
