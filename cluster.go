package main

import (
	"flag"
	"fmt"
	"strings"

	"signalbox/app/service"
)

// clusterFlags adds the flags that make this server one of a cluster
// (docs/cluster.md), into st.
func clusterFlags(fs *flag.FlagSet, st *service.Settings) {
	fs.StringVar(&st.Cluster, "cluster", "", "share rooms with other Signalbox servers: \"embedded\" runs NATS inside this one; nats://host:4222 joins an existing NATS (default: standalone)")
	fs.StringVar(&st.ClusterID, "cluster-id", "", "name of the shared room namespace; servers with the same id share rooms (default \"signalbox\")")
	fs.StringVar(&st.ClusterListen, "cluster-listen", "", fmt.Sprintf("with --cluster embedded: address the other servers connect to, host:port (port %d if omitted), e.g. 0.0.0.0", service.DefaultClusterPort))
	fs.Func("cluster-route", "with --cluster embedded: another server's --cluster-listen address, host[:port] (repeatable)", func(v string) error {
		st.ClusterRoutes = append(st.ClusterRoutes, v)
		return nil
	})
	fs.IntVar(&st.ClusterReplicas, "cluster-replicas", 1, "copies of the room records NATS keeps (3 in a cluster of three or more NATS servers)")
}

// overrideCluster sets in st the stored cluster settings that flags were
// given for.
func (o options) overrideCluster(st *service.Settings) {
	if o.set["cluster"] {
		st.Cluster = o.flags.Cluster
	}
	if o.set["cluster-id"] {
		st.ClusterID = o.flags.ClusterID
	}
	if o.set["cluster-listen"] {
		st.ClusterListen = o.flags.ClusterListen
	}
	if o.set["cluster-route"] {
		st.ClusterRoutes = o.flags.ClusterRoutes
	}
	if o.set["cluster-replicas"] {
		st.ClusterReplicas = o.flags.ClusterReplicas
	}
}

// clusterInfo says, after the join banner, which cluster the server is
// part of and whether it is connected; "" when standalone.
func clusterInfo(svc *service.Service) string {
	c := svc.Cluster()
	if c.Mode == "" {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Cluster %q (%s), this server %s", c.ClusterID, c.Mode, c.ServerID)
	if c.RouteURL != "" {
		fmt.Fprintf(&b, ", other servers route to %s", c.RouteURL)
	}
	b.WriteString("\n")
	if !c.Ready {
		fmt.Fprintf(&b, "Cluster not reachable yet (%s): rooms shared with other servers wait for it.\n", c.Error)
	}
	return b.String()
}
