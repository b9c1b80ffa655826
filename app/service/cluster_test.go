package service

import (
	"context"
	"encoding/json"
	"net/http"
	"signalbox/app/settings"
	"strconv"
	"testing"
	"time"

	"signalbox/internal/testwait"
	"signalbox/signaling"
)

// Embedded mode: the service runs nats-server itself, shares its rooms
// through it, says so in ClusterStatus and /healthz, and stops it on Stop.
func TestEmbeddedClusterService(t *testing.T) {
	s := New(Config{Settings: settings.Settings{Addr: "127.0.0.1:0", ServerName: "Lab", ServerID: "abc", Cluster: settings.ClusterEmbedded, ClusterID: "lab"},
		Version: "test", ConfigDir: t.TempDir()}, testLogger(t))
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	testwait.Until(t, "the cluster is ready", 30*time.Second, func() bool { return s.Cluster().Ready })
	c := s.Cluster()
	if c.Mode != settings.ClusterEmbedded || c.ClusterID != "lab" || c.Servers != 1 {
		t.Errorf("Cluster() = %+v", c)
	}
	resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(s.Port()) + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Status  string
		Cluster ClusterStatus
	}
	err = json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if err != nil || h.Status != "ok" || !h.Cluster.Ready || h.Cluster.Mode != settings.ClusterEmbedded {
		t.Errorf("/healthz = %+v, %v", h, err)
	}
	hub := s.Hub()
	p, err := hub.Connect(signaling.ConnInfo{Transport: "test"}, nopLink{})
	if err != nil {
		t.Fatal(err)
	}
	if err := hub.Join(p, "math", ""); err != nil {
		t.Fatalf("join through the embedded cluster: %v", err)
	}
	if rs := hub.Rooms(); len(rs) != 1 || rs[0].Peers != 1 {
		t.Errorf("Rooms() = %+v", rs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Errorf("Stop() = %v", err)
	}
	if c := s.Cluster(); c.Mode != "" {
		t.Errorf("after Stop, Cluster() = %+v", c)
	}
}

// A standalone service says nothing of a cluster.
func TestStandaloneHasNoCluster(t *testing.T) {
	s := newService(t, settings.Settings{ServerName: "Lab"})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if c := s.Cluster(); c.Mode != "" || c.Ready {
		t.Errorf("Cluster() = %+v, want standalone", c)
	}
	resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(s.Port()) + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || h["status"] != "ok" || h["cluster"] != nil {
		t.Errorf("/healthz = %v, %v", h, err)
	}
}

type nopLink struct{}

func (nopLink) Wake()                  {}
func (nopLink) Close(signaling.Reason) {}
