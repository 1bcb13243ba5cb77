package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pungo/pungo/phases/config/kobo"
)

// loadJSON reads a JSON config: a top-level object whose members are the
// options. Integers stay int64, numbers with a fraction or exponent are
// float64, as Python's json module reads them.
func loadJSON(path string) (*kobo.Vars, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	pos := func(off int64) Pos { return offsetPos(path, data, off) }
	tok, err := d.Token()
	if err != nil {
		return nil, jsonError(path, data, d, err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return nil, &kobo.Error{Pos: pos(0), Msg: "JSON config must be an object"}
	}
	vars := kobo.NewVars()
	vars.Files = []string{path}
	for d.More() {
		keyOff := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			return nil, jsonError(path, data, d, err)
		}
		key := tok.(string)
		// InputOffset is just past the previous token; the key starts at
		// the next quote.
		if i := bytes.IndexByte(data[keyOff:], '"'); i >= 0 {
			keyOff += int64(i)
		}
		v, err := jsonValue(d)
		if err != nil {
			return nil, jsonError(path, data, d, err)
		}
		vars.Set(key, kobo.Var{Value: v, Pos: pos(keyOff)})
	}
	if _, err := d.Token(); err != nil {
		return nil, jsonError(path, data, d, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, &kobo.Error{Pos: pos(d.InputOffset()), Msg: "invalid JSON: data after the top-level object"}
	}
	return vars, nil
}

func jsonValue(d *json.Decoder) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := &kobo.Dict{}
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, err
				}
				v, err := jsonValue(d)
				if err != nil {
					return nil, err
				}
				m.Set(kt.(string), v)
			}
			_, err := d.Token()
			return m, err
		case '[':
			l := []any{}
			for d.More() {
				v, err := jsonValue(d)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			_, err := d.Token()
			return l, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		s := string(t)
		if !strings.ContainsAny(s, ".eE") {
			if n, err := t.Int64(); err == nil {
				return n, nil
			}
			return nil, fmt.Errorf("integer out of range (64 bits): %s", s)
		}
		f, err := t.Float64()
		if err != nil {
			return nil, fmt.Errorf("number out of range: %s", s)
		}
		return f, nil
	}
	return tok, nil // string, bool, nil
}

func jsonError(path string, data []byte, d *json.Decoder, err error) error {
	off := d.InputOffset()
	// The streaming decoder's offsets are not reliable for syntax errors;
	// a whole-document parse gives the offset just past the bad byte.
	var whole any
	var se *json.SyntaxError
	if uerr := json.Unmarshal(data, &whole); errors.As(uerr, &se) {
		err = se
		off = se.Offset - 1
		if off < 0 {
			off = 0
		}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		err = errors.New("unexpected end of JSON input")
		off = int64(len(data))
	}
	return &kobo.Error{Pos: offsetPos(path, data, off), Msg: "invalid JSON: " + err.Error()}
}

// offsetPos turns a byte offset into a 1-based line and character column.
func offsetPos(path string, data []byte, off int64) Pos {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	col := len([]rune(string(before[lineStart:]))) + 1
	return Pos{File: path, Line: line, Col: col}
}
