package loadtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// syscallCounter counts the system calls a process makes while it runs,
// with `perf stat -e raw_syscalls:sys_enter -x, -p PID` (package
// linux-perf on Debian). A kernel tracepoint counter: it costs the traced
// process far less than strace, which stops it at every call.
type syscallCounter struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
}

// countSyscalls starts counting pid's system calls. It fails when perf is
// missing or may not trace pid.
func countSyscalls(pid int) (*syscallCounter, error) {
	c := &syscallCounter{}
	c.cmd = exec.Command("perf", "stat", "-e", "raw_syscalls:sys_enter", "-x,", "-p", strconv.Itoa(pid))
	c.cmd.Stderr = &c.stderr
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("perf stat: %w", err)
	}
	return c, nil
}

// stop ends the count and returns it.
func (c *syscallCounter) stop() (int64, error) {
	_ = c.cmd.Process.Signal(os.Interrupt)
	err := c.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			err = nil // perf may die of the interrupt itself after printing
		}
	}
	// perf prints one CSV line per event: count,unit,event,...
	for _, line := range strings.Split(c.stderr.String(), "\n") {
		f := strings.Split(line, ",")
		if len(f) >= 3 && strings.HasPrefix(f[2], "raw_syscalls:sys_enter") {
			n, perr := strconv.ParseInt(f[0], 10, 64)
			if perr != nil {
				return 0, fmt.Errorf("perf stat: %q: %w", line, perr)
			}
			return n, nil
		}
	}
	if err == nil {
		err = fmt.Errorf("no count in perf's output %q", strings.TrimSpace(c.stderr.String()))
	}
	return 0, fmt.Errorf("perf stat: %w", err)
}
