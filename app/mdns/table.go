package mdns

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode"
)

// WriteTable prints servers as an aligned table (name, join URL, host name,
// protocol version, certificate fingerprint, cluster) for `signalbox
// discover`, or a line saying none was found. Servers of one cluster are
// listed together, clusters first, and a line per cluster counts them.
// Names and values come from the network, so control characters are
// replaced before they reach a terminal.
func WriteTable(w io.Writer, servers []Server) error {
	if len(servers) == 0 {
		_, err := fmt.Fprintln(w, "no Signalbox server found")
		return err
	}
	servers = slices.Clone(servers)
	order := map[string]int{}
	for _, s := range servers {
		if _, ok := order[s.Cluster]; !ok && s.Cluster != "" {
			order[s.Cluster] = len(order)
		}
	}
	rank := func(s Server) int {
		if s.Cluster == "" {
			return len(order)
		}
		return order[s.Cluster]
	}
	slices.SortStableFunc(servers, func(a, b Server) int { return rank(a) - rank(b) })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	rows := [][]string{{"NAME", "URL", "HOST", "VERSION", "FINGERPRINT", "CLUSTER"}}
	for _, s := range servers {
		rows = append(rows, []string{s.Instance, s.URL(), s.Host, s.Version, s.Fingerprint, s.Cluster})
	}
	for _, row := range rows {
		for i, cell := range row {
			row[i] = printable(cell)
		}
		if _, err := fmt.Fprintln(tw, strings.Join(row, "\t")); err != nil {
			return err
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range servers {
		if n := order[s.Cluster]; s.Cluster != "" && n >= 0 {
			count := 0
			for _, o := range servers {
				if o.Cluster == s.Cluster {
					count++
				}
			}
			order[s.Cluster] = -1 // said once
			if _, err := fmt.Fprintf(w, "cluster %s: %d servers sharing rooms\n", printable(s.Cluster), count); err != nil {
				return err
			}
		}
	}
	return nil
}

// printable returns s with every non-printable rune (tabs, escapes,
// newlines) replaced by U+FFFD, or "-" when s is empty.
func printable(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return unicode.ReplacementChar
		}
		return r
	}, s)
}
