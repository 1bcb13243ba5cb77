// Package kobo reads configuration files in kobo's PyConfigParser format, the
// format of Pungi's compose configs, exactly as kobo.conf reads them: the text
// is split into tokens by the rules of Python's tokenizer and a small
// recursive reader turns the tokens into values. Nothing is evaluated: there
// are no expressions, calls or comprehensions, only literals, references to
// earlier variables, "fmt" % value after a string literal, imports and global
// declarations.
//
// Values are string, int64, BigInt (an int beyond 64 bits: Python's ints
// are unbounded), float64, bool, nil, []any (a list), Tuple and *Dict (a
// dict that keeps its keys' Python types and insertion order).
package kobo

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// BigInt is an integer literal that does not fit in int64. Integers that
// fit are always int64, so a BigInt never equals an int64.
type BigInt struct{ *big.Int }

// String renders the decimal digits, as Python's str() and json do.
func (b BigInt) String() string { return b.Int.String() }

// Float is float(b): ±Inf when it is beyond float64 (Python raises
// OverflowError there; callers that care check).
func (b BigInt) Float() float64 {
	f, _ := new(big.Float).SetInt(b.Int).Float64()
	return f
}

// Tuple is a parenthesised sequence. It behaves as a list everywhere except
// on the right of "fmt" % value, where its items are the format arguments.
type Tuple []any

// Dict is a Python dict: keys keep their type (string, int64, BigInt,
// float64, bool, nil or a Tuple of those) and their insertion order. Keys that Python considers equal
// (1, 1.0 and True) are one key.
type Dict struct {
	Keys   []any
	Values []any
}

// Len returns the number of items.
func (d *Dict) Len() int { return len(d.Keys) }

// index finds key by Python equality.
func (d *Dict) index(key any) int {
	for i, k := range d.Keys {
		if pyEqual(k, key) {
			return i
		}
	}
	return -1
}

// Get returns the value for key using Python key equality.
func (d *Dict) Get(key any) (any, bool) {
	if i := d.index(key); i >= 0 {
		return d.Values[i], true
	}
	return nil, false
}

// Set stores value under key; an equal existing key keeps its place and its
// original type, as in Python.
func (d *Dict) Set(key, value any) {
	if i := d.index(key); i >= 0 {
		d.Values[i] = value
		return
	}
	d.Keys = append(d.Keys, key)
	d.Values = append(d.Values, value)
}

// ScalarEqual is Python's == on scalars (numbers and bools compare by value
// across types).
func ScalarEqual(a, b any) bool { return pyEqual(a, b) }

// pyEqual compares two scalar keys the way Python's == does for the types a
// config can hold: numbers and bools compare by value across types.
func pyEqual(a, b any) bool {
	if ta, ok := a.(Tuple); ok {
		tb, ok := b.(Tuple)
		if !ok || len(ta) != len(tb) {
			return false
		}
		for i := range ta {
			if !pyEqual(ta[i], tb[i]) {
				return false
			}
		}
		return true
	}
	ba, aBig := a.(BigInt)
	bb, bBig := b.(BigInt)
	if aBig || bBig {
		switch {
		case aBig && bBig:
			return ba.Cmp(bb.Int) == 0
		case aBig:
			return bigEqualsNumber(ba, b)
		default:
			return bigEqualsNumber(bb, a)
		}
	}
	af, aNum := numeric(a)
	bf, bNum := numeric(b)
	if aNum && bNum {
		ai, aInt := a.(int64)
		bi, bInt := b.(int64)
		if aInt && bInt {
			return ai == bi
		}
		return af == bf
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case nil:
		return b == nil
	}
	return false
}

// bigEqualsNumber is BigInt == other: never equal to an int64 or bool
// (those fit in 64 bits), equal to a float only with exactly its value.
func bigEqualsNumber(b BigInt, other any) bool {
	f, ok := other.(float64)
	if !ok || math.IsInf(f, 0) || math.IsNaN(f) || f != math.Trunc(f) {
		return false
	}
	bf, _ := new(big.Float).SetFloat64(f).Int(nil)
	return bf.Cmp(b.Int) == 0
}

func numeric(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// sameTypeEqual is kobo's duplicate-key test: same Python type and equal.
func sameTypeEqual(a, b any) bool {
	if fmt.Sprintf("%T", a) != fmt.Sprintf("%T", b) {
		return false
	}
	return pyEqual(a, b)
}

// TypeName returns the Python name of a value's type, for messages.
func TypeName(v any) string {
	switch v.(type) {
	case string:
		return "str"
	case int64, BigInt:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case nil:
		return "NoneType"
	case []any:
		return "list"
	case Tuple:
		return "tuple"
	case *Dict:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// Str renders a value as Python's str() would.
func Str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return Repr(v)
}

// Repr renders a value as Python's repr() would.
func Repr(v any) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

func writeRepr(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(reprString(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case BigInt:
		b.WriteString(x.String())
	case float64:
		b.WriteString(FloatRepr(x))
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case nil:
		b.WriteString("None")
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e)
		}
		b.WriteByte(']')
	case Tuple:
		b.WriteByte('(')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e)
		}
		if len(x) == 1 {
			b.WriteByte(',')
		}
		b.WriteByte(')')
	case *Dict:
		b.WriteByte('{')
		for i, k := range x.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, k)
			b.WriteString(": ")
			writeRepr(b, x.Values[i])
		}
		b.WriteByte('}')
	default:
		fmt.Fprintf(b, "%v", x)
	}
}

// reprString quotes like Python: single quotes unless the text has a single
// quote and no double quote.
func reprString(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// FloatRepr renders a float as Python's repr(): the shortest digits that
// round-trip, positional when the decimal exponent is in [-4, 16), always
// with a fractional part or an exponent.
func FloatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // like "-1.2345e+06"
	mant, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	digits := strings.Replace(mant, ".", "", 1)
	decpt := exp + 1 // digits are 0.d1d2… × 10^decpt
	var out string
	if decpt > -4 && decpt <= 16 {
		switch {
		case decpt <= 0:
			out = "0." + strings.Repeat("0", -decpt) + digits
		case decpt >= len(digits):
			out = digits + strings.Repeat("0", decpt-len(digits)) + ".0"
		default:
			out = digits[:decpt] + "." + digits[decpt:]
		}
	} else {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		out = fmt.Sprintf("%se%s%02d", m, sign, exp)
	}
	if neg {
		out = "-" + out
	}
	return out
}
