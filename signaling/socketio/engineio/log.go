package engineio

import (
	"context"
	"log/slog"
)

// SessionLog logs for one session. It adds the session id to each record
// as the record is written, rather than holding a logger made With it: that
// would cost every session, idle ones included, a copy of the handler's
// state (a few hundred bytes), for records that are rare.
type SessionLog struct {
	l   *slog.Logger
	sid string
}

// Debug logs at debug level with the session id.
func (l SessionLog) Debug(msg string, args ...any) { l.log(slog.LevelDebug, msg, args) }

// Info logs at info level with the session id.
func (l SessionLog) Info(msg string, args ...any) { l.log(slog.LevelInfo, msg, args) }

// Error logs at error level with the session id.
func (l SessionLog) Error(msg string, args ...any) { l.log(slog.LevelError, msg, args) }

func (l SessionLog) log(level slog.Level, msg string, args []any) {
	ctx := context.Background()
	if !l.l.Enabled(ctx, level) {
		return
	}
	l.l.Log(ctx, level, msg, append([]any{"sid", l.sid}, args...)...)
}
