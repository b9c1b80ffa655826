package mdns

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"testing"

	"github.com/miekg/dns"
)

// newTestResponder is a hostResponder with no sockets, for answer().
func newTestResponder() *hostResponder {
	return &hostResponder{
		name: "signalbox.local.",
		v4:   []net.IP{net.ParseIP("192.168.1.5").To4()},
		v6:   []net.IP{net.ParseIP("fd00::5")},
		log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func query(id uint16, name string, qtype, qclass uint16) *dns.Msg {
	m := new(dns.Msg)
	m.Id = id
	m.Question = []dns.Question{{Name: name, Qtype: qtype, Qclass: qclass}}
	return m
}

// rrSummary renders records as "A 192.168.1.5 ttl=120 flush=true".
func rrSummary(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		h := rr.Header()
		var v string
		switch r := rr.(type) {
		case *dns.A:
			v = "A " + r.A.String()
		case *dns.AAAA:
			v = "AAAA " + r.AAAA.String()
		default:
			v = dns.TypeToString[h.Rrtype]
		}
		out = append(out, fmt.Sprintf("%s %s ttl=%d flush=%v", h.Name, v, h.Ttl, h.Class&classTopBit != 0))
	}
	return out
}

func TestHostAnswer(t *testing.T) {
	const (
		in = dns.ClassINET
		qu = dns.ClassINET | classTopBit
	)
	tests := []struct {
		name        string
		q           *dns.Msg
		srcPort     int
		wantUnicast bool
		wantID      uint16
		wantQ       int // questions echoed
		answer      []string
		extra       []string
	}{
		{name: "multicast A", q: query(7, "signalbox.local.", dns.TypeA, in), srcPort: mdnsPort,
			answer: []string{"signalbox.local. A 192.168.1.5 ttl=120 flush=true"},
			extra:  []string{"signalbox.local. AAAA fd00::5 ttl=120 flush=true"}},
		{name: "name is case-insensitive", q: query(7, "SignalBox.Local.", dns.TypeAAAA, in), srcPort: mdnsPort,
			answer: []string{"signalbox.local. AAAA fd00::5 ttl=120 flush=true"},
			extra:  []string{"signalbox.local. A 192.168.1.5 ttl=120 flush=true"}},
		{name: "QU bit asks for unicast", q: query(9, "signalbox.local.", dns.TypeA, qu), srcPort: mdnsPort,
			wantUnicast: true, wantID: 9,
			answer: []string{"signalbox.local. A 192.168.1.5 ttl=120 flush=true"},
			extra:  []string{"signalbox.local. AAAA fd00::5 ttl=120 flush=true"}},
		{name: "legacy unicast from another port", q: query(4242, "signalbox.local.", dns.TypeA, in), srcPort: 40000,
			wantUnicast: true, wantID: 4242, wantQ: 1,
			answer: []string{"signalbox.local. A 192.168.1.5 ttl=10 flush=false"},
			extra:  []string{"signalbox.local. AAAA fd00::5 ttl=10 flush=false"}},
		{name: "ANY", q: query(0, "signalbox.local.", dns.TypeANY, dns.ClassANY), srcPort: mdnsPort,
			answer: []string{"signalbox.local. A 192.168.1.5 ttl=120 flush=true", "signalbox.local. AAAA fd00::5 ttl=120 flush=true"}},
		{name: "other name", q: query(0, "printer.local.", dns.TypeA, in), srcPort: mdnsPort},
		{name: "other type", q: query(0, "signalbox.local.", dns.TypeMX, in), srcPort: mdnsPort},
		{name: "other class", q: query(0, "signalbox.local.", dns.TypeA, dns.ClassCHAOS), srcPort: mdnsPort},
		{name: "a response is no query", q: func() *dns.Msg {
			m := query(0, "signalbox.local.", dns.TypeA, in)
			m.Response = true
			return m
		}(), srcPort: mdnsPort},
	}
	h := newTestResponder()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, unicast := h.answer(tt.q, tt.srcPort)
			if tt.answer == nil {
				if resp != nil {
					t.Fatalf("answer() = %v, want no response", resp)
				}
				return
			}
			if resp == nil {
				t.Fatal("answer() = nil, want a response")
			}
			if unicast != tt.wantUnicast || resp.Id != tt.wantID || len(resp.Question) != tt.wantQ {
				t.Errorf("answer(): unicast=%v id=%d questions=%d, want %v %d %d",
					unicast, resp.Id, len(resp.Question), tt.wantUnicast, tt.wantID, tt.wantQ)
			}
			if !resp.Response || !resp.Authoritative {
				t.Errorf("answer(): response=%v authoritative=%v, want both", resp.Response, resp.Authoritative)
			}
			if got := rrSummary(resp.Answer); !slices.Equal(got, tt.answer) {
				t.Errorf("answer section = %q, want %q", got, tt.answer)
			}
			if got := rrSummary(resp.Extra); !slices.Equal(got, tt.extra) {
				t.Errorf("additional section = %q, want %q", got, tt.extra)
			}
			if _, err := resp.Pack(); err != nil {
				t.Errorf("Pack() = %v", err)
			}
		})
	}
}

// TestHostAnswerDoesNotShareRecords checks that capping TTLs for a legacy
// answer leaves later answers alone.
func TestHostAnswerDoesNotShareRecords(t *testing.T) {
	h := newTestResponder()
	h.answer(query(1, "signalbox.local.", dns.TypeA, dns.ClassINET), 40000)
	resp, _ := h.answer(query(2, "signalbox.local.", dns.TypeA, dns.ClassINET), mdnsPort)
	if got := resp.Answer[0].Header().Ttl; got != hostTTL {
		t.Errorf("TTL after a legacy answer = %d, want %d", got, hostTTL)
	}
}
