package signaling

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// layerRules says what the packages under signaling/ must not import, by
// folder (relative to signaling/; "." is the whole tree). A rule ending in
// "/" or naming a module path forbids everything below it; others forbid
// exactly that package.
var layerRules = []struct {
	dir       string
	forbidden []string
	exact     []string
	except    string // a folder below dir the rule does not cover
}{
	// The core and its transports run without a window or mDNS.
	{dir: ".", forbidden: []string{"github.com/wailsapp/", "github.com/grandcat/zeroconf", "github.com/hashicorp/mdns", "signalbox/app"}},
	// The core and its transports stay free of NATS: only a cluster
	// implementation under cluster/ plugs it into the hub (signaling.Cluster).
	{dir: ".", forbidden: []string{"github.com/nats-io/", "signalbox/signaling/cluster"}, except: "cluster"},
	// A transport stays away from the HTTP front that mounts it.
	{dir: "socketio", forbidden: []string{"signalbox/signaling/httpserver"}},
	// The transport kernel is below every transport.
	{dir: "transport", forbidden: []string{"signalbox/signaling/native", "signalbox/signaling/socketio", "signalbox/signaling/httpserver"}},
	// Parking and the socket are below the hub, so Engine.IO can use them.
	{dir: "internal/wspark", forbidden: []string{"signalbox/signaling/"}, exact: []string{"signalbox/signaling"}},
	// Engine.IO is below the hub and beside the Socket.IO codec.
	{dir: "socketio/engineio", forbidden: []string{"signalbox/signaling/socketio/sioproto"}, exact: []string{"signalbox/signaling"}},
}

// TestImportRule fails if a package under signaling/ imports what its
// layer must not (layerRules). Test files are exempt below the root only
// for the exact rules, which test helpers may need to break.
func TestImportRule(t *testing.T) {
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		test := strings.HasSuffix(path, "_test.go")
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if why := forbiddenImport(filepath.Dir(path), p, test); why != "" {
				t.Errorf("%s imports %s: %s", path, p, why)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("checked only %d files: is the walk rooted at signaling/?", checked)
	}
}

// forbiddenImport says why a file in dir may not import p, or "".
func forbiddenImport(dir, p string, test bool) string {
	for _, r := range layerRules {
		if r.dir != "." && dir != r.dir && !strings.HasPrefix(dir, r.dir+"/") {
			continue
		}
		if r.except != "" && (dir == r.except || strings.HasPrefix(dir, r.except+"/")) {
			continue
		}
		for _, bad := range r.forbidden {
			if strings.HasPrefix(p, bad) {
				return "signaling/" + r.dir + " must not import " + bad
			}
		}
		for _, bad := range r.exact {
			if p == bad && !test {
				return "signaling/" + r.dir + " must not import " + bad
			}
		}
	}
	return ""
}

// The rules bite where they should and nowhere else.
func TestForbiddenImport(t *testing.T) {
	tests := []struct {
		dir, imp string
		test     bool
		bad      bool
	}{
		{"native", "github.com/wailsapp/wails/v2", false, true},
		{".", "signalbox/app/service", true, true},
		{"socketio", "signalbox/signaling/httpserver", false, true},
		{"loadtest", "signalbox/signaling/httpserver", true, false},
		{"socketio/engineio", "signalbox/signaling/socketio/sioproto", false, true},
		{"socketio/engineio", "signalbox/signaling", false, true},
		{"socketio/engineio", "signalbox/signaling", true, false},
		{"socketio", "signalbox/signaling", false, false},
		{"socketio/engineiox", "signalbox/signaling", false, false},
		{".", "github.com/nats-io/nats.go", false, true},
		{"native", "github.com/nats-io/nats.go", true, true},
		{"socketio", "signalbox/signaling/cluster/natsbus", false, true},
		{"cluster/natsbus", "github.com/nats-io/nats.go", false, false},
		{"cluster/natsbus", "github.com/wailsapp/wails/v2", false, true},
		{"transport", "signalbox/signaling/native", false, true},
		{"transport", "signalbox/signaling", false, false},
		{"internal/wspark", "signalbox/signaling", false, true},
		{"internal/wspark", "signalbox/signaling/transport", false, true},
	}
	for _, tt := range tests {
		if got := forbiddenImport(tt.dir, tt.imp, tt.test) != ""; got != tt.bad {
			t.Errorf("forbiddenImport(%q, %q, test %v) forbidden = %v, want %v", tt.dir, tt.imp, tt.test, got, tt.bad)
		}
	}
}
