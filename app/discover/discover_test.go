package discover

import (
	"bytes"
	"strings"
	"testing"
)

// Bad arguments are refused with code 2 before anything is sent.
func TestArguments(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"--interface", "no-such-if0"}, 2, `interface "no-such-if0"`},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--wait", "soon"}, 2, "invalid value"},
		{[]string{"--help"}, 0, "-interface"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := Run(tt.args, &stdout, &stderr); code != tt.wantCode || !strings.Contains(stderr.String(), tt.wantErr) {
			t.Errorf("Run(%q) = %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.wantCode, tt.wantErr)
		}
	}
}
