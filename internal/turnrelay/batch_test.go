//go:build linux

package turnrelay

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"
)

// listenLoopback opens a UDP socket on 127.0.0.1, closed at the end.
func listenLoopback(t *testing.T, network, addr string) *net.UDPConn {
	t.Helper()
	pc, err := net.ListenPacket(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	return pc.(*net.UDPConn)
}

// TestBatchConnReadsEveryDatagramInOrder sends bursts larger and smaller
// than a batch, from two senders, and reads them back one per ReadFrom:
// every datagram, whole, in order per sender, with its sender's address.
func TestBatchConnReadsEveryDatagramInOrder(t *testing.T) {
	tests := []struct {
		name          string
		listen        string // the reading socket: IPv4 only, or dual-stack as the relay's UDP port on every interface
		batch, burst  int
		sizes         []int // datagram sizes, cycled
		bufLen, wantN int   // the reader's buffer; wantN>0: every datagram cut to it
	}{
		{name: "one at a time", listen: "127.0.0.1:0", batch: 1, burst: 5, sizes: []int{1200}, bufLen: batchBufSize},
		{name: "burst within a batch", listen: "127.0.0.1:0", batch: 8, burst: 6, sizes: []int{1200, 1, 700}, bufLen: batchBufSize},
		{name: "burst over several batches", listen: "127.0.0.1:0", batch: 8, burst: 50, sizes: []int{1200, 36, 1599}, bufLen: batchBufSize},
		{name: "dual-stack socket", listen: "[::]:0", batch: 32, burst: 40, sizes: []int{1200, 100}, bufLen: batchBufSize},
		{name: "reader's buffer shorter than the datagram", listen: "127.0.0.1:0", batch: 4, burst: 3, sizes: []int{1200}, bufLen: 1000, wantN: 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			network := "udp4"
			if tt.listen[0] == '[' {
				network = "udp"
			}
			u := listenLoopback(t, network, tt.listen)
			c := newBatchConn(u, tt.batch)
			if _, ok := c.(*batchConn); !ok {
				t.Fatalf("newBatchConn(%T) = %T, want *batchConn", u, c)
			}
			to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: u.LocalAddr().(*net.UDPAddr).Port}
			senders := []*net.UDPConn{listenLoopback(t, "udp4", "127.0.0.1:0"), listenLoopback(t, "udp4", "127.0.0.1:0")}
			payload := func(s, i int) []byte {
				b := bytes.Repeat([]byte{byte(s*100 + i)}, tt.sizes[i%len(tt.sizes)])
				b[0] = byte(s)
				return b
			}
			// The whole burst is in the socket before the first read, so
			// reads really take several datagrams at once.
			for i := range tt.burst {
				for s, snd := range senders {
					if _, err := snd.WriteTo(payload(s, i), to); err != nil {
						t.Fatal(err)
					}
				}
			}
			next := make([]int, len(senders))
			buf := make([]byte, tt.bufLen)
			if err := u.SetReadDeadline(time.Now().Add(ioTimeout)); err != nil {
				t.Fatal(err)
			}
			for range tt.burst * len(senders) {
				n, addr, err := c.ReadFrom(buf)
				if err != nil {
					t.Fatalf("ReadFrom after %v: %v", next, err)
				}
				s := int(buf[0])
				if s >= len(senders) {
					t.Fatalf("ReadFrom = % x…, from no sender", buf[:min(n, 4)])
				}
				from := addr.(*net.UDPAddr)
				if want := senders[s].LocalAddr().(*net.UDPAddr); !from.IP.Equal(want.IP) || from.Port != want.Port {
					t.Errorf("datagram %d of sender %d from %v, want %v", next[s], s, addr, want)
				}
				want := payload(s, next[s])
				if tt.wantN > 0 {
					want = want[:tt.wantN]
				}
				if !bytes.Equal(buf[:n], want) {
					t.Fatalf("datagram %d of sender %d: got %d bytes (% x…), want %d (% x…)", next[s], s, n, buf[:min(n, 4)], len(want), want[:4])
				}
				next[s]++
			}
		})
	}
}

// TestBatchConnCloseEndsARead: closing the socket returns the blocked
// ReadFrom with an error, as pion's read loops expect to stop.
func TestBatchConnCloseEndsARead(t *testing.T) {
	u := listenLoopback(t, "udp4", "127.0.0.1:0")
	c := newBatchConn(u, relayBatch)
	done := make(chan error, 1)
	go func() {
		_, _, err := c.ReadFrom(make([]byte, batchBufSize))
		done <- err
	}()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("ReadFrom after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(ioTimeout):
		t.Fatal("ReadFrom still blocked after Close")
	}
}

// TestBatchConnLeavesOtherConnsAlone: what is not a UDP socket is
// returned as it is.
func TestBatchConnLeavesOtherConnsAlone(t *testing.T) {
	var pc net.PacketConn = &countingConn{}
	if got := newBatchConn(pc, 8); got != pc {
		t.Errorf("newBatchConn(%T) = %T, want it unchanged", pc, got)
	}
}
