package mdns

import (
	"errors"
	"net"
	"strings"
	"testing"
)

func TestWriteTable(t *testing.T) {
	servers := []Server{
		{Instance: "Kitchen", Host: "kitchen.local.", Port: 8080, Addrs: []net.IP{net.ParseIP("192.168.1.2")},
			TXT: TXT{Version: "1"}},
		{Instance: "Evil\x1b[2J\tname", Host: "lab.local.", Port: 443, Addrs: []net.IP{net.ParseIP("192.168.1.3")},
			TXT: TXT{Version: "1", Scheme: "https", Fingerprint: "AB:CD"}},
	}
	var b strings.Builder
	if err := WriteTable(&b, servers); err != nil {
		t.Fatalf("WriteTable = %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("WriteTable wrote %d lines, want 3:\n%s", len(lines), b.String())
	}
	wantFields := [][]string{
		{"NAME", "URL", "HOST", "VERSION", "FINGERPRINT", "CLUSTER"},
		{"Kitchen", "http://192.168.1.2:8080/", "kitchen.local.", "1", "-", "-"},
		{"Evil\uFFFD[2J\uFFFDname", "https://192.168.1.3:443/", "lab.local.", "1", "AB:CD", "-"},
	}
	for i, line := range lines {
		if got := strings.Fields(line); strings.Join(got, "|") != strings.Join(wantFields[i], "|") {
			t.Errorf("line %d = %q, want fields %q", i, line, wantFields[i])
		}
	}
	// The columns line up: the URL column starts at the same offset.
	if a, c := strings.Index(lines[0], "URL"), strings.Index(lines[1], "http://"); a != c {
		t.Errorf("URL column at %d in the header, %d in row 1:\n%s", a, c, b.String())
	}
}

// Servers of one cluster are listed together, and each cluster counted.
func TestWriteTableGroupsClusters(t *testing.T) {
	ip := []net.IP{net.ParseIP("10.0.0.1")}
	servers := []Server{
		{Instance: "Alone", Port: 1, Addrs: ip},
		{Instance: "Room 1", Port: 1, Addrs: ip, TXT: TXT{Cluster: "campus"}},
		{Instance: "Lab", Port: 1, Addrs: ip, TXT: TXT{Cluster: "lab"}},
		{Instance: "Room 2", Port: 1, Addrs: ip, TXT: TXT{Cluster: "campus"}},
	}
	var b strings.Builder
	if err := WriteTable(&b, servers); err != nil {
		t.Fatal(err)
	}
	var names []string
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for _, line := range lines[1:5] {
		names = append(names, strings.Fields(line)[0])
	}
	if got := strings.Join(names, ","); got != "Room,Room,Lab,Alone" {
		t.Errorf("rows in order %s, want the campus servers, the lab, then the standalone one:\n%s", got, b.String())
	}
	if got := strings.Join(lines[5:], "|"); got != "cluster campus: 2 servers sharing rooms|cluster lab: 1 servers sharing rooms" {
		t.Errorf("cluster lines = %q", got)
	}
}

func TestWriteTableEmpty(t *testing.T) {
	var b strings.Builder
	if err := WriteTable(&b, nil); err != nil || b.String() != "no Signalbox server found\n" {
		t.Errorf("WriteTable(nil) = %q, %v, want the none-found line", b.String(), err)
	}
}

type failingWriter struct{}

var errWrite = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteTableReportsWriteError(t *testing.T) {
	for _, servers := range [][]Server{nil, {{Instance: "x", Port: 1}}} {
		if err := WriteTable(failingWriter{}, servers); !errors.Is(err, errWrite) {
			t.Errorf("WriteTable(failing writer, %d servers) = %v, want %v", len(servers), err, errWrite)
		}
	}
}
