//go:build unix

package wspark

import "syscall"

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
