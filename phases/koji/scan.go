package koji

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pungo/pungo/internal/xmlent"
)

// scanner is a hand-written reader for the XML-RPC subset Koji hubs send.
// A package set's listTaggedRPMS answer is tens of megabytes; encoding/xml
// tokenizes it an order of magnitude slower than this byte scanner, which
// also interns struct member names (a few dozen distinct ones repeated
// hundreds of thousands of times).
type scanner struct {
	data  []byte
	pos   int
	names map[string]string
}

func newScanner(r io.Reader) (*scanner, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return &scanner{data: data, names: map[string]string{}}, nil
}

func (s *scanner) errorf(format string, a ...any) error {
	line := 1 + bytes.Count(s.data[:min(s.pos, len(s.data))], []byte("\n"))
	return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, a...))
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// skip passes whitespace, the XML declaration, processing instructions,
// comments and a doctype.
func (s *scanner) skip() error {
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		if isSpace(c) {
			s.pos++
			continue
		}
		if c != '<' || s.pos+1 >= len(s.data) {
			return nil
		}
		var end string
		switch {
		case s.data[s.pos+1] == '?':
			end = "?>"
		case bytes.HasPrefix(s.data[s.pos:], []byte("<!--")):
			end = "-->"
		case s.data[s.pos+1] == '!':
			end = ">"
		default:
			return nil
		}
		i := bytes.Index(s.data[s.pos:], []byte(end))
		if i < 0 {
			return s.errorf("unterminated markup")
		}
		s.pos += i + len(end)
	}
	return nil
}

// tag reads the next tag after skipping blanks: its local name (a
// namespace prefix such as "ex:" dropped), whether it is an end tag and
// whether it closes itself.
func (s *scanner) tag() (name string, end, empty bool, err error) {
	if err := s.skip(); err != nil {
		return "", false, false, err
	}
	if s.pos >= len(s.data) {
		return "", false, false, io.ErrUnexpectedEOF
	}
	if s.data[s.pos] != '<' {
		return "", false, false, s.errorf("unexpected text %q", truncate(string(s.data[s.pos:min(s.pos+40, len(s.data))])))
	}
	s.pos++
	if s.pos < len(s.data) && s.data[s.pos] == '/' {
		end = true
		s.pos++
	}
	start := s.pos
	for s.pos < len(s.data) && !isSpace(s.data[s.pos]) && s.data[s.pos] != '>' && s.data[s.pos] != '/' {
		s.pos++
	}
	raw := s.data[start:s.pos]
	if i := bytes.IndexByte(raw, ':'); i >= 0 {
		raw = raw[i+1:]
	}
	name = s.intern(raw)
	i := bytes.IndexByte(s.data[s.pos:], '>')
	if i < 0 {
		return "", false, false, s.errorf("unterminated tag <%s", name)
	}
	empty = i > 0 && s.data[s.pos+i-1] == '/'
	s.pos += i + 1
	return name, end, empty, nil
}

func (s *scanner) intern(b []byte) string {
	if v, ok := s.names[string(b)]; ok {
		return v
	}
	v := string(b)
	s.names[v] = v
	return v
}

func (s *scanner) expect(name string, end bool) error {
	got, gotEnd, empty, err := s.tag()
	if err != nil {
		return err
	}
	if got != name || gotEnd != end || (empty && !end) {
		want := "<" + name + ">"
		if end {
			want = "</" + name + ">"
		}
		return s.errorf("expected %s, found %s", want, describe(got, gotEnd))
	}
	return nil
}

func describe(name string, end bool) string {
	if end {
		return "</" + name + ">"
	}
	return "<" + name + ">"
}

// text reads character data up to the next '<' and unescapes it.
func (s *scanner) text() (string, error) {
	start := s.pos
	i := bytes.IndexByte(s.data[s.pos:], '<')
	if i < 0 {
		return "", io.ErrUnexpectedEOF
	}
	s.pos += i
	raw := s.data[start:s.pos]
	if bytes.HasPrefix(s.data[s.pos:], []byte("<![CDATA[")) {
		var b strings.Builder
		out, err := xmlent.Decode(nil, raw)
		if err != nil {
			return "", s.errorf("%v", err)
		}
		b.Write(out)
		for bytes.HasPrefix(s.data[s.pos:], []byte("<![CDATA[")) {
			j := bytes.Index(s.data[s.pos:], []byte("]]>"))
			if j < 0 {
				return "", s.errorf("unterminated CDATA")
			}
			b.Write(s.data[s.pos+9 : s.pos+j])
			s.pos += j + 3
			rest, err := s.text()
			if err != nil {
				return "", err
			}
			b.WriteString(rest)
		}
		return b.String(), nil
	}
	if bytes.IndexByte(raw, '&') < 0 {
		if !utf8.Valid(raw) {
			return "", s.errorf("invalid UTF-8 in text")
		}
		return string(raw), nil
	}
	out, err := xmlent.Decode(nil, raw)
	if err != nil {
		return "", s.errorf("%v", err)
	}
	return string(out), nil
}

// value parses the content of a <value> whose start tag was read, and
// its end tag.
func (s *scanner) value() (any, error) {
	save := s.pos
	for s.pos < len(s.data) && isSpace(s.data[s.pos]) {
		s.pos++
	}
	if s.pos+1 < len(s.data) && s.data[s.pos] == '<' && s.data[s.pos+1] != '/' && s.data[s.pos+1] != '!' {
		name, _, empty, err := s.tag()
		if err != nil {
			return nil, err
		}
		v, err := s.typed(name, empty)
		if err != nil {
			return nil, err
		}
		return v, s.expect("value", true)
	}
	// <value>text</value>: an untyped string, blanks included.
	s.pos = save
	t, err := s.text()
	if err != nil {
		return nil, err
	}
	return t, s.expect("value", true)
}

// simple reads the text of a scalar element and its end tag.
func (s *scanner) simple(name string, empty bool) (string, error) {
	if empty {
		return "", nil
	}
	t, err := s.text()
	if err != nil {
		return "", err
	}
	return t, s.expect(name, true)
}

func (s *scanner) typed(name string, empty bool) (any, error) {
	switch name {
	case "nil":
		if !empty {
			return nil, s.expect("nil", true)
		}
		return nil, nil
	case "string":
		return s.simple(name, empty)
	case "int", "i4", "i8", "i1", "i2":
		t, err := s.simple(name, empty)
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		if err != nil {
			return nil, s.errorf("bad <%s> %q", name, t)
		}
		return n, nil
	case "boolean":
		t, err := s.simple(name, empty)
		if err != nil {
			return nil, err
		}
		switch strings.TrimSpace(t) {
		case "1":
			return true, nil
		case "0":
			return false, nil
		}
		return nil, s.errorf("bad <boolean> %q", t)
	case "double":
		t, err := s.simple(name, empty)
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil {
			return nil, s.errorf("bad <double> %q", t)
		}
		return f, nil
	case "dateTime.iso8601":
		t, err := s.simple(name, empty)
		if err != nil {
			return nil, err
		}
		t = strings.TrimSpace(t)
		for _, layout := range []string{dateTimeLayout, "2006-01-02T15:04:05", time.RFC3339} {
			if v, err := time.Parse(layout, t); err == nil {
				return v, nil
			}
		}
		return nil, s.errorf("bad <dateTime.iso8601> %q", t)
	case "base64":
		t, err := s.simple(name, empty)
		if err != nil {
			return nil, err
		}
		raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(t), ""))
		if err != nil {
			return nil, s.errorf("bad <base64>: %v", err)
		}
		return raw, nil
	case "array":
		if empty {
			return []any{}, nil
		}
		dn, dend, dempty, err := s.tag()
		if err != nil {
			return nil, err
		}
		if dn != "data" || dend {
			return nil, s.errorf("expected <data> in <array>, found %s", describe(dn, dend))
		}
		out := []any{}
		if !dempty {
			for {
				n, end, vempty, err := s.tag()
				if err != nil {
					return nil, err
				}
				if end && n == "data" {
					break
				}
				if n != "value" || end {
					return nil, s.errorf("expected <value> in <array>, found %s", describe(n, end))
				}
				var v any = ""
				if !vempty {
					if v, err = s.value(); err != nil {
						return nil, err
					}
				}
				out = append(out, v)
			}
		}
		return out, s.expect("array", true)
	case "struct":
		out := map[string]any{}
		if empty {
			return out, nil
		}
		for {
			n, end, _, err := s.tag()
			if err != nil {
				return nil, err
			}
			if end && n == "struct" {
				return out, nil
			}
			if n != "member" || end {
				return nil, s.errorf("expected <member> in <struct>, found %s", describe(n, end))
			}
			if err := s.expect("name", false); err != nil {
				return nil, err
			}
			start := s.pos
			i := bytes.IndexByte(s.data[s.pos:], '<')
			if i < 0 {
				return nil, io.ErrUnexpectedEOF
			}
			var key string
			if raw := s.data[start : start+i]; bytes.IndexByte(raw, '&') < 0 {
				key = s.intern(raw)
				s.pos += i
			} else if key, err = s.text(); err != nil {
				return nil, err
			}
			if err := s.expect("name", true); err != nil {
				return nil, err
			}
			vn, vend, vempty, err := s.tag()
			if err != nil {
				return nil, err
			}
			if vn != "value" || vend {
				return nil, s.errorf("expected <value> in <member>, found %s", describe(vn, vend))
			}
			var v any = ""
			if !vempty {
				if v, err = s.value(); err != nil {
					return nil, err
				}
			}
			out[key] = v
			if err := s.expect("member", true); err != nil {
				return nil, err
			}
		}
	}
	return nil, s.errorf("unknown XML-RPC type <%s>", name)
}

// scanResponse parses a methodResponse.
func scanResponse(r io.Reader) (any, error) {
	s, err := newScanner(r)
	if err != nil {
		return nil, err
	}
	if err := s.expect("methodResponse", false); err != nil {
		return nil, err
	}
	name, end, _, err := s.tag()
	if err != nil {
		return nil, err
	}
	switch {
	case name == "fault" && !end:
		if err := s.expect("value", false); err != nil {
			return nil, err
		}
		v, err := s.value()
		if err != nil {
			return nil, err
		}
		m, _ := v.(map[string]any)
		code, _ := m["faultCode"].(int64)
		msg, _ := m["faultString"].(string)
		return nil, &Fault{Code: int(code), Message: msg}
	case name == "params" && !end:
		if err := s.expect("param", false); err != nil {
			return nil, err
		}
		if err := s.expect("value", false); err != nil {
			return nil, err
		}
		return s.value()
	}
	return nil, s.errorf("expected <params> or <fault>, found %s", describe(name, end))
}

// scanCall parses a methodCall.
func scanCall(r io.Reader) (string, []any, error) {
	s, err := newScanner(r)
	if err != nil {
		return "", nil, err
	}
	if err := s.expect("methodCall", false); err != nil {
		return "", nil, err
	}
	if err := s.expect("methodName", false); err != nil {
		return "", nil, err
	}
	method, err := s.text()
	if err != nil {
		return "", nil, err
	}
	method = strings.TrimSpace(method)
	if err := s.expect("methodName", true); err != nil {
		return "", nil, err
	}
	params := []any{}
	name, end, empty, err := s.tag()
	if err != nil {
		return "", nil, err
	}
	if name == "methodCall" && end {
		return method, params, nil
	}
	if name != "params" || end {
		return "", nil, s.errorf("expected <params>, found %s", describe(name, end))
	}
	if empty {
		return method, params, nil
	}
	for {
		n, e, _, err := s.tag()
		if err != nil {
			return "", nil, err
		}
		if n == "params" && e {
			return method, params, nil
		}
		if n != "param" || e {
			return "", nil, s.errorf("expected <param>, found %s", describe(n, e))
		}
		if err := s.expect("value", false); err != nil {
			return "", nil, err
		}
		v, err := s.value()
		if err != nil {
			return "", nil, err
		}
		params = append(params, v)
		if err := s.expect("param", true); err != nil {
			return "", nil, err
		}
	}
}
