package settings

import (
	"flag"
	"fmt"
	"strconv"
	"time"
)

// Flags are the settings given on the command line, which win over the
// stored ones for the run.
type Flags struct {
	fs     *flag.FlagSet
	values *Settings
}

// BindFlags defines in fs the flag of every setting that has one (its flag
// tag), with def's values as defaults. Read them after fs.Parse.
func BindFlags(fs *flag.FlagSet, def Settings) *Flags {
	f := &Flags{fs: fs, values: new(Settings)}
	*f.values = def.Clone()
	for _, fl := range fields() {
		if fl.flag == "" {
			continue
		}
		switch p := fl.value(f.values).Addr().Interface().(type) {
		case *bool:
			if fl.negate {
				fs.Var(notBool{p}, fl.flag, fl.usage)
			} else {
				fs.BoolVar(p, fl.flag, *p, fl.usage)
			}
		case *int:
			fs.IntVar(p, fl.flag, *p, fl.usage)
		case *int64:
			fs.Int64Var(p, fl.flag, *p, fl.usage)
		case *string:
			fs.StringVar(p, fl.flag, *p, fl.usage)
		case *Addr:
			fs.StringVar((*string)(p), fl.flag, string(*p), fl.usage)
		case *time.Duration:
			fs.DurationVar(p, fl.flag, *p, fl.usage)
		case *[]string: // repeatable
			fs.Func(fl.flag, fl.usage, func(v string) error {
				*p = append(*p, v)
				return nil
			})
		default:
			panic(fmt.Sprintf("settings: no flag for %s of type %T", fl.name, p))
		}
	}
	return f
}

// given reports whether the flag of fl was on the command line.
func (f *Flags) given(fl field) bool {
	set := false
	if fl.flag != "" {
		f.fs.Visit(func(g *flag.Flag) { set = set || g.Name == fl.flag })
	}
	return set
}

// Values returns every setting as the command line says: the flags given
// and the defaults of the others.
func (f *Flags) Values() Settings { return f.values.Clone() }

// Override sets in st the settings whose flags were given.
func (f *Flags) Override(st *Settings) {
	values := f.values.Clone()
	for _, fl := range fields() {
		if f.given(fl) {
			fl.value(st).Set(fl.value(&values))
		}
	}
}

// Fixed returns the JSON keys of the stored settings whose flags were
// given: the window shows them read-only.
func (f *Flags) Fixed() []string {
	keys := []string{}
	for _, fl := range fields() {
		if fl.key != "" && f.given(fl) {
			keys = append(keys, fl.key)
		}
	}
	return keys
}

// notBool is a boolean flag that sets the opposite of its field, for a
// setting whose zero value is "on" (such as SocketIONoLogs).
type notBool struct{ p *bool }

func (b notBool) String() string {
	if b.p == nil {
		return "false"
	}
	return strconv.FormatBool(!*b.p)
}

func (b notBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	*b.p = !v
	return nil
}

func (b notBool) IsBoolFlag() bool { return true }
