package koji

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// KW holds keyword arguments of a call. Koji passes them as a trailing
// struct carrying "__starstar": true, which the hub splits off again; a KW
// anywhere but last in an argument list is an error.
type KW map[string]any

// dateTimeLayout is XML-RPC's dateTime.iso8601 as Python's xmlrpc writes it.
const dateTimeLayout = "20060102T15:04:05"

// EncodeCall renders a methodCall document. Keyword arguments (a KW as the
// last argument) are folded into a "__starstar" struct as koji.encode_args
// does.
func EncodeCall(method string, args []any) ([]byte, error) {
	params, err := foldKW(args)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	var b bytes.Buffer
	b.WriteString("<?xml version='1.0'?>\n<methodCall>\n<methodName>")
	xml.EscapeText(&b, []byte(method))
	b.WriteString("</methodName>\n<params>\n")
	for i, p := range params {
		b.WriteString("<param>\n")
		if err := encodeValue(&b, p); err != nil {
			return nil, fmt.Errorf("%s: argument %d: %w", method, i+1, err)
		}
		b.WriteString("</param>\n")
	}
	b.WriteString("</params>\n</methodCall>\n")
	return b.Bytes(), nil
}

// EncodeResponse renders a methodResponse carrying one value.
func EncodeResponse(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n")
	if err := encodeValue(&b, v); err != nil {
		return nil, err
	}
	b.WriteString("</param>\n</params>\n</methodResponse>\n")
	return b.Bytes(), nil
}

// EncodeFault renders a methodResponse carrying a fault.
func EncodeFault(f *Fault) []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version='1.0'?>\n<methodResponse>\n<fault>\n")
	encodeValue(&b, map[string]any{"faultCode": f.Code, "faultString": f.Message})
	b.WriteString("</fault>\n</methodResponse>\n")
	return b.Bytes()
}

func foldKW(args []any) ([]any, error) {
	for i, a := range args {
		kw, ok := a.(KW)
		if !ok {
			continue
		}
		if i != len(args)-1 {
			return nil, fmt.Errorf("keyword arguments (koji.KW) must come last, found at position %d", i+1)
		}
		if len(kw) == 0 {
			return args[:i], nil
		}
		m := make(map[string]any, len(kw)+1)
		for k, v := range kw {
			m[k] = v
		}
		m["__starstar"] = true
		out := append(append([]any(nil), args[:i]...), m)
		return out, nil
	}
	return args, nil
}

// SplitKW is koji.decode_args: it separates a trailing "__starstar" struct
// from positional parameters.
func SplitKW(params []any) ([]any, map[string]any) {
	if n := len(params); n > 0 {
		if m, ok := params[n-1].(map[string]any); ok {
			if b, _ := m["__starstar"].(bool); b {
				kw := make(map[string]any, len(m)-1)
				for k, v := range m {
					if k != "__starstar" {
						kw[k] = v
					}
				}
				return params[:n-1], kw
			}
		}
	}
	return params, map[string]any{}
}

func encodeValue(b *bytes.Buffer, v any) error {
	b.WriteString("<value>")
	if err := encodeInner(b, v); err != nil {
		return err
	}
	b.WriteString("</value>\n")
	return nil
}

func encodeInt(b *bytes.Buffer, n int64) {
	// Koji's xmlrpcplus marshals integers outside the 32-bit range as i8.
	if n > math.MaxInt32 || n < math.MinInt32 {
		b.WriteString("<i8>" + strconv.FormatInt(n, 10) + "</i8>")
		return
	}
	b.WriteString("<int>" + strconv.FormatInt(n, 10) + "</int>")
}

func encodeInner(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("<nil/>")
		return nil
	case string:
		b.WriteString("<string>")
		xml.EscapeText(b, []byte(x))
		b.WriteString("</string>")
		return nil
	case bool:
		if x {
			b.WriteString("<boolean>1</boolean>")
		} else {
			b.WriteString("<boolean>0</boolean>")
		}
		return nil
	case int:
		encodeInt(b, int64(x))
		return nil
	case int64:
		encodeInt(b, x)
		return nil
	case int32:
		encodeInt(b, int64(x))
		return nil
	case float64:
		b.WriteString("<double>" + strconv.FormatFloat(x, 'g', -1, 64) + "</double>")
		return nil
	case time.Time:
		b.WriteString("<dateTime.iso8601>" + x.Format(dateTimeLayout) + "</dateTime.iso8601>")
		return nil
	case []byte:
		b.WriteString("<base64>" + base64.StdEncoding.EncodeToString(x) + "</base64>")
		return nil
	case KW:
		return fmt.Errorf("keyword arguments (koji.KW) are only allowed as the last argument of a call")
	case map[string]any:
		return encodeStruct(b, x)
	case []any:
		b.WriteString("<array><data>\n")
		for _, e := range x {
			if err := encodeValue(b, e); err != nil {
				return err
			}
		}
		b.WriteString("</data></array>")
		return nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			b.WriteString("<nil/>")
			return nil
		}
		return encodeInner(b, rv.Elem().Interface())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		encodeInt(b, rv.Int())
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Uint() > math.MaxInt64 {
			return fmt.Errorf("integer %d does not fit XML-RPC i8", rv.Uint())
		}
		encodeInt(b, int64(rv.Uint()))
		return nil
	case reflect.Float32:
		b.WriteString("<double>" + strconv.FormatFloat(rv.Float(), 'g', -1, 32) + "</double>")
		return nil
	case reflect.String:
		return encodeInner(b, rv.String())
	case reflect.Slice, reflect.Array:
		b.WriteString("<array><data>\n")
		for i := 0; i < rv.Len(); i++ {
			if err := encodeValue(b, rv.Index(i).Interface()); err != nil {
				return err
			}
		}
		b.WriteString("</data></array>")
		return nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("XML-RPC struct keys must be strings, not %s", rv.Type().Key())
		}
		m := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			m[it.Key().String()] = it.Value().Interface()
		}
		return encodeStruct(b, m)
	}
	return fmt.Errorf("cannot encode %T as XML-RPC", v)
}

func encodeStruct(b *bytes.Buffer, m map[string]any) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Sorted keys keep requests byte-identical between runs (logs, tests).
	sort.Strings(keys)
	b.WriteString("<struct>\n")
	for _, k := range keys {
		b.WriteString("<member>\n<name>")
		xml.EscapeText(b, []byte(k))
		b.WriteString("</name>\n")
		if err := encodeValue(b, m[k]); err != nil {
			return fmt.Errorf("member %q: %w", k, err)
		}
		b.WriteString("</member>\n")
	}
	b.WriteString("</struct>")
	return nil
}

// decoder walks an XML-RPC document token by token.
type decoder struct {
	d *xml.Decoder
}

func newDecoder(r io.Reader) *decoder {
	d := xml.NewDecoder(r)
	d.Strict = true
	return &decoder{d: d}
}

// next returns the next start or end element, skipping whitespace,
// comments and processing instructions. Character data that is not
// whitespace is an error here.
func (d *decoder) next() (xml.Token, error) {
	for {
		t, err := d.d.Token()
		if err != nil {
			return nil, err
		}
		switch x := t.(type) {
		case xml.StartElement:
			return x, nil
		case xml.EndElement:
			return x, nil
		case xml.CharData:
			if len(bytes.TrimSpace(x)) != 0 {
				return nil, fmt.Errorf("unexpected text %q", truncate(string(x)))
			}
		}
	}
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func (d *decoder) expectStart(name string) error {
	t, err := d.next()
	if err != nil {
		return err
	}
	s, ok := t.(xml.StartElement)
	if !ok || s.Name.Local != name {
		return fmt.Errorf("expected <%s>, found %s", name, tokenName(t))
	}
	return nil
}

func (d *decoder) expectEnd(name string) error {
	t, err := d.next()
	if err != nil {
		return err
	}
	e, ok := t.(xml.EndElement)
	if !ok || e.Name.Local != name {
		return fmt.Errorf("expected </%s>, found %s", name, tokenName(t))
	}
	return nil
}

func tokenName(t xml.Token) string {
	switch x := t.(type) {
	case xml.StartElement:
		return "<" + x.Name.Local + ">"
	case xml.EndElement:
		return "</" + x.Name.Local + ">"
	}
	return fmt.Sprintf("%T", t)
}

// text reads character data up to the end of the current element.
func (d *decoder) text(elem string) (string, error) {
	var sb strings.Builder
	for {
		t, err := d.d.Token()
		if err != nil {
			return "", err
		}
		switch x := t.(type) {
		case xml.CharData:
			sb.Write(x)
		case xml.EndElement:
			if x.Name.Local != elem {
				return "", fmt.Errorf("expected </%s>, found </%s>", elem, x.Name.Local)
			}
			return sb.String(), nil
		case xml.StartElement:
			return "", fmt.Errorf("unexpected <%s> inside <%s>", x.Name.Local, elem)
		}
	}
}

// value decodes the content of a <value> element whose start tag was consumed,
// including its end tag.
func (d *decoder) value() (any, error) {
	var text strings.Builder
	for {
		t, err := d.d.Token()
		if err != nil {
			return nil, err
		}
		switch x := t.(type) {
		case xml.CharData:
			text.Write(x)
		case xml.EndElement:
			// <value>text</value> without a type element is a string.
			return text.String(), nil
		case xml.StartElement:
			v, err := d.typed(x.Name.Local)
			if err != nil {
				return nil, err
			}
			return v, d.expectEnd("value")
		}
	}
}

func (d *decoder) typed(name string) (any, error) {
	switch name {
	case "nil":
		return nil, d.expectEnd(name)
	case "string":
		return d.text(name)
	case "int", "i4", "i8", "i1", "i2":
		s, err := d.text(name)
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad <%s> %q", name, s)
		}
		return n, nil
	case "boolean":
		s, err := d.text(name)
		if err != nil {
			return nil, err
		}
		switch strings.TrimSpace(s) {
		case "1":
			return true, nil
		case "0":
			return false, nil
		}
		return nil, fmt.Errorf("bad <boolean> %q", s)
	case "double":
		s, err := d.text(name)
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("bad <double> %q", s)
		}
		return f, nil
	case "dateTime.iso8601":
		s, err := d.text(name)
		if err != nil {
			return nil, err
		}
		s = strings.TrimSpace(s)
		for _, layout := range []string{dateTimeLayout, "2006-01-02T15:04:05", time.RFC3339} {
			if t, err := time.Parse(layout, s); err == nil {
				return t, nil
			}
		}
		return nil, fmt.Errorf("bad <dateTime.iso8601> %q", s)
	case "base64":
		s, err := d.text(name)
		if err != nil {
			return nil, err
		}
		raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			return nil, fmt.Errorf("bad <base64>: %v", err)
		}
		return raw, nil
	case "array":
		if err := d.expectStart("data"); err != nil {
			return nil, err
		}
		out := []any{}
		for {
			t, err := d.next()
			if err != nil {
				return nil, err
			}
			if e, ok := t.(xml.EndElement); ok && e.Name.Local == "data" {
				break
			}
			if s, ok := t.(xml.StartElement); !ok || s.Name.Local != "value" {
				return nil, fmt.Errorf("expected <value> in <array>, found %s", tokenName(t))
			}
			v, err := d.value()
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, d.expectEnd("array")
	case "struct":
		out := map[string]any{}
		for {
			t, err := d.next()
			if err != nil {
				return nil, err
			}
			if e, ok := t.(xml.EndElement); ok && e.Name.Local == "struct" {
				return out, nil
			}
			if s, ok := t.(xml.StartElement); !ok || s.Name.Local != "member" {
				return nil, fmt.Errorf("expected <member> in <struct>, found %s", tokenName(t))
			}
			if err := d.expectStart("name"); err != nil {
				return nil, err
			}
			key, err := d.text("name")
			if err != nil {
				return nil, err
			}
			if err := d.expectStart("value"); err != nil {
				return nil, err
			}
			v, err := d.value()
			if err != nil {
				return nil, err
			}
			out[key] = v
			if err := d.expectEnd("member"); err != nil {
				return nil, err
			}
		}
	}
	return nil, fmt.Errorf("unknown XML-RPC type <%s>", name)
}

// DecodeResponse parses a methodResponse. A fault comes back as *Fault.
func DecodeResponse(r io.Reader) (any, error) {
	d := newDecoder(r)
	if err := d.expectStart("methodResponse"); err != nil {
		return nil, fmt.Errorf("XML-RPC response: %w", err)
	}
	t, err := d.next()
	if err != nil {
		return nil, fmt.Errorf("XML-RPC response: %w", err)
	}
	s, _ := t.(xml.StartElement)
	switch s.Name.Local {
	case "fault":
		if err := d.expectStart("value"); err != nil {
			return nil, fmt.Errorf("XML-RPC fault: %w", err)
		}
		v, err := d.value()
		if err != nil {
			return nil, fmt.Errorf("XML-RPC fault: %w", err)
		}
		m, _ := v.(map[string]any)
		code, _ := m["faultCode"].(int64)
		msg, _ := m["faultString"].(string)
		return nil, &Fault{Code: int(code), Message: msg}
	case "params":
		if err := d.expectStart("param"); err != nil {
			return nil, fmt.Errorf("XML-RPC response: %w", err)
		}
		if err := d.expectStart("value"); err != nil {
			return nil, fmt.Errorf("XML-RPC response: %w", err)
		}
		v, err := d.value()
		if err != nil {
			return nil, fmt.Errorf("XML-RPC response: %w", err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("XML-RPC response: expected <params> or <fault>, found %s", tokenName(t))
}

// DecodeCall parses a methodCall into the method name and its parameters.
func DecodeCall(r io.Reader) (string, []any, error) {
	d := newDecoder(r)
	if err := d.expectStart("methodCall"); err != nil {
		return "", nil, fmt.Errorf("XML-RPC call: %w", err)
	}
	if err := d.expectStart("methodName"); err != nil {
		return "", nil, fmt.Errorf("XML-RPC call: %w", err)
	}
	name, err := d.text("methodName")
	if err != nil {
		return "", nil, fmt.Errorf("XML-RPC call: %w", err)
	}
	name = strings.TrimSpace(name)
	params := []any{}
	t, err := d.next()
	if err != nil {
		if err == io.EOF {
			return name, params, nil
		}
		return "", nil, fmt.Errorf("XML-RPC call %s: %w", name, err)
	}
	if e, ok := t.(xml.EndElement); ok && e.Name.Local == "methodCall" {
		return name, params, nil
	}
	if s, ok := t.(xml.StartElement); !ok || s.Name.Local != "params" {
		return "", nil, fmt.Errorf("XML-RPC call %s: expected <params>, found %s", name, tokenName(t))
	}
	for {
		t, err := d.next()
		if err != nil {
			return "", nil, fmt.Errorf("XML-RPC call %s: %w", name, err)
		}
		if e, ok := t.(xml.EndElement); ok && e.Name.Local == "params" {
			return name, params, nil
		}
		if s, ok := t.(xml.StartElement); !ok || s.Name.Local != "param" {
			return "", nil, fmt.Errorf("XML-RPC call %s: expected <param>, found %s", name, tokenName(t))
		}
		if err := d.expectStart("value"); err != nil {
			return "", nil, fmt.Errorf("XML-RPC call %s: %w", name, err)
		}
		v, err := d.value()
		if err != nil {
			return "", nil, fmt.Errorf("XML-RPC call %s: %w", name, err)
		}
		params = append(params, v)
		if err := d.expectEnd("param"); err != nil {
			return "", nil, fmt.Errorf("XML-RPC call %s: %w", name, err)
		}
	}
}
