package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"strconv"
	"strings"

	"github.com/pungo/pungo/phases/config/kobo"
)

// loadJSON reads a JSON config: a top-level object whose members are the
// options. Integers stay int64, numbers with a fraction or exponent are
// float64, as Python's json module reads them. Positions of every member
// and item are kept for messages.
func loadJSON(path string) (*kobo.Vars, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	j := &jsonReader{d: json.NewDecoder(bytes.NewReader(data)), data: data, path: path}
	j.d.UseNumber()
	tok, err := j.d.Token()
	if err != nil {
		return nil, jsonError(path, data, j.d, err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return nil, &kobo.Error{Pos: j.pos(0), Msg: "JSON config must be an object"}
	}
	vars := kobo.NewVars()
	vars.Files = []string{path}
	for j.d.More() {
		keyPos := j.next()
		tok, err := j.d.Token()
		if err != nil {
			return nil, jsonError(path, data, j.d, err)
		}
		key := tok.(string)
		v, tree, err := j.value()
		if err != nil {
			return nil, jsonError(path, data, j.d, err)
		}
		vars.Set(key, kobo.Var{Value: v, Pos: keyPos, Tree: tree})
	}
	if _, err := j.d.Token(); err != nil {
		return nil, jsonError(path, data, j.d, err)
	}
	if _, err := j.d.Token(); err != io.EOF {
		return nil, &kobo.Error{Pos: j.pos(j.d.InputOffset()), Msg: "invalid JSON: data after the top-level object"}
	}
	return vars, nil
}

type jsonReader struct {
	d    *json.Decoder
	data []byte
	path string
}

func (j *jsonReader) pos(off int64) Pos { return offsetPos(j.path, j.data, off) }

// next returns the position of the next token: InputOffset is just past
// the previous one, so skip blanks and separators.
func (j *jsonReader) next() Pos {
	off := j.d.InputOffset()
	for off < int64(len(j.data)) && strings.IndexByte(" \t\r\n,:", j.data[off]) >= 0 {
		off++
	}
	return j.pos(off)
}

func (j *jsonReader) value() (any, *kobo.PosNode, error) {
	start := j.next()
	tok, err := j.d.Token()
	if err != nil {
		return nil, nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := &kobo.Dict{}
			node := &kobo.PosNode{Pos: start, Keys: []any{}}
			for j.d.More() {
				keyPos := j.next()
				kt, err := j.d.Token()
				if err != nil {
					return nil, nil, err
				}
				v, vn, err := j.value()
				if err != nil {
					return nil, nil, err
				}
				key := kt.(string)
				item := *vn
				item.Pos = keyPos
				if _, dup := m.Get(key); !dup {
					node.Keys = append(node.Keys, key)
					node.Values = append(node.Values, &item)
				}
				m.Set(key, v)
			}
			_, err := j.d.Token()
			return m, node, err
		case '[':
			l := []any{}
			node := &kobo.PosNode{Pos: start, Items: []*kobo.PosNode{}}
			for j.d.More() {
				v, vn, err := j.value()
				if err != nil {
					return nil, nil, err
				}
				l = append(l, v)
				node.Items = append(node.Items, vn)
			}
			_, err := j.d.Token()
			return l, node, err
		}
		return nil, nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		s := string(t)
		if !strings.ContainsAny(s, ".eE") {
			if n, err := t.Int64(); err == nil {
				return n, &kobo.PosNode{Pos: start}, nil
			}
			// Python's json reads unbounded integers.
			if b, ok := new(big.Int).SetString(s, 10); ok {
				return kobo.BigInt{Int: b}, &kobo.PosNode{Pos: start}, nil
			}
			return nil, nil, fmt.Errorf("invalid integer: %s", s)
		}
		// Out of range is inf (or 0.0), as Python's float() makes it.
		f, err := strconv.ParseFloat(s, 64)
		if ne, ok := err.(*strconv.NumError); err != nil && (!ok || ne.Err != strconv.ErrRange) {
			return nil, nil, fmt.Errorf("invalid number: %s", s)
		}
		return f, &kobo.PosNode{Pos: start}, nil
	}
	return tok, &kobo.PosNode{Pos: start}, nil // string, bool, nil
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
