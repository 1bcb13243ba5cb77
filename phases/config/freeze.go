package config

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/internal/ini"
)

// This file is pungi-config-dump beyond printing one config: several
// sources merged, a compose directory as a source, the Koji event pinned
// (--freeze-event) and a pungi-orchestrate multi-config cloned with every
// part dumped (--multi).

// DumpOptions are pungi-config-dump's options.
type DumpOptions struct {
	Defines []string // -e KEY=VALUE
	Raw     bool     // --just-dump: no defaults, no validation
	// Event, when not 0, is written as koji_event (--freeze-event) so
	// that a compose from the dumped config uses that Koji event.
	Event int64
}

// DumpError is a dump refused because the config is invalid; the
// diagnostics say why.
type DumpError struct{ Diags []Diagnostic }

func (e *DumpError) Error() string {
	lines := make([]string, len(e.Diags))
	for i, d := range e.Diags {
		lines[i] = fmt.Sprintf("%s: error: %s", d.Pos, d.Msg)
	}
	return strings.Join(lines, "\n")
}

// SourceFile is the config file a dump source names: the file itself, or
// for a compose directory its logs/global/config-dump.global.log.
func SourceFile(source string) (string, error) {
	st, err := os.Stat(source)
	if err != nil {
		return "", fmt.Errorf("%s: no such config file or compose directory", source)
	}
	if !st.IsDir() {
		return source, nil
	}
	p := filepath.Join(source, "logs", "global", "config-dump.global.log")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s: a directory but not a compose (no logs/global/config-dump.global.log)", source)
	}
	return p, nil
}

// LoadSources reads every source in order into one config: a later
// source's options replace an earlier one's, as pungi-config-dump loads
// them into one parser.
func LoadSources(sources []string, defines []string) (*Config, error) {
	var c *Config
	for _, s := range sources {
		file, err := SourceFile(s)
		if err != nil {
			return nil, err
		}
		// A config dump is JSON whatever its name.
		opts := LoadOptions{Overrides: defines}
		next, err := loadAnyFormat(file, opts)
		if err != nil {
			return nil, err
		}
		if c == nil {
			c = next
			continue
		}
		for _, k := range next.names {
			c.Set(k, next.values[k])
			if p, ok := next.pos[k]; ok {
				c.pos[k] = p
			}
		}
	}
	if c == nil {
		return nil, fmt.Errorf("no config source given")
	}
	return c, nil
}

// loadAnyFormat loads JSON when the file starts with "{" (config dumps
// are named .log), the kobo format otherwise.
func loadAnyFormat(file string, opts LoadOptions) (*Config, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(f)
	for {
		b, err := br.ReadByte()
		if err != nil {
			break
		}
		if b != ' ' && b != '\n' && b != '\t' && b != '\r' {
			opts.JSON = b == '{'
			break
		}
	}
	f.Close()
	return LoadWith(file, opts)
}

// DumpSources writes the merged sources as pungi-config-dump does: checked
// against the schema and with defaults (unless Raw), koji_event pinned
// when an event is given, keys sorted. before, when set, sees the config
// just before it is written.
func DumpSources(w io.Writer, sources []string, o DumpOptions, before func(*Config) error) error {
	c, err := LoadSources(sources, o.Defines)
	if err != nil {
		return err
	}
	if !o.Raw {
		r := Check(c, ValidateOptions{SchemaOnly: true})
		if len(r.Errors) > 0 {
			return &DumpError{Diags: r.Errors}
		}
		c = r.Config
	}
	if o.Event != 0 {
		c.Set("koji_event", o.Event)
	}
	if before != nil {
		if err := before(c); err != nil {
			return err
		}
	}
	if o.Raw {
		return WriteJSON(w, c.Values())
	}
	return c.Dump(w)
}

// DumpMulti clones a pungi-orchestrate multi-config (an INI file whose
// sections other than [general] name a Pungi config in their "config"
// key) into dest: each part dumped to dest/NAME.json, their local
// comps_file and variants_file copied beside them, and the INI rewritten
// to point at the dumps, as pungi-config-dump --multi does.
func DumpMulti(confFile, dest string, o DumpOptions) error {
	doc, err := ini.ParseFileWith(confFile, ini.Options{Continuations: true, LowerKeys: true})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return err
	}
	base := filepath.Dir(confFile)
	for _, s := range doc.Sections {
		if s.Name == "general" {
			continue
		}
		part := s.Values["config"]
		if part == "" {
			return fmt.Errorf("%s: section [%s] has no config", confFile, s.Name)
		}
		// Pungi keeps part's directories in the dump's path but writes only
		// the base name into the INI; the dump goes where the INI points.
		out := filepath.Join(dest, strings.TrimSuffix(filepath.Base(part), filepath.Ext(part))+".json")
		copyLocal := func(c *Config) error {
			for _, opt := range []string{"comps_file", "variants_file"} {
				v, ok := c.Get(opt)
				name, isStr := v.(string)
				if !ok || !isStr || name == "" || strings.HasPrefix(name, "/") {
					continue
				}
				data, err := os.ReadFile(filepath.Join(base, name))
				if err != nil {
					return fmt.Errorf("%s: %s of [%s]: %v", confFile, opt, s.Name, err)
				}
				if err := atomicfile.WriteFile(filepath.Join(dest, filepath.Base(name)), data, 0o644); err != nil {
					return err
				}
			}
			return nil
		}
		err := atomicfile.WriteWith(out, 0o644, func(w io.Writer) error {
			return DumpSources(w, []string{filepath.Join(base, part)}, o, copyLocal)
		})
		if err != nil {
			return err
		}
		s.Set("config", filepath.Base(out))
	}
	return atomicfile.WriteWith(filepath.Join(dest, filepath.Base(confFile)), 0o644, func(w io.Writer) error {
		return doc.Write(w)
	})
}
