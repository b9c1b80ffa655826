package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// layerRule says what the Go files in a folder must not import. Imports
// flow one way: main -> app -> signaling, with internal/ below all three.
type layerRule struct {
	// dir is a folder relative to the module root; the rule covers it and
	// every folder below it ("." is the whole module), except the folders
	// named exactly in except.
	dir    string
	except []string
	// exceptBelow names folders the rule does not cover, with everything
	// below them.
	exceptBelow []string
	// alone makes the rule cover dir itself, not the folders below it.
	alone bool
	// below forbids the import paths that start with one of these (a
	// module path or a folder: everything below it); exact forbids one
	// package only.
	below, exact []string
	// tests lets test files break the rule (a test may need a helper from
	// a layer its package must not use).
	tests bool
	// why is the reason, said when the rule bites.
	why string
}

// layerRules is the whole layering, by folder.
var layerRules = []layerRule{
	{dir: ".", except: []string{".", "app"}, below: []string{"github.com/wailsapp/"},
		why: "only main and package app import Wails: everything else runs without a window"},
	{dir: ".", alone: true, below: []string{"signalbox/signaling"}, tests: true,
		why: "main wires the app's packages; the core is theirs to use (tests may start it)"},
	{dir: "signaling", below: []string{"signalbox/app", "github.com/grandcat/zeroconf", "github.com/hashicorp/mdns"},
		why: "signaling/ is the core and its transports: no app, no mDNS"},
	// The slot for a cluster: an implementation under signaling/cluster/
	// plugs into the hub through an interface the core declares; only it
	// imports NATS, and the core never imports it.
	{dir: "signaling", exceptBelow: []string{"signaling/cluster"}, below: []string{"github.com/nats-io/", "signalbox/signaling/cluster"},
		why: "the core and its transports stay free of NATS: only signaling/cluster/ brings it in"},
	{dir: "signaling", below: []string{"signalbox/internal/certs", "signalbox/internal/turnrelay"}, tests: true,
		why: "signaling/ serves whatever certificate it is given; certificates and the relay are the app's"},
	{dir: "signaling/transport", below: []string{"signalbox/signaling/native", "signalbox/signaling/socketio", "signalbox/signaling/httpserver"},
		why: "the transport kernel is below every transport"},
	{dir: "signaling/internal/wspark", below: []string{"signalbox/signaling/"}, exact: []string{"signalbox/signaling"},
		why: "parking and the socket are below the hub, so Engine.IO can use them"},
	{dir: "signaling/socketio", below: []string{"signalbox/signaling/httpserver"},
		why: "a transport stays away from the HTTP front that mounts it"},
	{dir: "signaling/socketio/engineio", below: []string{"signalbox/signaling/socketio/sioproto"}, exact: []string{"signalbox/signaling"}, tests: true,
		why: "Engine.IO is below the hub and beside the Socket.IO codec"},
	// internal/abuse is not a piece but the abuse suite: tests only, which
	// attack the whole server from outside, so they may start any of it.
	{dir: "internal", exceptBelow: []string{"internal/abuse"}, below: []string{"signalbox/app", "signalbox/signaling", "signalbox/cmd"},
		why: "internal/ is below the app and the core: small pieces they share"},
	{dir: "app", exact: []string{"signalbox/app"},
		why: "the window (package app) imports the app's packages, never the other way round"},
	{dir: "cmd", below: []string{"signalbox/app"},
		why: "the load tool drives a server from outside, as devices do"},
	{dir: "cmd/sbload/loadtest", below: []string{"signalbox/signaling"}, tests: true,
		why: "the load tool measures the hub and its transports as a client; only its tests start one"},
	{dir: "e2e", below: []string{"signalbox/app"},
		why: "the end-to-end helpers serve the core alone"},
}

// TestImportRule fails if a Go file of the module imports what its
// folder's layer must not (layerRules).
func TestImportRule(t *testing.T) {
	checked := map[string]int{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "frontend" || strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		top, _, _ := strings.Cut(dir, "/")
		checked[top]++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if why := forbiddenImport(dir, p, strings.HasSuffix(path, "_test.go")); why != "" {
				t.Errorf("%s imports %s: %s", path, p, why)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, top := range []string{".", "app", "signaling", "internal", "cmd", "e2e"} {
		if checked[top] == 0 {
			t.Errorf("no Go file checked in %s: is the walk rooted at the module?", top)
		}
	}
}

// forbiddenImport says why a file in dir may not import p, or "".
func forbiddenImport(dir, p string, test bool) string {
	for _, r := range layerRules {
		covered := dir == r.dir || !r.alone && (r.dir == "." || strings.HasPrefix(dir, r.dir+"/"))
		if !covered || slices.Contains(r.except, dir) || (test && r.tests) || slices.ContainsFunc(r.exceptBelow, func(e string) bool {
			return dir == e || strings.HasPrefix(dir, e+"/")
		}) {
			continue
		}
		for _, bad := range r.below {
			if p == bad || strings.HasPrefix(p, strings.TrimSuffix(bad, "/")+"/") {
				return r.why
			}
		}
		if slices.Contains(r.exact, p) {
			return r.why
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
		{".", "github.com/wailsapp/wails/v2", false, false},
		{"app", "github.com/wailsapp/wails/v2/pkg/runtime", false, false},
		{"app/service", "github.com/wailsapp/wails/v2", false, true},
		{"signaling/native", "github.com/wailsapp/wails/v2", false, true},
		{"internal/certs", "github.com/wailsapp/wails/v2", true, true},
		{"signaling", "signalbox/app/service", true, true},
		{"signaling/httpserver", "github.com/grandcat/zeroconf", false, true},
		{"signaling/httpserver", "github.com/nats-io/nats.go", false, true},
		{"signaling", "github.com/nats-io/nats.go", false, true},
		{"signaling/native", "github.com/nats-io/nats.go", true, true},
		{"signaling/socketio", "signalbox/signaling/cluster/natsbus", false, true},
		{"signaling/cluster/natsbus", "github.com/nats-io/nats.go", false, false},
		{"signaling/cluster/natsbus", "github.com/wailsapp/wails/v2", false, true},
		{"signaling/cluster/natsbus", "signalbox/app", false, true},
		{"signaling/clusterx", "github.com/nats-io/nats.go", false, true},
		{"signaling/transport", "signalbox/signaling/native", false, true},
		{"signaling/transport", "signalbox/signaling", false, false},
		{"signaling/internal/wspark", "signalbox/signaling", false, true},
		{"signaling/internal/wspark", "signalbox/signaling/transport", false, true},
		{"signaling/httpserver", "signalbox/internal/certs", false, true},
		{"signaling/httpserver", "signalbox/internal/certs", true, false},
		{"signaling/httpserver", "signalbox/internal/testwait", false, false},
		{"signaling/socketio", "signalbox/signaling/httpserver", false, true},
		{"signaling/socketio/engineio", "signalbox/signaling/socketio/sioproto", false, true},
		{"signaling/socketio/engineio", "signalbox/signaling", false, true},
		{"signaling/socketio/engineio", "signalbox/signaling", true, false},
		{"signaling/socketio", "signalbox/signaling", false, false},
		{"signaling/socketio/engineiox", "signalbox/signaling", false, false},
		{"internal/turnrelay", "signalbox/signaling", false, true},
		{"internal/testwait", "signalbox/app/settings", true, true},
		{"internal/abuse", "signalbox/app/service", true, false},
		{"app/service", "signalbox/app", false, true},
		{"app/service", "signalbox/app/settings", false, false},
		{"app/service", "signalbox/internal/certs", false, false},
		{"app", "signalbox/app/service", false, false},
		{"cmd/sbload/loadtest", "signalbox/app/service", true, true},
		{"cmd/sbload/loadtest", "signalbox/signaling/httpserver", true, false},
		{"e2e/cmd/testserver", "signalbox/app", false, true},
		{".", "signalbox/app", false, false},
		{".", "signalbox/signaling", false, true},
		{"app", "signalbox/signaling", false, false},
		{"cmd/sbload/loadtest", "signalbox/signaling/native", false, true},
		{"cmd/sbload/loadtest", "signalbox/signaling", true, false},
	}
	for _, tt := range tests {
		if got := forbiddenImport(tt.dir, tt.imp, tt.test) != ""; got != tt.bad {
			t.Errorf("forbiddenImport(%q, %q, test %v) forbidden = %v, want %v", tt.dir, tt.imp, tt.test, got, tt.bad)
		}
	}
}
