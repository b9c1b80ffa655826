package settings

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"signalbox/signaling"
)

// The file keeps the keys it always had, and nothing only the command line
// sets.
func TestStoredKeys(t *testing.T) {
	dir := t.TempDir()
	s := Default("Lab")
	s.CertFile, s.AllowOrigins, s.APIFromLAN = "c.pem", []string{"http://x"}, true
	if err := Save(dir, s); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
	want := []string{"cluster", "clusterId", "clusterListen", "clusterReplicas", "clusterRoutes",
		"https", "interfaces", "language", "mdns", "port", "roomCapacity", "serverId", "serverName", "turn", "turnPort"}
	if !slices.Equal(keys, want) {
		t.Errorf("settings file keys = %q, want %q", keys, want)
	}
	if m["port"] != float64(DefaultPort) {
		t.Errorf("port stored as %v, want the number %d", m["port"], DefaultPort)
	}
}

// Every field is a stored setting, a flag, or both: a field that is
// neither could never be set.
func TestEveryFieldIsSettable(t *testing.T) {
	for _, f := range fields() {
		if f.key == "" && f.flag == "" {
			t.Errorf("field %s has neither a JSON key nor a flag", f.name)
		}
		if f.flag != "" && f.usage == "" {
			t.Errorf("flag --%s has no usage", f.flag)
		}
	}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	BindFlags(fs, Default("Lab")) // panics on a field type with no flag
	// The help texts that name a default or a range name the real one.
	for flagName, want := range map[string]string{
		"room-size":                     "1-" + strconv.Itoa(signaling.MaxRoomCapacity),
		"socketio-ping-interval":        "default, " + signaling.DefaultPingInterval.String(),
		"socketio-ping-timeout":         "default, " + (signaling.DefaultPongTimeout - signaling.DefaultPingInterval).String(),
		"socketio-max-http-buffer-size": "default, " + strconv.Itoa(signaling.DefaultMaxMessageSize),
		"cluster-listen":                "port 7422 ",
	} {
		if u := fs.Lookup(flagName).Usage; !strings.Contains(u, want) {
			t.Errorf("--%s usage %q does not say %q", flagName, u, want)
		}
	}
}

// The restart rule is the one the window and the service always had.
func TestRestartRule(t *testing.T) {
	if got, want := RestartKeys(), []string{"port", "roomCapacity", "serverName", "interfaces", "https",
		"cluster", "clusterId", "clusterListen", "clusterRoutes", "clusterReplicas"}; !slices.Equal(got, want) {
		t.Errorf("RestartKeys() = %q, want %q", got, want)
	}
	base := Default("Lab")
	tests := []struct {
		name    string
		change  func(*Settings)
		restart bool
	}{
		{"nothing", func(*Settings) {}, false},
		{"nil interfaces are no interfaces", func(s *Settings) { s.Interfaces = nil }, false},
		{"mdns, language, server id", func(s *Settings) { s.MDNS, s.Language, s.ServerID = false, "en", "x" }, false},
		{"turn", func(s *Settings) { s.TURN, s.TURNPort = false, 0 }, false},
		{"addr", func(s *Settings) { s.Addr = "127.0.0.1:7480" }, true},
		{"interfaces", func(s *Settings) { s.Interfaces = []string{"lo"} }, true},
		{"name", func(s *Settings) { s.ServerName = "Room 101" }, true},
		{"capacity", func(s *Settings) { s.RoomCapacity = 4 }, true},
		{"list rooms", func(s *Settings) { s.ListRooms = false }, true},
		{"api", func(s *Settings) { s.APIFromLAN = true }, true},
		{"socket.io logs", func(s *Settings) { s.SocketIONoLogs = true }, true},
		{"origins", func(s *Settings) { s.AllowOrigins = []string{"wails://wails"} }, true},
		{"hosts", func(s *Settings) { s.AllowHosts = []string{"lab.example"} }, true},
		{"per-address limits", func(s *Settings) { s.PeersPerAddr, s.RoomsPerAddr = 3, 1 }, true},
		{"https", func(s *Settings) { s.HTTPS = false }, true},
		{"certificate", func(s *Settings) { s.CertFile, s.KeyFile = "c.pem", "k.pem" }, true},
		{"socket.io timing", func(s *Settings) { s.SocketIOPingInterval = time.Second }, true},
		{"cluster", func(s *Settings) { s.Cluster, s.ClusterRoutes = ClusterEmbedded, []string{"10.0.0.2"} }, true},
	}
	for _, tt := range tests {
		b := base.Clone()
		tt.change(&b)
		if got := NeedsRestart(base, b); got != tt.restart {
			t.Errorf("%s: NeedsRestart() = %v, want %v", tt.name, got, tt.restart)
		}
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      func(*Settings)
		wantFixed []string
	}{
		{"no flags", nil, func(*Settings) {}, []string{}},
		{"addr and name", []string{"--addr", "127.0.0.1:0", "--name", "Lab 2"},
			func(s *Settings) { s.Addr, s.ServerName = "127.0.0.1:0", "Lab 2" }, []string{"port", "serverName"}},
		{"mdns off, interfaces", []string{"--mdns=false", "--interface", "eth0", "-interface", "wlan0"},
			func(s *Settings) { s.MDNS, s.Interfaces = false, []string{"eth0", "wlan0"} }, []string{"interfaces", "mdns"}},
		{"room size", []string{"--room-size", "6"}, func(s *Settings) { s.RoomCapacity = 6 }, []string{"roomCapacity"}},
		{"https and turn off", []string{"--https=false", "--turn=false"},
			func(s *Settings) { s.HTTPS, s.TURN = false, false }, []string{"https", "turn"}},
		{"turn port", []string{"--turn-port", "0"}, func(s *Settings) { s.TURNPort = 0 }, []string{"turnPort"}},
		{"not stored", []string{"--cert", "c.pem", "--key", "k.pem", "--allow-origin", "http://a", "--api-from-lan", "--list-rooms=false", "--socketio-logs=false"},
			func(s *Settings) {
				s.CertFile, s.KeyFile, s.AllowOrigins, s.APIFromLAN, s.ListRooms, s.SocketIONoLogs = "c.pem", "k.pem", []string{"http://a"}, true, false, true
			}, []string{}},
		{"socket.io logs on", []string{"--socketio-logs"}, func(*Settings) {}, []string{}},
		{"hosts and limits", []string{"--allow-host", "lab.example", "--peers-per-address", "3", "--rooms-per-address", "1"},
			func(s *Settings) { s.AllowHosts, s.PeersPerAddr, s.RoomsPerAddr = []string{"lab.example"}, 3, 1 }, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			def := Default("Default")
			f := BindFlags(fs, def)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatalf("Parse(%q) = %v", tt.args, err)
			}
			stored := Default("Stored")
			stored.Addr, stored.RoomCapacity, stored.TURNPort = ":8000", 3, 3479
			got, want := stored.Clone(), stored.Clone()
			f.Override(&got)
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Override() = %+v, want %+v", got, want)
			}
			vals, wantVals := f.Values(), def.Clone()
			tt.want(&wantVals)
			if !reflect.DeepEqual(vals, wantVals) {
				t.Errorf("Values() = %+v, want %+v", vals, wantVals)
			}
			fixed := f.Fixed()
			slices.Sort(fixed)
			if !slices.Equal(fixed, tt.wantFixed) {
				t.Errorf("Fixed() = %q, want %q", fixed, tt.wantFixed)
			}
		})
	}
}

// The help reads as it did when every flag was written by hand.
func TestFlagHelp(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	BindFlags(fs, Default("Lab"))
	var out bytes.Buffer
	fs.SetOutput(&out)
	fs.PrintDefaults()
	for _, want := range []string{"-addr string\n", `(default ":7480")`, "-room-size int\n", "-mdns\n", "-socketio-logs\n", "(default true)", "-interface value\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
}

func TestKeep(t *testing.T) {
	old := Default("Stored")
	s := old.Clone()
	s.Addr, s.ServerName, s.Interfaces = "127.0.0.1:0", "New", []string{"eth0"}
	got := s.Keep(old, []string{"port", "interfaces"})
	if got.Addr != old.Addr || got.ServerName != "New" || len(got.Interfaces) != 0 {
		t.Errorf("Keep(port, interfaces) = %+v", got)
	}
}

// The listen address is stored as its port, and a stored port listens on
// every interface.
func TestAddrJSON(t *testing.T) {
	for _, tt := range []struct {
		addr Addr
		port int
		json string
	}{
		{":7480", 7480, "7480"},
		{"127.0.0.1:9000", 9000, "9000"},
		{"[::1]:0", 0, "0"},
		{"no port", -1, "-1"},
	} {
		b, err := json.Marshal(tt.addr)
		if tt.addr.Port() != tt.port || err != nil || string(b) != tt.json {
			t.Errorf("Addr(%q): Port() = %d, JSON %s (%v); want %d, %s", tt.addr, tt.addr.Port(), b, err, tt.port, tt.json)
		}
	}
	var a Addr
	if err := json.Unmarshal([]byte("8123"), &a); err != nil || a != ":8123" {
		t.Errorf("Unmarshal(8123) = %q, %v; want \":8123\"", a, err)
	}
	if err := json.Unmarshal([]byte(`"8123"`), &a); err == nil {
		t.Errorf("Unmarshal(\"8123\") = nil error, want one (a port is a number)")
	}
}
