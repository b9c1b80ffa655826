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
	s.mu.Lock()
	switch {
	case s.state == stateClosed:
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeUnknownSID, "")
		return
	case s.transport != TransportPolling:
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeBadRequest, "")
		return
	case s.getActive:
		s.mu.Unlock()
		s.log.Info("overlapping polls from client")
		writeError(w, http.StatusBadRequest, codeBadRequest, "")
		s.terminate(ReasonTransportError, encodedClose)
		return
	}
	s.getActive = true
	s.mu.Unlock()

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
// a body over MaxPayload, binary content or a malformed payload is refused
// and closes the session.
func (s *Session) servePost(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	switch {
	case s.state == stateClosed:
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeUnknownSID, "")
		return
	case s.transport != TransportPolling:
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeBadRequest, "")
		return
	case s.postActive:
		s.mu.Unlock()
		s.log.Info("overlapping posts from client")
		writeError(w, http.StatusBadRequest, codeBadRequest, "")
		s.terminate(ReasonTransportError, encodedClose)
		return
	}
	s.postActive = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.postActive = false
		s.mu.Unlock()
	}()

	if r.Header.Get("Content-Type") == "application/octet-stream" {
		writeError(w, http.StatusBadRequest, codeBadRequest, "")
		s.terminate(ReasonParseError, encodedClose)
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.srv.cfg.MaxPayload))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			s.log.Info("post over max payload", "max", s.srv.cfg.MaxPayload)
			writeError(w, http.StatusRequestEntityTooLarge, codeBadRequest, "Payload too large")
		}
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
