package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunServesUntilStdinCloses(t *testing.T) {
	dist := t.TempDir()
	if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte("<!doctype html><title>Signalbox</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- run([]string{"-dist", dist, "-room-size", "3"}, stdinR, stdoutW, io.Discard)
		stdoutW.Close()
	}()
	t.Cleanup(func() { stdinW.Close() })

	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the LISTEN line: %v", err)
	}
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "LISTEN ")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line = %q, want LISTEN http://127.0.0.1:PORT", line)
	}

	for _, tc := range []struct{ path, want string }{
		{"/api/lobby", `"capacity":3`},
		{"/r/math", "<title>Signalbox</title>"},
	} {
		res, err := http.Get(base + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s = %d %q, want 200 containing %q", tc.path, res.StatusCode, body, tc.want)
		}
	}

	stdinW.Close()
	if got := <-code; got != 0 {
		t.Errorf("run returned %d after stdin closed, want 0", got)
	}
}

func TestRunRefusesMissingClient(t *testing.T) {
	if got := run([]string{"-dist", t.TempDir()}, strings.NewReader(""), io.Discard, io.Discard); got == 0 {
		t.Errorf("run with no index.html in -dist = 0, want an error exit")
	}
}
