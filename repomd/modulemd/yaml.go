package modulemd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"go.yaml.in/yaml/v3"
)

// document is the frame every modularity document shares.
type document struct {
	Document string    `yaml:"document"`
	Version  int       `yaml:"version"`
	Data     yaml.Node `yaml:"data"`
}

// Read parses a stream of YAML documents (a modules.yaml, a defaults or
// obsoletes file, a module build's modulemd.<arch>.txt) into an index.
// name identifies the input in errors, which carry the document's line.
// Documents of the same NSVCA or the same module's defaults replace earlier
// ones, as libmodulemd does within one index.
func Read(r io.Reader, name string) (*Index, error) {
	x := NewIndex()
	if err := x.Add(r, name); err != nil {
		return nil, err
	}
	return x, nil
}

// ReadFile reads one file into a new index.
func ReadFile(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, path)
}

// Parse reads YAML from memory.
func Parse(data []byte, name string) (*Index, error) { return Read(bytes.NewReader(data), name) }

// Add adds the documents of r to the index.
func (x *Index) Add(r io.Reader, name string) error {
	dec := yaml.NewDecoder(r)
	for {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		if len(root.Content) == 0 {
			continue // an empty document ("---" followed by "...")
		}
		if err := x.addDocument(&root, name); err != nil {
			return err
		}
	}
}

func (x *Index) addDocument(root *yaml.Node, name string) error {
	line := root.Line
	if len(root.Content) > 0 {
		line = root.Content[0].Line
	}
	where := func(err error) error { return fmt.Errorf("%s: document at line %d: %v", name, line, err) }
	var doc document
	if err := root.Decode(&doc); err != nil {
		return where(err)
	}
	if doc.Data.Kind == 0 {
		return where(fmt.Errorf("no data"))
	}
	switch {
	case doc.Document == KindStream && doc.Version == 2:
		s := &Stream{MdVersion: 2}
		if err := doc.Data.Decode(s); err != nil {
			return where(err)
		}
		if s.Name == "" || s.Stream == "" {
			return where(fmt.Errorf("modulemd v2 without name or stream"))
		}
		for _, a := range s.RPMArtifacts() {
			if !validArtifact(a) {
				return where(fmt.Errorf("%s: artifact %q is not in N-E:V-R.A form", s.NS(), a))
			}
		}
		x.AddStream(s)
	case doc.Document == KindDefaults && doc.Version == 1:
		d := &Defaults{}
		if err := doc.Data.Decode(d); err != nil {
			return where(err)
		}
		if d.Module == "" {
			return where(fmt.Errorf("modulemd-defaults without module"))
		}
		x.AddDefaults(d)
	case doc.Document == KindObsoletes && doc.Version == 1:
		o := &Obsoletes{}
		if err := doc.Data.Decode(o); err != nil {
			return where(err)
		}
		if o.Module == "" || o.Stream == "" {
			return where(fmt.Errorf("modulemd-obsoletes without module or stream"))
		}
		x.AddObsoletes(o)
	case doc.Document == KindTranslations && doc.Version == 1:
		t := &Translations{}
		if err := doc.Data.Decode(t); err != nil {
			return where(err)
		}
		if t.Module == "" || t.Stream == "" {
			return where(fmt.Errorf("modulemd-translations without module or stream"))
		}
		x.AddTranslations(t)
	case doc.Document == KindPackager && doc.Version == 2:
		s := &Stream{MdVersion: 2}
		if err := doc.Data.Decode(s); err != nil {
			return where(err)
		}
		x.PackagersV2 = append(x.PackagersV2, s)
	case doc.Document == KindPackager && doc.Version == 3:
		p := &PackagerV3{}
		if err := doc.Data.Decode(p); err != nil {
			return where(err)
		}
		x.PackagersV3 = append(x.PackagersV3, p)
	case doc.Document == KindStream && doc.Version == 1:
		return where(fmt.Errorf("modulemd v1 is not supported (libmodulemd upgrades it; re-emit it as v2)"))
	default:
		return where(fmt.Errorf("unknown document %q version %d", doc.Document, doc.Version))
	}
	return nil
}

// Write emits the index as a modules.yaml: per module (sorted by name) its
// defaults, obsoletes, streams (sorted by SortStreams) and translations,
// each document framed by "---" and "...", as libmodulemd emits them.
func (x *Index) Write(w io.Writer) error {
	var buf bytes.Buffer
	emit := func(kind string, version int, data any) error {
		buf.WriteString("---\n")
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		err := enc.Encode(struct {
			Document string `yaml:"document"`
			Version  int    `yaml:"version"`
			Data     any    `yaml:"data"`
		}{kind, version, data})
		if err == nil {
			err = enc.Close()
		}
		buf.WriteString("...\n")
		return err
	}
	byModule := map[string][]*Stream{}
	for _, s := range x.Streams {
		byModule[s.Name] = append(byModule[s.Name], s)
	}
	for _, m := range x.ModuleNames() {
		if d := x.Defaults[m]; d != nil {
			if err := emit(KindDefaults, 1, d); err != nil {
				return fmt.Errorf("modulemd-defaults %s: %v", m, err)
			}
		}
		for _, o := range x.Obsoletes {
			if o.Module == m {
				if err := emit(KindObsoletes, 1, o); err != nil {
					return fmt.Errorf("modulemd-obsoletes %s:%s: %v", m, o.Stream, err)
				}
			}
		}
		streams := slices.Clone(byModule[m])
		SortStreams(streams)
		for _, s := range streams {
			if err := emit(KindStream, 2, s); err != nil {
				return fmt.Errorf("modulemd %s: %v", s.NSVCA(), err)
			}
		}
		for _, t := range x.Translations {
			if t.Module == m {
				if err := emit(KindTranslations, 1, t); err != nil {
					return fmt.Errorf("modulemd-translations %s:%s: %v", m, t.Stream, err)
				}
			}
		}
	}
	for _, p := range x.PackagersV2 {
		if err := emit(KindPackager, 2, p); err != nil {
			return fmt.Errorf("modulemd-packager %s: %v", p.Name, err)
		}
	}
	for _, p := range x.PackagersV3 {
		if err := emit(KindPackager, 3, p); err != nil {
			return fmt.Errorf("modulemd-packager %s: %v", p.Name, err)
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Bytes is Write into memory.
func (x *Index) Bytes() ([]byte, error) {
	var b bytes.Buffer
	err := x.Write(&b)
	return b.Bytes(), err
}
