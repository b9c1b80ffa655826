package origin

import (
	"net/http"
	"net/url"
	"strings"
)

// Policy allows same-origin requests, requests without an Origin header
// (programs, not browsers: they carry no ambient credentials a hostile page
// could borrow) and the origins listed in Allowed.
type Policy struct {
	// Allowed lists extra origins ("https://example.lan:8443",
	// "wails://wails"), compared without regard to case.
	Allowed []string
}

// Check reports whether r may upgrade. Its signature fits
// websocket.Upgrader.CheckOrigin.
func (p Policy) Check(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	for _, a := range p.Allowed {
		if strings.EqualFold(a, o) {
			return true
		}
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}
