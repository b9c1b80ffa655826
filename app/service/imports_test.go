package service

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportRule fails if this package imports Wails or package app: the
// window imports it, not the other way round, and it runs without a window.
func TestImportRule(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) < 2 {
		t.Fatalf("found %d Go files (%v): is the test run in its package folder?", len(files), err)
	}
	for _, path := range files {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "github.com/wailsapp/") || p == "signalbox/app" {
				t.Errorf("%s imports %s: app/service must not import Wails or package app", path, p)
			}
		}
	}
}
