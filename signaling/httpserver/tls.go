package httpserver

import (
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/soheilhy/cmux"
)

// sniffTimeout bounds how long a new connection may take to send its
// first bytes, which tell TLS from plain HTTP.
const sniffTimeout = 10 * time.Second

// TrustInfo is the local certificate authority that signs the server's
// certificate, offered at /trust so devices can trust it once.
type TrustInfo struct {
	// CAPEM and CADER are the CA certificate (never a key).
	CAPEM, CADER []byte
	// Fingerprint is the CA certificate's SHA-256, "AB:CD:…".
	Fingerprint string
}

// serveBoth serves HTTPS and plain HTTP on one listener, so every URL a
// user sees carries the same port: a TLS ClientHello goes to the HTTPS
// server, anything else to the plain one, which serves this machine (a
// loopback origin is a secure context without a certificate) and sends
// other devices to HTTPS.
func (s *Server) serveBoth(l net.Listener) error {
	m := cmux.New(l)
	m.SetReadTimeout(sniffTimeout)
	tlsL := m.Match(isTLSHandshake)
	plainL := m.Match(cmux.Any())
	errs := make(chan error, 2)
	go func() { errs <- s.http.ServeTLS(tlsL, "", "") }()
	go func() { errs <- s.plain.Serve(plainL) }()
	err := m.Serve()
	// The root listener is closed by Shutdown: that is the normal end.
	if errors.Is(err, net.ErrClosed) || err == nil || isClosedErr(err) {
		err = http.ErrServerClosed
	}
	<-errs
	<-errs
	return err
}

// isTLSHandshake matches a connection whose first byte opens a TLS
// handshake record (22). No plain HTTP request starts with it. (cmux.TLS
// also checks the record version and misses TLS 1.3 clients that send
// 0x0303 there.)
func isTLSHandshake(r io.Reader) bool {
	var b [1]byte
	n, _ := io.ReadFull(r, b[:])
	return n == 1 && b[0] == 22
}

func isClosedErr(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) && errors.Is(ne.Err, net.ErrClosed)
}

// plainHandler serves plain-HTTP requests: everything from this machine;
// from other devices only what they need before trusting the certificate
// (the /trust page and the CA, the health check); the rest is redirected
// to the same URL over HTTPS.
func (s *Server) plainHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isLoopback(r.RemoteAddr) || plainAllowed(r.URL.Path) {
			s.serve(w, r)
			return
		}
		http.Redirect(w, r, "https://"+r.Host+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}

func plainAllowed(path string) bool {
	switch path {
	case "/trust", "/trust/", "/trust.html", "/trust/ca.crt", "/trust/ca.pem", "/api/tls", "/healthz":
		return true
	}
	return len(path) > len("/assets/") && path[:len("/assets/")] == "/assets/"
}

func (s *Server) tlsInfo(w http.ResponseWriter, r *http.Request) {
	info := map[string]any{"https": s.plain != nil, "secure": r.TLS != nil, "ca": s.cfg.Trust != nil}
	if s.cfg.Trust != nil {
		info["fingerprint"] = s.cfg.Trust.Fingerprint
	}
	writeJSON(w, info)
}

// caDER offers the CA certificate in the form iOS, Android, Windows and
// macOS all open as "install a certificate".
func (s *Server) caDER(w http.ResponseWriter, r *http.Request) {
	s.serveCA(w, r, "application/x-x509-ca-cert", "signalbox-ca.crt", func(t *TrustInfo) []byte { return t.CADER })
}

// caPEM offers the CA certificate as PEM, for Linux and Firefox.
func (s *Server) caPEM(w http.ResponseWriter, r *http.Request) {
	s.serveCA(w, r, "application/x-pem-file", "signalbox-ca.pem", func(t *TrustInfo) []byte { return t.CAPEM })
}

func (s *Server) serveCA(w http.ResponseWriter, r *http.Request, mime, name string, body func(*TrustInfo) []byte) {
	if s.cfg.Trust == nil {
		http.Error(w, "this server has no local certificate authority", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", mime)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body(s.cfg.Trust))
}
