package mdns

import (
	"slices"
	"testing"
)

func TestTXTRecords(t *testing.T) {
	tests := []struct {
		name string
		in   TXT
		want []string
	}{
		{"all fields", TXT{Version: "1", Path: "/ws", Scheme: "https", Fingerprint: "AA:BB", ID: "x1"},
			[]string{"v=1", "path=/ws", "scheme=https", "fp=AA:BB", "id=x1"}},
		{"no certificate", TXT{Version: "1", Path: "/ws", Scheme: "http", ID: "x1"},
			[]string{"v=1", "path=/ws", "scheme=http", "id=x1"}},
		{"cluster", TXT{Version: "1", ID: "x1", Cluster: "campus"},
			[]string{"v=1", "id=x1", "cluster=campus"}},
		{"empty", TXT{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.Records()
			if !slices.Equal(got, tt.want) {
				t.Fatalf("%+v.Records() = %q, want %q", tt.in, got, tt.want)
			}
			if back := ParseTXT(got); back != tt.in {
				t.Errorf("ParseTXT(%q) = %+v, want %+v", got, back, tt.in)
			}
		})
	}
}

func TestParseTXT(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want TXT
	}{
		{"first occurrence wins", []string{"v=1", "v=2"}, TXT{Version: "1"}},
		{"keys ignore case", []string{"V=1", "Path=/ws", "FP=AB"}, TXT{Version: "1", Path: "/ws", Fingerprint: "AB"}},
		{"value may hold =", []string{"fp=a=b"}, TXT{Fingerprint: "a=b"}},
		{"no = is ignored", []string{"scheme", "id=7"}, TXT{ID: "7"}},
		{"unknown keys ignored", []string{"txtvers=1", "path=/x"}, TXT{Path: "/x"}},
		{"empty value", []string{"scheme="}, TXT{}},
		{"nil", nil, TXT{}},
	}
	for _, tt := range tests {
		if got := ParseTXT(tt.in); got != tt.want {
			t.Errorf("%s: ParseTXT(%q) = %+v, want %+v", tt.name, tt.in, got, tt.want)
		}
	}
}
