package config

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pungo/pungo/phases/config/kobo"
)

// WriteJSON writes a config value the way Pungi's config dump does
// (json.dump with sort_keys=True, indent=4): keys sorted, four-space
// indentation, tuples as arrays, floats as Python prints them (inf as
// Infinity), integers beyond 64 bits in full, non-ASCII escaped. A dict
// with a tuple key is an error, as in Python's json (nothing is written
// then). A trailing newline ends the output.
func WriteJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	if err := writeJSON(bw, v, 0); err != nil {
		return err
	}
	bw.WriteByte('\n')
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Dump writes the config's values (with defaults when WithDefaults was
// applied) as JSON.
func (c *Config) Dump(w io.Writer) error { return WriteJSON(w, c.Merged()) }

func writeJSON(w *bufio.Writer, v any, depth int) error {
	indent := func(d int) {
		w.WriteByte('\n')
		for i := 0; i < d*4; i++ {
			w.WriteByte(' ')
		}
	}
	switch x := v.(type) {
	case nil:
		w.WriteString("null")
	case bool:
		if x {
			w.WriteString("true")
		} else {
			w.WriteString("false")
		}
	case int64:
		w.WriteString(strconv.FormatInt(x, 10))
	case int:
		w.WriteString(strconv.Itoa(x))
	case kobo.BigInt:
		w.WriteString(x.String())
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			// Python writes Infinity/NaN, which is not JSON; so does pungo.
			switch {
			case math.IsNaN(x):
				w.WriteString("NaN")
			case x > 0:
				w.WriteString("Infinity")
			default:
				w.WriteString("-Infinity")
			}
			return nil
		}
		w.WriteString(kobo.FloatRepr(x))
	case string:
		writeJSONString(w, x)
	case []any:
		return writeJSONList(w, x, depth, indent)
	case Tuple:
		return writeJSONList(w, x, depth, indent)
	case []string:
		l := make([]any, len(x))
		for i, s := range x {
			l[i] = s
		}
		return writeJSONList(w, l, depth, indent)
	case map[string]any:
		if len(x) == 0 {
			w.WriteString("{}")
			return nil
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			if strings.HasPrefix(k, tupleKeyPrefix) {
				return fmt.Errorf("keys must be str, int, float, bool or None, not tuple (key %s)", strings.TrimPrefix(k, tupleKeyPrefix))
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		w.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				w.WriteByte(',')
			}
			indent(depth + 1)
			writeJSONString(w, k)
			w.WriteString(": ")
			if err := writeJSON(w, x[k], depth+1); err != nil {
				return err
			}
		}
		indent(depth)
		w.WriteByte('}')
	default:
		return fmt.Errorf("cannot write %T as JSON", v)
	}
	return nil
}

func writeJSONList(w *bufio.Writer, l []any, depth int, indent func(int)) error {
	if len(l) == 0 {
		w.WriteString("[]")
		return nil
	}
	w.WriteByte('[')
	for i, e := range l {
		if i > 0 {
			w.WriteByte(',')
		}
		indent(depth + 1)
		if err := writeJSON(w, e, depth+1); err != nil {
			return err
		}
	}
	indent(depth)
	w.WriteByte(']')
	return nil
}

// writeJSONString escapes like Python's json module with ensure_ascii.
func writeJSONString(w *bufio.Writer, s string) {
	w.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			w.WriteString(`\"`)
		case '\\':
			w.WriteString(`\\`)
		case '\n':
			w.WriteString(`\n`)
		case '\r':
			w.WriteString(`\r`)
		case '\t':
			w.WriteString(`\t`)
		case '\b':
			w.WriteString(`\b`)
		case '\f':
			w.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || r > 0x7e && r < 0x10000 && r >= 0x7f:
				fmt.Fprintf(w, `\u%04x`, r)
			case r >= 0x10000:
				r -= 0x10000
				fmt.Fprintf(w, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			case r == utf8.RuneError:
				w.WriteString(`\ufffd`)
			default:
				w.WriteRune(r)
			}
		}
	}
	w.WriteByte('"')
}

// ReadJSONValues reads a JSON object of variables (like
// .pungi-config-validate.json) with integers kept as integers.
func ReadJSONValues(path string) (map[string]any, error) {
	vars, err := loadJSON(path)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, n := range vars.Names {
		out[n] = Plain(vars.Values[n].Value)
	}
	return out, nil
}
