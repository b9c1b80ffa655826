package settings

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadMissing(t *testing.T) {
	def := Default("Lab")
	got, err := Load(t.TempDir(), def)
	if err != nil || !reflect.DeepEqual(got, def) {
		t.Errorf("Load(empty dir) = %+v, %v; want the defaults, nil", got, err)
	}
	if def.Addr != PortAddr(DefaultPort) || def.RoomCapacity != 2 || !def.MDNS || len(def.ServerID) != 16 || def.Interfaces == nil {
		t.Errorf("Default() = %+v", def)
	}
	if other := Default("Lab"); other.ServerID == def.ServerID {
		t.Errorf("two installations got the same server id %q", def.ServerID)
	}
}

func TestSaveLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "signalbox") // Save creates it
	s := Settings{Addr: PortAddr(8123), RoomCapacity: 6, ServerName: "Room 101 · 物理", Interfaces: []string{"wlan0"},
		MDNS: false, Language: "zh-CN", ServerID: "0123456789abcdef"}
	if err := Save(dir, s); err != nil {
		t.Fatalf("Save() = %v", err)
	}
	if !Exists(dir) {
		t.Errorf("Exists() = false after Save")
	}
	def := Default("Lab")
	got, err := Load(dir, def)
	if want := s.ApplyTo(def); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Load() = %+v, %v; want %+v", got, err, want)
	}
	info, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("settings file mode = %v, want 0600", perm)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d files after Save, want only %s (no temporary file left)", len(entries), FileName)
	}
}

func TestLoadFiles(t *testing.T) {
	def := Default("Lab")
	tests := []struct {
		name    string
		file    string
		want    func(Settings) Settings
		wantErr error
	}{
		{"partial file keeps defaults", `{"port": 8000}`,
			func(s Settings) Settings { s.Addr = PortAddr(8000); return s }, nil},
		{"no server id takes the default", `{"serverName": "Kitchen", "serverId": ""}`,
			func(s Settings) Settings { s.ServerName = "Kitchen"; return s }, nil},
		{"null interfaces", `{"interfaces": null}`,
			func(s Settings) Settings { return s }, nil},
		{"unknown keys ignored", `{"future": 1, "mdns": false}`,
			func(s Settings) Settings { s.MDNS = false; return s }, nil},
		{"not json", `{port: 8000`, func(s Settings) Settings { return s }, ErrCorrupt},
		{"wrong type", `{"port": "8000"}`, func(s Settings) Settings { return s }, ErrCorrupt},
		{"out of range", `{"port": 70000}`, func(s Settings) Settings { return s }, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, FileName), []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := Load(dir, def)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("Load(%s) error = %v, want %v", tt.file, err, tt.wantErr)
			}
			if want := tt.want(def); !reflect.DeepEqual(got, want) {
				t.Errorf("Load(%s) = %+v, want %+v", tt.file, got, want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	good := Default("Lab")
	tests := []struct {
		name   string
		change func(*Settings)
		field  string // "" when valid
	}{
		{"defaults", func(*Settings) {}, ""},
		{"port 0", func(s *Settings) { s.Addr = PortAddr(0) }, "port"},
		{"port too big", func(s *Settings) { s.Addr = PortAddr(65536) }, "port"},
		{"capacity 0", func(s *Settings) { s.RoomCapacity = 0 }, "roomCapacity"},
		{"capacity 33", func(s *Settings) { s.RoomCapacity = 33 }, "roomCapacity"},
		{"capacity 32", func(s *Settings) { s.RoomCapacity = 32 }, ""},
		{"blank name", func(s *Settings) { s.ServerName = "  " }, "serverName"},
		{"long name", func(s *Settings) { s.ServerName = strings.Repeat("x", 64) }, "serverName"},
		{"name with newline", func(s *Settings) { s.ServerName = "a\nb" }, "serverName"},
		{"chinese name", func(s *Settings) { s.ServerName = "物理实验室" }, ""},
		{"language", func(s *Settings) { s.Language = "fr" }, "language"},
		{"empty interface", func(s *Settings) { s.Interfaces = []string{""} }, "interfaces"},
		{"cluster embedded", func(s *Settings) { s.Cluster, s.ClusterRoutes = "embedded", []string{"10.0.0.1", "10.0.0.2:7422"} }, ""},
		{"cluster url", func(s *Settings) { s.Cluster = "nats://nats1.lan:4222,nats://nats2.lan:4222" }, ""},
		{"cluster other", func(s *Settings) { s.Cluster = "http://x" }, "cluster"},
		{"cluster id", func(s *Settings) { s.ClusterID = "campus 1" }, "clusterId"},
		{"cluster route", func(s *Settings) { s.ClusterRoutes = []string{"a b"} }, "clusterRoutes"},
		{"cluster replicas", func(s *Settings) { s.ClusterReplicas = 9 }, "clusterReplicas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good
			tt.change(&s)
			err := s.Validate()
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.field != "" && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.field)):
				t.Errorf("Validate() = %v, want ErrInvalid naming %s", err, tt.field)
			}
		})
	}
	if err := Save(t.TempDir(), Settings{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Save(zero settings) = %v, want ErrInvalid", err)
	}
}

func TestApplyTo(t *testing.T) {
	base := Settings{Addr: "127.0.0.1:1", ListRooms: true, AllowOrigins: []string{"wails://wails"}}
	s := Settings{Addr: PortAddr(8123), RoomCapacity: 4, ServerName: "Lab", Interfaces: []string{"eth0"}, MDNS: true, ServerID: "id"}
	got := s.ApplyTo(base)
	want := Settings{Addr: ":8123", Interfaces: []string{"eth0"}, ServerName: "Lab", RoomCapacity: 4,
		ListRooms: true, AllowOrigins: []string{"wails://wails"}, MDNS: true, ServerID: "id"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ApplyTo() = %+v, want %+v", got, want)
	}
}

func TestNeedsRestart(t *testing.T) {
	a := Default("Lab")
	b := a
	b.MDNS, b.Language = false, "en"
	if NeedsRestart(a, b) {
		t.Errorf("NeedsRestart(mdns, language) = true, want false")
	}
	b.Interfaces = []string{"wlan0"}
	if !NeedsRestart(a, b) {
		t.Errorf("NeedsRestart(interfaces) = false, want true")
	}
}
