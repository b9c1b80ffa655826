package httpserver

import (
	"io/fs"
	"net/http"
	"strings"
)

// clientHandler serves the browser client: files as they are, and
// index.html for "/" and every room link "/r/<room>", where the client
// reads the room from the path, and trust.html for "/trust". The desktop window's page is not served.
func clientHandler(files fs.FS) http.Handler {
	static := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w)
		switch p := r.URL.Path; {
		case p == "/window.html":
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
