package productmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"slices"
)

// indentedWriter is implemented by documents too large to build as a tree
// of maps first: WriteJSON streams them with the same bytes MarshalIndent
// would give.
type indentedWriter interface {
	writeIndented(w io.Writer) error
}

// writeIndented streams rpms.json (tens of thousands of entries in a real
// compose) with sorted keys and four-space indentation, without the
// intermediate maps and the compact-then-indent pass of MarshalIndent.
func (r *Rpms) writeIndented(out io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.Compose
	c.Label = ""
	header, err := indentAt(Header{Type: "productmd.rpms", Version: FormatVersion}, 1)
	if err != nil {
		return err
	}
	comp, err := indentAt(c.toJSON(), 2)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 256<<10)
	w.WriteString("{\n    \"header\": ")
	w.Write(header)
	w.WriteString(",\n    \"payload\": {\n        \"compose\": ")
	w.Write(comp)
	w.WriteString(",\n        \"rpms\": ")
	if len(r.rpms) == 0 {
		w.WriteString("{}")
	}
	for i, v := range sortedKeysOf(r.rpms) {
		openKey(w, i, 3, v)
		arches := r.rpms[v]
		for j, a := range sortedKeysOf(arches) {
			openKey(w, j, 4, a)
			srpms := arches[a]
			for k, s := range sortedKeysOf(srpms) {
				openKey(w, k, 5, s)
				pkgs := srpms[s]
				for l, n := range sortedKeysOf(pkgs) {
					e := pkgs[n]
					openKey(w, l, 6, n)
					w.WriteString("{\n" + indent(7) + "\"category\": ")
					writeString(w, e.Category)
					w.WriteString(",\n" + indent(7) + "\"path\": ")
					writeString(w, e.Path)
					w.WriteString(",\n" + indent(7) + "\"sigkey\": ")
					if e.Sigkey == "" {
						w.WriteString("null")
					} else {
						writeString(w, e.Sigkey)
					}
					w.WriteString("\n" + indent(6) + "}")
				}
				closeObject(w, 5)
			}
			closeObject(w, 4)
		}
		closeObject(w, 3)
	}
	if len(r.rpms) > 0 {
		closeObject(w, 2)
	}
	w.WriteString("\n    }\n}\n")
	return w.Flush()
}

// indentAt renders a small value as MarshalIndent would at the given
// nesting depth.
func indentAt(v any, depth int) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = json.Indent(&buf, raw, indent(depth), "    ")
	return buf.Bytes(), err
}

// openKey writes the separator before the i-th key of an object whose
// keys sit at depth, then the key.
func openKey(w *bufio.Writer, i, depth int, key string) {
	if i == 0 {
		w.WriteString("{\n")
	} else {
		w.WriteString(",\n")
	}
	w.WriteString(indent(depth))
	writeString(w, key)
	w.WriteString(": ")
}

// closeObject ends a non-empty object whose keys sit at depth+1.
func closeObject(w *bufio.Writer, depth int) {
	w.WriteString("\n" + indent(depth) + "}")
}

const spaces = "                                        "

func indent(depth int) string { return spaces[:4*depth] }

// writeString writes s as encoding/json would (HTML-safe escaping
// included); the common all-plain-ASCII case is written directly.
func writeString(w *bufio.Writer, s string) {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b >= 0x7f || b == '"' || b == '\\' || b == '<' || b == '>' || b == '&' {
			q, _ := json.Marshal(s)
			w.Write(q)
			return
		}
	}
	w.WriteByte('"')
	w.WriteString(s)
	w.WriteByte('"')
}

func sortedKeysOf[V any](m map[string]V) []string {
	keys := slices.Sorted(maps.Keys(m))
	return keys
}
