package modulemd

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ReadDir reads every "*.yaml" file of a directory (not recursing) and
// merges them at one priority, as libmodulemd's reading of a defaults
// directory does: differing defaults of one module resolve by "modified",
// and an unresolved default stream conflict is an error when strict, else
// it leaves the module without a default stream.
func ReadDir(dir string, strict bool) (*Index, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	into := NewIndex()
	for _, n := range names {
		x, err := ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		if err := Merge(x, into, false, strict); err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Join(dir, n), err)
		}
	}
	return into, nil
}

// ReadDefaultsDir is libmodulemd's update_from_defaults_directory as Pungi
// calls it (strict=False): the defaults of dir, with the overrides
// directory (when not "") merged over them with override.
func ReadDefaultsDir(dir, overridesDir string) (*Index, error) {
	x, err := ReadDir(dir, false)
	if err != nil {
		return nil, err
	}
	if overridesDir != "" {
		o, err := ReadDir(overridesDir, false)
		if err != nil {
			return nil, err
		}
		if err := Merge(o, x, true, false); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// ConflictingDefaults reports, as Pungi's init phase validates a module
// defaults directory, every module that the *.yaml files of dir give more
// than one default stream (each file read on its own). The result is one
// line per module, sorted; nil when there is no conflict.
func ConflictingDefaults(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	seen := map[string]map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		x, err := ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		for m, d := range x.Defaults {
			if seen[m] == nil {
				seen[m] = map[string]bool{}
			}
			seen[m][d.Stream] = true
		}
	}
	var out []string
	for m, streams := range seen {
		if len(streams) > 1 {
			var list []string
			for s := range streams {
				list = append(list, s)
			}
			slices.Sort(list)
			out = append(out, fmt.Sprintf("module %s has multiple defaults: %s", m, strings.Join(list, ", ")))
		}
	}
	slices.Sort(out)
	return out, nil
}
