package koji

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Decode copies a decoded XML-RPC value (maps, lists, scalars as returned by
// Call) into out, a pointer. Struct fields are matched by their `koji:"name"`
// tag (the field name lower-cased when untagged); hub members without a
// field are ignored, and a field whose member is absent or nil keeps its
// zero value. Integers may arrive as strings (koji.encode_int does that for
// values past 32 bits on old hubs).
func Decode(v any, out any) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("koji.Decode: out must be a non-nil pointer, not %T", out)
	}
	return decodeInto(v, rv.Elem(), "")
}

func decodeInto(v any, dst reflect.Value, path string) error {
	if v == nil {
		dst.SetZero()
		return nil
	}
	if dst.Kind() == reflect.Interface {
		dst.Set(reflect.ValueOf(v))
		return nil
	}
	switch dst.Kind() {
	case reflect.Pointer:
		p := reflect.New(dst.Type().Elem())
		if err := decodeInto(v, p.Elem(), path); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.String:
		switch x := v.(type) {
		case string:
			dst.SetString(x)
		case int64:
			dst.SetString(strconv.FormatInt(x, 10))
		default:
			return mismatch(path, "string", v)
		}
		return nil
	case reflect.Int, reflect.Int64, reflect.Int32:
		switch x := v.(type) {
		case int64:
			dst.SetInt(x)
		case string:
			n, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return mismatch(path, "integer", v)
			}
			dst.SetInt(n)
		case bool:
			if x {
				dst.SetInt(1)
			} else {
				dst.SetInt(0)
			}
		default:
			return mismatch(path, "integer", v)
		}
		return nil
	case reflect.Float64:
		switch x := v.(type) {
		case float64:
			dst.SetFloat(x)
		case int64:
			dst.SetFloat(float64(x))
		default:
			return mismatch(path, "double", v)
		}
		return nil
	case reflect.Bool:
		switch x := v.(type) {
		case bool:
			dst.SetBool(x)
		case int64:
			dst.SetBool(x != 0)
		default:
			return mismatch(path, "boolean", v)
		}
		return nil
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			if b, ok := v.([]byte); ok && dst.Type().Elem().Kind() == reflect.Uint8 {
				dst.SetBytes(b)
				return nil
			}
			return mismatch(path, "array", v)
		}
		s := reflect.MakeSlice(dst.Type(), len(list), len(list))
		for i, e := range list {
			if err := decodeInto(e, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		dst.Set(s)
		return nil
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || dst.Type().Key().Kind() != reflect.String {
			return mismatch(path, "struct", v)
		}
		out := reflect.MakeMapWithSize(dst.Type(), len(m))
		for k, e := range m {
			ev := reflect.New(dst.Type().Elem()).Elem()
			if err := decodeInto(e, ev, path+"."+k); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(dst.Type().Key()), ev)
		}
		dst.Set(out)
		return nil
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return mismatch(path, "struct", v)
		}
		t := dst.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Tag.Get("koji")
			if name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			e, ok := m[name]
			if !ok {
				continue
			}
			if err := decodeInto(e, dst.Field(i), path+"."+name); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("koji.Decode: unsupported destination %s at %q", dst.Type(), path)
}

func mismatch(path, want string, got any) error {
	if path == "" {
		path = "value"
	}
	return fmt.Errorf("koji: %s: expected %s, hub sent %T", strings.TrimPrefix(path, "."), want, got)
}
