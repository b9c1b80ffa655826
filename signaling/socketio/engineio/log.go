package engineio

import (
	"context"
	"log/slog"
)

// sessionLog logs for one session. It adds the session id to each record
// as the record is written, rather than holding a logger made With it: that
// would cost every session, idle ones included, a copy of the handler's
// state (a few hundred bytes), for records that are rare.
type sessionLog struct {
	l   *slog.Logger
	sid string
}

// Debug logs at debug level with the session id.
func (l sessionLog) Debug(msg string, args ...any) { l.log(slog.LevelDebug, msg, args) }

// Info logs at info level with the session id.
func (l sessionLog) Info(msg string, args ...any) { l.log(slog.LevelInfo, msg, args) }

func (l sessionLog) log(level slog.Level, msg string, args []any) {
	ctx := context.Background()
	if !l.l.Enabled(ctx, level) {
		return
	}
	l.l.Log(ctx, level, msg, append([]any{"sid", l.sid}, args...)...)
}
