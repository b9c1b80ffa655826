package banner

import (
	"io"
	"sync"
)

// Terminal is a process's standard output and standard error, which share
// one screen: every write to either goes through one lock, so a block
// written with Print (or any single Write) reaches the screen whole, with
// no log line from another goroutine inside it.
type Terminal struct {
	mu  sync.Mutex
	out io.Writer
	err io.Writer
}

// NewTerminal returns a Terminal writing to stdout and stderr.
func NewTerminal(stdout, stderr io.Writer) *Terminal {
	return &Terminal{out: stdout, err: stderr}
}

// Stdout is the terminal's standard output; each Write is whole.
func (t *Terminal) Stdout() io.Writer { return lockedWriter{t, t.out} }

// Stderr is the terminal's standard error, for the logger; each Write
// (slog writes one line per Write) is whole.
func (t *Terminal) Stderr() io.Writer { return lockedWriter{t, t.err} }

// Print writes block to standard output in one Write, under the lock.
func (t *Terminal) Print(block []byte) error {
	_, err := t.Stdout().Write(block)
	return err
}

type lockedWriter struct {
	t *Terminal
	w io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.t.mu.Lock()
	defer l.t.mu.Unlock()
	return l.w.Write(p)
}
