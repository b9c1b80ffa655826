package service

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"signalbox/app/settings"
	"strings"

	"signalbox/signaling"
	"signalbox/signaling/cluster/natsbus"
)

// DefaultClusterPort is the route port of the embedded nats-server, which
// the other Signalbox servers of a cluster connect to (NATS's usual route
// port is 6222; this one sits beside Signalbox's own 7480).
const DefaultClusterPort = 7422

// ClusterStatus is the state of the cluster link, for the window, the
// terminal and /healthz.
type ClusterStatus struct {
	// Mode is "" (standalone), settings.ClusterEmbedded or "nats".
	Mode string `json:"mode"`
	natsbus.Status
	// RouteURL is what the other servers list as a route to this one
	// (embedded mode with a cluster address).
	RouteURL string `json:"routeUrl,omitempty"`
}

// clusterRun is the running cluster link of a started service.
type clusterRun struct {
	bus  *natsbus.Bus
	emb  *natsbus.Embedded // nil when joining an existing NATS
	mode string
}

// clusterMode names the mode of a Cluster setting.
func clusterMode(setting string) string {
	switch {
	case setting == "":
		return ""
	case setting == settings.ClusterEmbedded:
		return settings.ClusterEmbedded
	}
	return "nats"
}

// startCluster links hub to the cluster the settings name, or returns nil
// for a standalone server. A NATS that cannot be reached does not fail it:
// the link keeps trying and ClusterStatus says so.
func (s *Service) startCluster(st settings.Settings, hub *signaling.Hub) (*clusterRun, error) {
	mode := clusterMode(st.Cluster)
	if mode == "" {
		return nil, nil
	}
	id := st.ClusterID
	if id == "" {
		id = natsbus.DefaultClusterID
	}
	run := &clusterRun{mode: mode}
	url := st.Cluster
	if mode == settings.ClusterEmbedded {
		dir, err := s.natsDir(id)
		if err != nil {
			return nil, err
		}
		listen := st.ClusterListen
		if listen != "" && !strings.Contains(listen, ":") {
			listen = net.JoinHostPort(listen, fmt.Sprint(DefaultClusterPort))
		}
		var routes []string
		for _, r := range st.ClusterRoutes {
			routes = append(routes, routeURL(r))
		}
		emb, err := natsbus.StartEmbedded(natsbus.EmbeddedConfig{
			Name: "signalbox-" + st.ServerID, Listen: "127.0.0.1:0",
			ClusterListen: listen, Routes: routes, ClusterName: id, StoreDir: dir,
		}, s.log)
		if err != nil {
			return nil, err
		}
		run.emb, url = emb, emb.ClientURL()
	}
	bus, err := natsbus.New(natsbus.Config{URL: url, Embedded: run.emb, ClusterID: id, ServerID: st.ServerID, Replicas: st.ClusterReplicas}, hub, s.log)
	if err != nil {
		if run.emb != nil {
			run.emb.Shutdown()
		}
		return nil, err
	}
	run.bus = bus
	hub.AttachCluster(bus)
	s.log.Info("sharing rooms with a cluster", "mode", mode, "cluster", id)
	return run, nil
}

// routeURL makes a route URL of host:port (or host, or a URL).
func routeURL(r string) string {
	if strings.Contains(r, "://") {
		return r
	}
	if _, _, err := net.SplitHostPort(r); err != nil {
		r = net.JoinHostPort(r, fmt.Sprint(DefaultClusterPort))
	}
	return "nats-route://" + r
}

// natsDir is where the embedded nats-server keeps the room bucket.
func (s *Service) natsDir(id string) (string, error) {
	if s.cfg.ConfigDir == "" {
		return os.MkdirTemp("", "signalbox-nats-")
	}
	dir := filepath.Join(s.cfg.ConfigDir, "nats", id)
	return dir, os.MkdirAll(dir, 0o700)
}

// close ends the link after the hub shut down (its last seat changes are
// made first, as far as ctx allows) and stops the embedded server.
func (c *clusterRun) close(ctx context.Context) error {
	if c == nil {
		return nil
	}
	err := c.bus.Close(ctx)
	if c.emb != nil {
		c.emb.Shutdown()
	}
	return err
}

// advertisedID is the cluster id published over mDNS, "" when standalone.
func (c *clusterRun) advertisedID() string {
	if c == nil {
		return ""
	}
	return c.bus.Status().ClusterID
}

// status describes the link.
func (c *clusterRun) status() ClusterStatus {
	if c == nil {
		return ClusterStatus{}
	}
	st := ClusterStatus{Mode: c.mode, Status: c.bus.Status()}
	if c.emb != nil {
		st.RouteURL = c.emb.RouteURL()
	}
	return st
}

// Cluster reports the state of the cluster link; Mode "" when standalone
// or stopped.
func (s *Service) Cluster() ClusterStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cluster.status()
}

// clusterHealth is httpserver.Config.ClusterHealth: nothing to say of a
// standalone server.
func (s *Service) clusterHealth() (bool, any) {
	st := s.Cluster()
	if st.Mode == "" {
		return true, nil
	}
	return st.Ready, st
}

// errClusterSettings reports settings that cannot form a cluster.
var errClusterSettings = errors.New("cluster settings")
