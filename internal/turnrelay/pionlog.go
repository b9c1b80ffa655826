package turnrelay

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// Slog levels of pion's two lowest levels. pion logs at Debug for every
// relayed packet ("Received ChannelData from …", three lines a packet), so
// its Debug sits below slog's Debug: --log-level debug stays readable (and
// cheap) while a call is relayed; its Trace sits lower still.
const (
	levelPionDebug = slog.LevelDebug - 4
	levelTrace     = slog.LevelDebug - 8
)

// pionLoggers adapts a *slog.Logger to pion's logging.LoggerFactory.
type pionLoggers struct{ log *slog.Logger }

// NewLogger returns a logger for one pion scope ("turn", "turnc", ...).
func (f pionLoggers) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{log: f.log.With("pion", scope)}
}

// pionLogger is a logging.LeveledLogger writing to slog.
type pionLogger struct{ log *slog.Logger }

func (l pionLogger) logf(level slog.Level, format string, args ...any) {
	if !l.log.Enabled(context.Background(), level) {
		return // spare the Sprintf on hot paths
	}
	l.log.Log(context.Background(), level, fmt.Sprintf(format, args...))
}

func (l pionLogger) Trace(msg string)                  { l.log.Log(context.Background(), levelTrace, msg) }
func (l pionLogger) Tracef(format string, args ...any) { l.logf(levelTrace, format, args...) }
func (l pionLogger) Debug(msg string)                  { l.log.Log(context.Background(), levelPionDebug, msg) }
func (l pionLogger) Debugf(format string, args ...any) { l.logf(levelPionDebug, format, args...) }
func (l pionLogger) Info(msg string)                   { l.log.Info(msg) }
func (l pionLogger) Infof(format string, args ...any)  { l.logf(slog.LevelInfo, format, args...) }
func (l pionLogger) Warn(msg string)                   { l.log.Warn(msg) }
func (l pionLogger) Warnf(format string, args ...any)  { l.logf(slog.LevelWarn, format, args...) }
func (l pionLogger) Error(msg string)                  { l.log.Error(msg) }
func (l pionLogger) Errorf(format string, args ...any) { l.logf(slog.LevelError, format, args...) }
