package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FileName is the settings file's name inside the folder.
const FileName = "settings.json"

// Load reads dir/settings.json over def: keys missing from the file keep
// def's values, and a file with no server id gets def's. A missing file
// gives def and nil. A file that is not JSON, or holds invalid values,
// gives def and an error (wrapping ErrCorrupt or ErrInvalid), so a broken
// file never stops the app.
func Load(dir string, def Settings) (Settings, error) {
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return def, nil
	}
	if err != nil {
		return def, fmt.Errorf("read settings: %w", err)
	}
	s := def.Clone()
	if err := json.Unmarshal(b, &s); err != nil {
		return def, fmt.Errorf("%w: %s: %w", ErrCorrupt, filepath.Join(dir, FileName), err)
	}
	if s.ServerID == "" {
		s.ServerID = def.ServerID
	}
	if s.Interfaces == nil {
		s.Interfaces = []string{}
	}
	if err := s.Validate(); err != nil {
		return def, fmt.Errorf("%s: %w", filepath.Join(dir, FileName), err)
	}
	return s, nil
}

// Exists reports whether dir holds a settings file.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, FileName))
	return err == nil
}

// Save validates s and writes its stored settings to dir/settings.json
// atomically (a temporary file renamed over the old one), creating dir if
// needed. The file is readable by its owner only.
func Save(dir string, s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if s.Interfaces == nil {
		s.Interfaces = []string{}
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode settings: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	f, err := os.CreateTemp(dir, FileName+".*.tmp")
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(f.Name()) // best effort: the write already failed
		return fmt.Errorf("save settings: %w", err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, FileName)); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}
