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

// DecodeResponse parses a methodResponse. A fault comes back as *Fault.
func DecodeResponse(r io.Reader) (any, error) {
	v, err := scanResponse(r)
	if err != nil {
		if _, ok := err.(*Fault); ok {
			return nil, err
		}
		return nil, fmt.Errorf("XML-RPC response: %w", err)
	}
	return v, nil
}

// DecodeCall parses a methodCall into the method name and its parameters.
func DecodeCall(r io.Reader) (string, []any, error) {
	m, p, err := scanCall(r)
	if err != nil {
		return "", nil, fmt.Errorf("XML-RPC call: %w", err)
	}
	return m, p, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
