package headless

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"signalbox/app/banner"
	"signalbox/app/service"
)

// ShutdownTimeout bounds the graceful shutdown on SIGINT/SIGTERM.
const ShutdownTimeout = 5 * time.Second

// Run starts svc, prints how to join (PrintJoinInfo) on term and serves
// until SIGINT or SIGTERM, or until the server stops on its own. It
// returns the exit code: 0 after a clean stop, 1 when the server could not
// start or failed.
func Run(svc *service.Service, version string, term *banner.Terminal, log *slog.Logger) int {
	stderr := term.Stderr()
	if err := svc.Start(); err != nil {
		fmt.Fprintln(stderr, "signalbox:", err)
		if errors.Is(err, service.ErrPortBusy) {
			fmt.Fprintln(stderr, "Another program uses that port. Stop it, or choose another port with --addr :PORT.")
		}
		return 1
	}
	PrintJoinInfo(term, svc, version, log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
	case <-svc.Stopped():
	}
	serveErr := svc.Err()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	err := errors.Join(serveErr, svc.Stop(shutdownCtx))
	if err != nil {
		fmt.Fprintln(stderr, "signalbox:", err)
		return 1
	}
	log.Info("stopped")
	return 0
}
