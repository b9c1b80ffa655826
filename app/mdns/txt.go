package mdns

import (
	"fmt"
	"strings"
)

// The TXT keys of a Signalbox service, in the order they are published.
const (
	keyVersion     = "v"
	keyPath        = "path"
	keyScheme      = "scheme"
	keyFingerprint = "fp"
	keyID          = "id"
	keyCluster     = "cluster"
)

// TXT is the metadata published in the service's TXT record. An empty field
// is left out of the record.
type TXT struct {
	// Version is the signalling protocol version ("v"), such as "1".
	Version string `json:"version,omitempty"`
	// Path is the WebSocket path ("path"), such as "/ws".
	Path string `json:"path,omitempty"`
	// Scheme is "http" or "https" ("scheme"): how to reach the server.
	Scheme string `json:"scheme,omitempty"`
	// Fingerprint is the SHA-256 fingerprint of the server's TLS
	// certificate ("fp"), when it has one, so a client can pin it.
	Fingerprint string `json:"fingerprint,omitempty"`
	// ID is the server's random id ("id"), which tells two servers of the
	// same name apart.
	ID string `json:"id,omitempty"`
	// Cluster is the id of the cluster the server shares its rooms with
	// ("cluster"), empty for a standalone server: servers advertising the
	// same one are one set of rooms (docs/cluster.md).
	Cluster string `json:"cluster,omitempty"`
}

// fields lists t's keys and values in publication order.
func (t TXT) fields() [][2]string {
	return [][2]string{
		{keyVersion, t.Version},
		{keyPath, t.Path},
		{keyScheme, t.Scheme},
		{keyFingerprint, t.Fingerprint},
		{keyID, t.ID},
		{keyCluster, t.Cluster},
	}
}

// Records returns t as TXT strings of the form "key=value", version first,
// leaving out empty fields.
func (t TXT) Records() []string {
	var out []string
	for _, f := range t.fields() {
		if f[1] != "" {
			out = append(out, f[0]+"="+f[1])
		}
	}
	return out
}

// check refuses values that would not survive the trip through a TXT record
// unchanged. Every error wraps ErrConfig.
func (t TXT) check() error {
	if t.Scheme != "" && t.Scheme != "http" && t.Scheme != "https" {
		return fmt.Errorf("%w: TXT scheme %q is neither http nor https", ErrConfig, t.Scheme)
	}
	for _, f := range t.fields() {
		if len(f[0])+1+len(f[1]) > maxTXTString {
			return fmt.Errorf("%w: TXT %s is %d bytes, the record holds at most %d",
				ErrConfig, f[0], len(f[1]), maxTXTString-len(f[0])-1)
		}
		// miekg/dns reads backslash escapes and quotes in TXT strings, so
		// only plain printable ASCII is passed through as it is.
		for i := 0; i < len(f[1]); i++ {
			if c := f[1][i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
				return fmt.Errorf("%w: TXT %s=%q: only printable ASCII without quotes or backslashes",
					ErrConfig, f[0], f[1])
			}
		}
	}
	return nil
}

// ParseTXT reads the fields of a Signalbox TXT record from its "key=value"
// strings. Keys are case-insensitive; as RFC 6763 §6.4 asks, only the first
// occurrence of a key counts. Unknown keys and strings without "=" are
// ignored.
func ParseTXT(records []string) TXT {
	var t TXT
	seen := make(map[string]bool, len(records))
	for _, r := range records {
		k, v, ok := strings.Cut(r, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(k)
		if seen[k] {
			continue
		}
		seen[k] = true
		switch k {
		case keyVersion:
			t.Version = v
		case keyPath:
			t.Path = v
		case keyScheme:
			t.Scheme = v
		case keyFingerprint:
			t.Fingerprint = v
		case keyID:
			t.ID = v
		case keyCluster:
			t.Cluster = v
		}
	}
	return t
}
