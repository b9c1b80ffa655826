package mdns

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"
)

// WriteTable prints servers as an aligned table (name, join URL, host name,
// protocol version, certificate fingerprint) for `signalbox discover`, or a
// line saying none was found. Names and values come from the network, so
// control characters are replaced before they reach a terminal.
func WriteTable(w io.Writer, servers []Server) error {
	if len(servers) == 0 {
		_, err := fmt.Fprintln(w, "no Signalbox server found")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	rows := [][]string{{"NAME", "URL", "HOST", "VERSION", "FINGERPRINT"}}
	for _, s := range servers {
		rows = append(rows, []string{s.Instance, s.URL(), s.Host, s.Version, s.Fingerprint})
	}
	for _, row := range rows {
		for i, cell := range row {
			row[i] = printable(cell)
		}
		if _, err := fmt.Fprintln(tw, strings.Join(row, "\t")); err != nil {
			return err
		}
	}
	return tw.Flush()
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
