package httpserver

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// clientHandler serves the browser client: files as they are, and
// index.html for "/" and every room link "/r/<room>", where the client
// reads the room from the path, and trust.html for "/trust". The desktop window's page is not served.
func clientHandler(files fs.FS) http.Handler {
	static := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w)
		if hasDotDot(r.URL.Path) {
			// The mux matches the escaped path ("/foo/..%2fwindow.html" is
			// two segments) but the file server cleans the decoded one
			// ("/foo/../window.html" is "/window.html"): refuse every "..".
			http.Error(w, "invalid URL path", http.StatusBadRequest)
			return
		}
		switch p := r.URL.Path; {
		case path.Clean(p) == "/window.html": // "//window.html", "/./window.html" too
			http.NotFound(w, r)
		case strings.HasPrefix(p, "/r/"):
			http.ServeFileFS(w, r, files, "index.html")
		case p == "/trust" || p == "/trust/":
			http.ServeFileFS(w, r, files, "trust.html")
		default:
			static.ServeHTTP(w, r)
		}
	})
}

// setSecurityHeaders keeps the client from loading anything from elsewhere
// and from being framed by another site.
func setSecurityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// hasDotDot reports whether the decoded path p has a ".." element.
func hasDotDot(p string) bool {
	for _, seg := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == ".." {
			return true
		}
	}
	return false
}
