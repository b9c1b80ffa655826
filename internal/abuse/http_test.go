package abuse

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"signalbox/signaling"
	"signalbox/signaling/httpserver"
)

// TestRebindingHostRefused is repro 6 of issue 11: a request naming
// another host (a DNS rebinding page) is refused with 421 on every route,
// the API, the WebSocket endpoints and the client included; the server's
// own names and addresses are served.
func TestRebindingHostRefused(t *testing.T) {
	s := startServer(t, httpserver.Config{Client: clientFiles(), Hosts: httpserver.HostPolicy{Names: []string{"signalbox.local", "lab.example"}}})
	_, port, _ := net.SplitHostPort(s.addr)
	paths := []string{"/api/rooms", "/ws", "/socket.io/?EIO=4&transport=polling", "/", "/healthz", "/metrics", "/trust"}
	hosts := []struct {
		host string
		ok   bool
	}{
		{"rebind.evil.example", false},
		{"rebind.evil.example:" + port, false},
		{"203.0.113.9:" + port, false}, // not an address of this machine
		{"", false},
		{"127.0.0.1:" + port, true},
		{"localhost:" + port, true},
		{"[::1]:" + port, true},
		{"signalbox.local:" + port, true},
		{"SIGNALBOX.LOCAL.", true},
		{"lab.example:" + port, true}, // an --allow-host addition
	}
	refused := 0
	for _, h := range hosts {
		for _, p := range paths {
			code := rawGet(t, s.addr, h.host, p)
			if (code != http.StatusMisdirectedRequest) != h.ok {
				t.Errorf("GET %s with Host %q = %d, want refused = %v", p, h.host, code, !h.ok)
			}
			if code == http.StatusMisdirectedRequest {
				refused++
			}
		}
	}
	t.Logf("FIGURES repro 6: %d of %d requests with a foreign Host refused with 421", refused, 4*len(paths))
}

// rawGet sends a GET with exactly the Host header given ("" sends an
// HTTP/1.0 request without one) and returns the status.
func rawGet(t *testing.T, addr, host, path string) int {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, readTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(readTimeout))
	req := "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"
	if host == "" {
		req = "GET " + path + " HTTP/1.0\r\n\r\n"
	}
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s Host %q: %v", path, host, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestIdleHTTPClosed is repro 3 of issue 11, first half: one address
// cannot hold more than its share of HTTP connections while another
// address is served, and idle keep-alive connections are closed after the
// idle timeout (shortened here).
func TestIdleHTTPClosed(t *testing.T) {
	const opened = 300
	// A long idle timeout first: the limit, not the timeout, must bound
	// what one address holds, however slowly the loop runs.
	s := startServer(t, httpserver.Config{IdleTimeout: time.Minute, MaxConnsPerAddr: 100, Hub: signaling.Config{LimitLoopback: true}})
	conns, served := keepAlive(t, s, device(2000), opened)
	if resp, err := httpFrom(device(2001)).Get("http://" + s.addr + "/healthz"); err != nil {
		t.Errorf("another address refused while one held %d connections: %v", served, err)
	} else {
		resp.Body.Close()
	}
	closeAll(conns)
	if served > 100 {
		t.Errorf("one address was served on %d connections, limit 100", served)
	}

	const idle = 300 * time.Millisecond
	s = startServer(t, httpserver.Config{IdleTimeout: idle})
	conns, _ = keepAlive(t, s, device(2002), 100)
	defer closeAll(conns)
	// Every connection ends by itself; the read deadline is a bound, not a
	// measure.
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	open := 0
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(readTimeout))
			if _, err := c.Read(make([]byte, 1)); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					mu.Lock()
					open++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("FIGURES repro 3: %d keep-alive connections from one address: %d served (limit 100); 100 idle ones: %d still open %v later (idle timeout %v)",
		opened, served, open, time.Since(start).Round(time.Millisecond), idle)
	if open > 0 {
		t.Errorf("%d idle connections still open after %v", open, readTimeout)
	}
}

// keepAlive opens n connections from ip, each sending one keep-alive
// request, and returns them with how many were answered.
func keepAlive(t *testing.T, s *server, ip net.IP, n int) ([]net.Conn, int) {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	served := 0
	for range n {
		c, err := dialerFrom(ip).Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		c.SetDeadline(time.Now().Add(readTimeout))
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			served++
		}
		c.SetDeadline(time.Time{})
	}
	return conns, served
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		c.Close()
	}
}

// TestSlowBodyCut is repro 3 of issue 11, second half: a POST to a
// socket.io session that declares 60 KB and sends a byte at a time is
// cut off after the body timeout (shortened here).
func TestSlowBodyCut(t *testing.T) {
	const bodyTimeout = 500 * time.Millisecond
	s := startServer(t, httpserver.Config{BodyTimeout: bodyTimeout})
	resp, err := http.Get("http://" + s.addr + "/socket.io/?EIO=4&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	open, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sid := between(string(open), `"sid":"`, `"`)
	if sid == "" {
		t.Fatalf("no sid in %q", open)
	}
	c, err := net.DialTimeout("tcp", s.addr, readTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /socket.io/?EIO=4&transport=polling&sid=%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 60000\r\n\r\n", sid)
	start := time.Now()
	ended := make(chan time.Duration, 1)
	go func() {
		c.SetReadDeadline(time.Now().Add(readTimeout))
		_, _ = io.Copy(io.Discard, c) // until the server closes
		ended <- time.Since(start)
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var held time.Duration
	for sent := 0; sent < 100; sent++ { // at most 10 s of drip
		select {
		case held = <-ended:
		case <-tick.C:
			if _, err := c.Write([]byte("4")); err == nil {
				continue
			}
			held = <-ended
		}
		break
	}
	t.Logf("FIGURES repro 3: slow POST body held %v (body timeout %v)", held.Round(time.Millisecond), bodyTimeout)
	if held == 0 || held >= readTimeout {
		t.Errorf("slow POST was not cut off (held %v)", held)
	}
}

func between(s, a, b string) string {
	_, after, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, b)
	return v
}
