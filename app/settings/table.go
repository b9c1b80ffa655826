package settings

import (
	"reflect"
	"slices"
	"strings"
)

// field is one setting as its struct tags declare it.
type field struct {
	index   int    // in Settings
	name    string // the Go field name
	key     string // JSON key; "" when never stored
	flag    string // command-line flag; "" when there is none
	negate  bool   // the flag sets the opposite of the field
	usage   string // the flag's help
	restart bool   // changing it restarts the server
}

// fields reads the table of settings from the tags of Settings.
func fields() []field {
	t := reflect.TypeFor[Settings]()
	out := make([]field, 0, t.NumField())
	for i := range t.NumField() {
		sf := t.Field(i)
		f := field{index: i, name: sf.Name, usage: sf.Tag.Get("usage"), restart: sf.Tag.Get("restart") == "yes"}
		if key, _, _ := strings.Cut(sf.Tag.Get("json"), ","); key != "-" {
			f.key = key
		}
		name, opt, _ := strings.Cut(sf.Tag.Get("flag"), ",")
		f.flag, f.negate = name, opt == "negate"
		out = append(out, f)
	}
	return out
}

// value returns the field f of *s, settable.
func (f field) value(s *Settings) reflect.Value { return reflect.ValueOf(s).Elem().Field(f.index) }

// Clone returns s with its own copy of every slice.
func (s Settings) Clone() Settings {
	for _, f := range fields() {
		if v := f.value(&s); v.Kind() == reflect.Slice && !v.IsNil() {
			v.Set(reflect.AppendSlice(reflect.MakeSlice(v.Type(), 0, v.Len()), v))
		}
	}
	return s
}

// ApplyTo returns base (the settings that are not stored: origins, API
// access, certificate files, …) with every stored setting of s in.
func (s Settings) ApplyTo(base Settings) Settings {
	s = s.Clone()
	for _, f := range fields() {
		if f.key != "" {
			f.value(&base).Set(f.value(&s))
		}
	}
	return base
}

// Keep returns s with the settings named by keys (JSON keys) as they are in
// old: the window saves everything but what the command line fixed.
func (s Settings) Keep(old Settings, keys []string) Settings {
	old = old.Clone()
	for _, f := range fields() {
		if f.key != "" && slices.Contains(keys, f.key) {
			f.value(&s).Set(f.value(&old))
		}
	}
	return s
}

// NeedsRestart reports whether going from a to b restarts the server (a
// setting tagged restart changed), which disconnects every peer. An empty
// list and no list are the same.
func NeedsRestart(a, b Settings) bool {
	for _, f := range fields() {
		if f.restart && !same(f.value(&a), f.value(&b)) {
			return true
		}
	}
	return false
}

// RestartKeys returns the JSON keys of the stored settings whose change
// restarts the server: the window asks before saving a change to one.
func RestartKeys() []string {
	keys := []string{}
	for _, f := range fields() {
		if f.restart && f.key != "" {
			keys = append(keys, f.key)
		}
	}
	return keys
}

// same reports whether two values of one field are equal; nil and empty
// slices are.
func same(a, b reflect.Value) bool {
	if a.Kind() == reflect.Slice && a.Len() == 0 && b.Len() == 0 {
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}
