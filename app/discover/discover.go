package discover

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"signalbox/app/mdns"
)

// Run is `signalbox discover`: it browses the LAN for Signalbox servers
// and prints them as a table (or JSON). args are the arguments after
// "discover". It returns the exit code: 0 when the browse worked, whether
// or not a server answered, 2 for bad arguments, 1 when browsing failed.
func Run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("signalbox discover", flag.ContinueOnError)
	fs.SetOutput(stderr)
	wait := fs.Duration("wait", mdns.DefaultDiscoverWait, "how long to listen for answers")
	asJSON := fs.Bool("json", false, "print the servers as JSON")
	var names []string
	fs.Func("interface", "browse on this network interface only (repeatable; default: every LAN interface)", func(v string) error {
		names = append(names, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "signalbox discover: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	var ifaces []net.Interface
	for _, name := range names {
		ifi, err := net.InterfaceByName(name)
		if err != nil {
			fmt.Fprintf(stderr, "signalbox discover: interface %q: %v\n", name, err)
			return 2
		}
		ifaces = append(ifaces, *ifi)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	servers, err := mdns.Discover(ctx, ifaces, *wait)
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "signalbox discover:", err)
		return 1
	}
	if *asJSON {
		if servers == nil {
			servers = []mdns.Server{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(servers)
	} else {
		err = mdns.WriteTable(stdout, servers)
	}
	if err != nil {
		fmt.Fprintln(stderr, "signalbox discover:", err)
		return 1
	}
	return 0
}
