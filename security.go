package main

import (
	"flag"

	"signalbox/app/service"
)

// securityFlags adds the HTTPS and relay flags to fs, into st.
func securityFlags(fs *flag.FlagSet, st *service.Settings) {
	fs.BoolVar(&st.HTTPS, "https", true, "serve other devices over HTTPS with a certificate from this computer's own authority (browsers allow the camera only over HTTPS)")
	fs.StringVar(&st.CertFile, "cert", "", "serve this certificate (PEM, with its chain) instead of the local authority's; needs --key")
	fs.StringVar(&st.KeyFile, "key", "", "the private key (PEM) of --cert")
	fs.BoolVar(&st.TURN, "turn", true, "run the built-in TURN relay, for networks that keep devices from reaching each other")
	fs.IntVar(&st.TURNPort, "turn-port", service.DefaultTURNPort, "UDP and TCP port of the TURN relay (0 picks a free one)")
}

// overrideSecurity sets in st the stored security settings that flags were
// given for.
func (o options) overrideSecurity(st *service.Settings) {
	if o.set["https"] {
		st.HTTPS = o.flags.HTTPS
	}
	if o.set["turn"] {
		st.TURN = o.flags.TURN
	}
	if o.set["turn-port"] {
		st.TURNPort = o.flags.TURNPort
	}
}
