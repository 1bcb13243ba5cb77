// Package ini reads INI files (.treeinfo, koji profiles, koji.conf) with
// the semantics of Python's configparser as Pungi, productmd and koji use
// it: "[section]" headers, "key = value" or "key: value" pairs split at
// the first '=' or ':', surrounding blanks stripped, whole-line comments
// starting with '#' or ';', blank lines ignored. Keys keep their case
// (configparser's optionxform is the caller's business: koji lowercases).
// Unlike configparser it merges a repeated section or key (the last value
// wins) instead of refusing it. By default it does not read indented
// continuation lines: such a line is an error naming file and line
// (Options.Continuations reads them, as RawConfigParser does for
// pungi-orchestrate's multi-configs). File.Write writes a document as
// RawConfigParser.write does.
package ini

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// File is an INI document with its sections and keys in file order.
type File struct {
	Sections []*Section
}

// Section is one [name] of a File.
type Section struct {
	Name   string
	Keys   []string // in file order, each once
	Values map[string]string
}

// Options change how Parse reads.
type Options struct {
	// Continuations: an indented line after a key continues its value
	// (joined with "\n"), as in configparser.
	Continuations bool
	// LowerKeys lower-cases keys, configparser's default optionxform.
	LowerKeys bool
}

// Parse reads an INI document; name is used in errors ("NAME:LINE: …",
// "line LINE: …" without a name).
func Parse(r io.Reader, name string) (*File, error) { return ParseWith(r, name, Options{}) }

// ParseWith is Parse with options.
func ParseWith(r io.Reader, name string, o Options) (*File, error) {
	f := &File{}
	var cur *Section
	last := "" // the key an indented line continues
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case o.Continuations && (raw[0] == ' ' || raw[0] == '\t') && cur != nil && last != "":
			cur.Values[last] += "\n" + line
		case line[0] == '[':
			if !strings.HasSuffix(line, "]") || len(line) < 3 {
				return nil, fmt.Errorf("%sbad section header %q", where(name, n), line)
			}
			cur = f.Section(strings.TrimSpace(line[1:len(line)-1]), true)
			last = ""
		default:
			i := strings.IndexAny(line, "=:")
			if i <= 0 || cur == nil {
				return nil, fmt.Errorf("%snot a key = value line in a section: %q", where(name, n), line)
			}
			last = strings.TrimSpace(line[:i])
			if o.LowerKeys {
				last = strings.ToLower(last)
			}
			cur.Set(last, strings.TrimSpace(line[i+1:]))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s%v", where(name, 0), err)
	}
	return f, nil
}

// ParseFile reads the INI file at path (named by its path in errors).
func ParseFile(path string) (*File, error) { return ParseFileWith(path, Options{}) }

// ParseFileWith is ParseFile with options.
func ParseFileWith(path string, o Options) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseWith(f, path, o)
}

// Write writes the document as RawConfigParser.write does: "[name]",
// then "key = value" lines in order (a value's line breaks continued
// with a tab), then a blank line, per section.
func (f *File) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, s := range f.Sections {
		fmt.Fprintf(bw, "[%s]\n", s.Name)
		for _, k := range s.Keys {
			fmt.Fprintf(bw, "%s = %s\n", k, strings.ReplaceAll(s.Values[k], "\n", "\n\t"))
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}

func where(name string, line int) string {
	switch {
	case name != "" && line > 0:
		return fmt.Sprintf("%s:%d: ", name, line)
	case name != "":
		return name + ": "
	case line > 0:
		return fmt.Sprintf("line %d: ", line)
	}
	return ""
}

// Section returns the section called name, nil when there is none and
// create is false; with create a missing one is appended.
func (f *File) Section(name string, create bool) *Section {
	for _, s := range f.Sections {
		if s.Name == name {
			return s
		}
	}
	if !create {
		return nil
	}
	s := &Section{Name: name, Values: map[string]string{}}
	f.Sections = append(f.Sections, s)
	return s
}

// Map returns section → key → value.
func (f *File) Map() map[string]map[string]string {
	out := make(map[string]map[string]string, len(f.Sections))
	for _, s := range f.Sections {
		m := make(map[string]string, len(s.Values))
		for k, v := range s.Values {
			m[k] = v
		}
		out[s.Name] = m
	}
	return out
}

// Set sets key to value, appending key to Keys when it is new.
func (s *Section) Set(key, value string) {
	if _, ok := s.Values[key]; !ok {
		s.Keys = append(s.Keys, key)
	}
	s.Values[key] = value
}
