package engineio

import (
	"errors"
	"io"
	"net/http"
)

// openPolling answers a polling handshake with the open packet.
func (srv *Server) openPolling(w http.ResponseWriter, r *http.Request) {
	s := srv.newSession(r, TransportPolling)
	if !s.start() {
		writeError(w, http.StatusServiceUnavailable, codeBadRequest, errShuttingDown.Error())
		return
	}
	// The open packet goes alone, as with the reference server; whatever
	// Handler.Open sent waits in the queue for the next poll.
	writePayload(w, s.openPacket())
}

// servePoll answers a GET: at once with whatever is queued, otherwise when
// something is. A second GET while one is pending is refused and closes the
// session, whose pending GET then gets the close packet.
func (s *Session) servePoll(w http.ResponseWriter, r *http.Request) {
	if !s.claim(w, &s.getActive, "polls") {
		return
	}
	body, last, ok := s.awaitPoll(r)
	if !ok {
		s.log.Debug("poll aborted by client")
		s.terminate(ReasonTransportError, encodedClose)
		return
	}
	if err := writePayload(w, body); err != nil {
		s.terminate(ReasonTransportError, encodedClose)
		return
	}
	if last {
		s.terminate(ReasonForcedClose, encodedClose) // the reason set by Close is kept
	}
}

// claim lets one GET or one POST (active is s.getActive or s.postActive)
// run on s, and marks it in flight. Otherwise it answers the request with
// the reference server's error and reports false: a session that has
// ended (its pong overdue included, see expireIfOverdue) or moved to a
// WebSocket is refused, and a request overlapping one of its kind also
// closes the session, as the protocol requires. what names the kind in the
// log.
func (s *Session) claim(w http.ResponseWriter, active *bool, what string) bool {
	s.expireIfOverdue()
	s.mu.Lock()
	switch {
	case s.state == stateClosed:
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeUnknownSID, "")
		return false
	case s.transport != TransportPolling:
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeBadRequest, "")
		return false
	case *active:
		s.mu.Unlock()
		s.log.Info("overlapping " + what + " from client")
		writeError(w, http.StatusBadRequest, codeBadRequest, "")
		s.terminate(ReasonTransportError, encodedClose)
		return false
	}
	*active = true
	s.mu.Unlock()
	return true
}

// awaitPoll waits until the pending GET has something to carry and returns
// it; last reports that it ends a closing session. ok is false when the
// client went away first.
func (s *Session) awaitPoll(r *http.Request) (body string, last, ok bool) {
	for {
		s.mu.Lock()
		switch {
		case s.state == stateClosed:
			body = s.finalPacket
		case s.transport != TransportPolling:
			body = encodedNoop // upgraded while waiting
		case len(s.queue) > 0:
			body = encodePayload(s.queue)
			s.queue = nil
			last = s.state == stateClosing
		case s.probed:
			body = encodedNoop // the client is switching to its WebSocket
		}
		if body != "" {
			s.getActive = false
			s.mu.Unlock()
			return body, last, true
		}
		s.mu.Unlock()

		if s.srv.pollParked != nil {
			s.srv.pollParked(s)
		}
		select {
		case <-s.getWake:
		case <-s.closed:
		case <-r.Context().Done():
			s.mu.Lock()
			s.getActive = false
			s.mu.Unlock()
			return "", false, false
		}
	}
}

// writePayload answers a poll with an encoded payload.
func writePayload(w http.ResponseWriter, body string) error {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	_, err := io.WriteString(w, body)
	return err
}

// servePost reads a payload from the client and hands its packets to the
// Handler in order, then answers "ok". A second POST while one is in flight,
// binary content or a malformed payload is refused and closes the session.
// A body over MaxPayload is answered 413 and the session carries on, as
// with the reference server: none of its packets reaches the Handler.
func (s *Session) servePost(w http.ResponseWriter, r *http.Request) {
	if !s.claim(w, &s.postActive, "posts") {
		return
	}
	defer func() {
		s.mu.Lock()
		s.postActive = false
		s.mu.Unlock()
	}()

	if r.Header.Get("Content-Type") == "application/octet-stream" {
		// Protocol v4 sends binary as base64 text; the reference server
		// refuses a binary body too.
		writeError(w, http.StatusBadRequest, codeBadRequest, "")
		s.terminate(ReasonParseError, encodedClose)
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.srv.cfg.MaxPayload))
	if errors.As(err, new(*http.MaxBytesError)) {
		s.log.Info("post over max payload", "max", s.srv.cfg.MaxPayload)
		writeError(w, http.StatusRequestEntityTooLarge, codeBadRequest, "Payload too large")
		return
	}
	if err != nil {
		s.terminate(ReasonTransportError, encodedClose)
		return
	}
	packets, err := decodePayload(string(raw))
	if err != nil {
		s.log.Info("malformed payload", "err", err)
		writeError(w, http.StatusBadRequest, codeBadRequest, "")
		s.terminate(ReasonParseError, encodedClose)
		return
	}

	s.deliverMu.Lock()
	for _, p := range packets {
		if !s.handlePacket(p, TransportPolling) {
			break
		}
	}
	s.deliverMu.Unlock()

	h := w.Header()
	h.Set("Content-Type", "text/html") // as the reference server: text/plain makes some browsers offer a download
	h.Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, "ok")
}
