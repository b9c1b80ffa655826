package app

import "strings"

// Device is what a user agent says about a peer's device: browser and
// operating system family names (proper nouns, the same in every language)
// and the form factor. Empty fields are unknown.
type Device struct {
	Browser string `json:"browser,omitempty"`
	OS      string `json:"os,omitempty"`
	// Kind is "phone", "tablet", "desktop" or "" when unknown.
	Kind string `json:"kind,omitempty"`
}

// ParseDevice reads the browser and system families from a User-Agent
// header. It is hand-written: the window needs only these names, and the
// Go user-agent libraries are large tables for far more detail. The order
// of the checks matters, since most browsers also claim to be others
// (Edge says Chrome and Safari, Chrome says Safari).
func ParseDevice(ua string) Device {
	var d Device
	has := func(s string) bool { return strings.Contains(ua, s) }
	switch {
	case has("Edg/") || has("EdgA/") || has("EdgiOS/"):
		d.Browser = "Edge"
	case has("OPR/") || has("OPiOS/"):
		d.Browser = "Opera"
	case has("SamsungBrowser/"):
		d.Browser = "Samsung Internet"
	case has("Firefox/") || has("FxiOS/"):
		d.Browser = "Firefox"
	case has("CriOS/") || has("Chrome/"):
		d.Browser = "Chrome"
	case has("Chromium/"):
		d.Browser = "Chromium"
	case has("Safari/") && has("Version/") && (has("Mac OS X") || has("iPhone") || has("iPad")):
		d.Browser = "Safari"
	case has("AppleWebKit/"):
		d.Browser = "WebKit"
	}
	switch {
	case has("iPhone") || has("iPod"):
		d.OS, d.Kind = "iOS", "phone"
	case has("iPad"):
		d.OS, d.Kind = "iPadOS", "tablet"
	case has("Android"):
		d.OS, d.Kind = "Android", "tablet"
		if has("Mobile") {
			d.Kind = "phone"
		}
	case has("Windows"):
		d.OS, d.Kind = "Windows", "desktop"
	case has("CrOS"):
		d.OS, d.Kind = "ChromeOS", "desktop"
	case has("Mac OS X") || has("Macintosh"):
		d.OS, d.Kind = "macOS", "desktop"
	case has("Linux") || has("X11"):
		d.OS, d.Kind = "Linux", "desktop"
	}
	return d
}
