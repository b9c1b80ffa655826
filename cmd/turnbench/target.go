package main

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // HMAC-SHA1 is what the TURN REST API scheme specifies
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// target is one TURN server under test.
type target struct {
	name string
	// wsURL is a Signalbox's native WebSocket endpoint (credentials come
	// from its welcome); empty for a shared-secret server.
	wsURL string
	// addr and secret: a TURN server with use-auth-secret.
	addr, secret string
	// pid is the server process whose CPU time is measured.
	pid int
}

// parseTarget reads NAME=signalbox:WSURL:PID or NAME=secret:HOST:PORT:SECRET:PID.
func parseTarget(v string) (target, error) {
	name, rest, ok := strings.Cut(v, "=")
	kind, rest, ok2 := strings.Cut(rest, ":")
	i := strings.LastIndexByte(rest, ':')
	if !ok || !ok2 || name == "" || i < 0 {
		return target{}, fmt.Errorf("-target %q: want NAME=signalbox:WSURL:PID or NAME=secret:HOST:PORT:SECRET:PID", v)
	}
	pid, err := strconv.Atoi(rest[i+1:])
	if err != nil || pid <= 0 {
		return target{}, fmt.Errorf("-target %q: bad pid", v)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d/stat", pid)); err != nil {
		return target{}, fmt.Errorf("-target %q: no process %d", v, pid)
	}
	rest = rest[:i]
	t := target{name: name, pid: pid}
	var host string
	switch kind {
	case "signalbox":
		u, err := url.Parse(rest)
		if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") {
			return target{}, fmt.Errorf("-target %q: bad WebSocket URL", v)
		}
		t.wsURL, host = rest, u.Hostname()
	case "secret":
		parts := strings.SplitN(rest, ":", 3)
		if len(parts) != 3 {
			return target{}, fmt.Errorf("-target %q: want secret:HOST:PORT:SECRET:PID", v)
		}
		t.addr, t.secret, host = net.JoinHostPort(parts[0], parts[1]), parts[2], parts[0]
	default:
		return target{}, fmt.Errorf("-target %q: kind %q is neither signalbox nor secret", v, kind)
	}
	if !allowedIP(net.ParseIP(host)) {
		return target{}, fmt.Errorf("-target %q: only 127.0.0.0/8 and 10.0.0.0/8 addresses are allowed", v)
	}
	return t, nil
}

// credential is what one client needs to allocate.
type credential struct {
	addr, username, password string
	// hold is the WebSocket whose seat the credential belongs to (nil for
	// shared-secret servers); closed after the step.
	hold *websocket.Conn
}

// close releases the seat behind the credential.
func (c credential) close() {
	if c.hold != nil {
		_ = c.hold.Close()
	}
}

// credentialFor returns fresh credentials for client i of t.
func (t *target) credentialFor(i int) (credential, error) {
	if t.wsURL == "" {
		username := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10) + ":bench" + strconv.Itoa(i)
		mac := hmac.New(sha1.New, []byte(t.secret))
		mac.Write([]byte(username))
		return credential{addr: t.addr, username: username, password: base64.StdEncoding.EncodeToString(mac.Sum(nil))}, nil
	}
	ws, _, err := websocket.DefaultDialer.Dial(t.wsURL, nil)
	if err != nil {
		return credential{}, fmt.Errorf("dial %s: %w", t.wsURL, err)
	}
	var welcome struct {
		Type       string `json:"type"`
		ICEServers []struct {
			URLs       []string `json:"urls"`
			Username   string   `json:"username"`
			Credential string   `json:"credential"`
		} `json:"iceServers"`
	}
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := ws.ReadJSON(&welcome); err != nil {
		_ = ws.Close()
		return credential{}, fmt.Errorf("read welcome: %w", err)
	}
	// The relay serves only peers that hold a seat: join a room, the two
	// partners of a pair the same one, as two students would.
	if err := ws.WriteJSON(map[string]string{"type": "join", "room": "turnbench-" + strconv.Itoa(i/2), "name": "turnbench " + strconv.Itoa(i)}); err != nil {
		_ = ws.Close()
		return credential{}, fmt.Errorf("join: %w", err)
	}
	for {
		var f struct {
			Type string `json:"type"`
			Code string `json:"code"`
		}
		if err := ws.ReadJSON(&f); err != nil {
			_ = ws.Close()
			return credential{}, fmt.Errorf("wait for joined: %w", err)
		}
		if f.Type == "error" {
			_ = ws.Close()
			return credential{}, fmt.Errorf("join refused: %s", f.Code)
		}
		if f.Type == "joined" {
			break
		}
	}
	_ = ws.SetReadDeadline(time.Time{})
	// Keep reading (and so answering pings) until the step closes it.
	go func() {
		for {
			if _, _, err := ws.NextReader(); err != nil {
				return
			}
		}
	}()
	for _, s := range welcome.ICEServers {
		for _, u := range s.URLs {
			if rest, ok := strings.CutPrefix(u, "turn:"); ok && strings.HasSuffix(rest, "?transport=udp") {
				return credential{addr: strings.TrimSuffix(rest, "?transport=udp"), username: s.Username, password: s.Credential, hold: ws}, nil
			}
		}
	}
	_ = ws.Close()
	b, _ := json.Marshal(welcome)
	return credential{}, fmt.Errorf("the welcome names no TURN server over UDP: %s", b)
}
