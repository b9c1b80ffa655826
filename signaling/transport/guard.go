package transport

import (
	"log/slog"
	"time"
	"unicode/utf8"

	"signalbox/signaling"
)

// FloodQuiet is how long a client must go without a refused request
// before a new flood is told "rate-limited" again. Under a steady flood
// the rate limiter lets a request through now and then, so "refused, then
// allowed" is not the end of a flood; a second without refusals is.
const FloodQuiet = time.Second

// Logger is what a Guard logs to: *slog.Logger has it.
type Logger interface {
	Error(msg string, args ...any)
}

var _ Logger = (*slog.Logger)(nil)

// Policy is what a server's Guards share: one per server, so a
// connection's Guard holds a pointer and three counters.
type Policy struct {
	// MaxStrikes is how many failed requests in a row end the connection
	// (signaling.Config.MaxStrikes); 0 never ends one for strikes.
	MaxStrikes int
	// Log receives the failures that carry no stable code (server bugs):
	// a *slog.Logger or anything with its Error method; nil logs nothing.
	Log Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Guard is a connection's read-side policy: rate limit, strikes and the
// error mapping. Only the connection's read loop uses it. Make one with
// NewGuard.
type Guard struct {
	pol       *Policy
	strikes   int32
	flooding  bool
	refusedAt int64 // Unix ns of the last refused request of the current flood
}

// NewGuard returns a Guard under the server's policy pol.
func NewGuard(pol *Policy) Guard { return Guard{pol: pol} }

// Admit charges one request to p's rate limit. It reports ok when the
// request may be carried out; when not, tell says to answer it with
// signaling.ErrRateLimited, which happens once per flood (see FloodQuiet):
// answering every refused request would double the flood.
func (g *Guard) Admit(p *signaling.Peer) (ok, tell bool) {
	if p.Allow() {
		return true, false
	}
	now := g.now().UnixNano()
	tell = !g.flooding || now-g.refusedAt >= int64(FloodQuiet)
	g.flooding, g.refusedAt = true, now
	return false, tell
}

func (g *Guard) now() time.Time {
	if g.pol.Now != nil {
		return g.pol.Now()
	}
	return time.Now()
}

// Done records the outcome of a request the read loop carried out (err
// nil) or refused. A failure is counted as a strike, and logged when it
// carries no stable code (what failed: kind, e.g. "request" or "event",
// and name). It reports false when the client has failed MaxStrikes times
// in a row and must go.
func (g *Guard) Done(p *signaling.Peer, kind, name string, err error) bool {
	if err == nil {
		g.strikes = 0
		return true
	}
	if _, coded := signaling.CodeOf(err); !coded && g.pol.Log != nil {
		g.pol.Log.Error(kind+" failed", "peer", p.ID(), kind, name, "err", err)
	}
	g.strikes++
	return g.pol.MaxStrikes <= 0 || int(g.strikes) < g.pol.MaxStrikes
}

// Truncate cuts s to at most n bytes on a character boundary, marking the
// cut with "…": for echoing a client's field back in an error.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
