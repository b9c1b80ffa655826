//go:build unix

package wspark

import (
	"io"
	"syscall"
)

// writeNow writes what the non-blocking socket fd takes at once: a full
// socket buffer (EAGAIN) is 0 bytes written, not an error.
func writeNow(fd uintptr, b []byte) (int, error) {
	for {
		n, err := syscall.Write(int(fd), b)
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return 0, nil
		}
		return max(n, 0), err
	}
}

// readNow reads what the socket fd holds now, with one read; a socket with
// nothing to read reports EAGAIN, one whose client has gone io.EOF.
func readNow(fd int, b []byte) (int, error) {
	for {
		n, err := syscall.Read(fd, b)
		switch {
		case err == syscall.EINTR:
			continue
		case err == nil && n == 0 && len(b) > 0:
			return 0, io.EOF
		}
		return max(n, 0), err
	}
}

// shutRead shuts the reading side of the socket fd.
func shutRead(fd int) error { return syscall.Shutdown(fd, syscall.SHUT_RD) }

// shutBoth shuts both sides of the socket fd.
func shutBoth(fd int) error { return syscall.Shutdown(fd, syscall.SHUT_RDWR) }

// closeFD closes fd.
func closeFD(fd int) error { return syscall.Close(fd) }
