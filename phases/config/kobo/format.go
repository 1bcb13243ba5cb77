package kobo

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format applies Python's printf-style formatting, format % arg: a Tuple
// supplies positional arguments, a dict supplies %(key)s values, anything
// else is the single argument.
func Format(format string, arg any) (string, error) {
	f := formatter{arg: arg}
	switch a := arg.(type) {
	case Tuple:
		f.args = a
	default:
		f.args = Tuple{arg}
		f.single = true
	}
	// Python treats any mapping (dicts, and lists, which are subscriptable)
	// as the mapping for %(key)s and stops complaining about unused
	// arguments.
	switch arg.(type) {
	case *Dict, []any:
		f.mapping = true
	}
	return f.run(format)
}

type formatter struct {
	arg     any
	args    Tuple
	single  bool
	mapping bool
	next    int
}

func (f *formatter) nextArg() (any, error) {
	if f.next >= len(f.args) {
		return nil, errors.New("not enough arguments for format string")
	}
	v := f.args[f.next]
	f.next++
	return v, nil
}

func (f *formatter) run(format string) (string, error) {
	var out strings.Builder
	i := 0
	for i < len(format) {
		c := format[i]
		if c != '%' {
			out.WriteByte(c)
			i++
			continue
		}
		i++
		if i >= len(format) {
			return "", errors.New("incomplete format")
		}
		// Only "%%" right away is a literal percent; "%5%" takes an
		// argument and then fails like any unknown conversion.
		if format[i] == '%' {
			out.WriteByte('%')
			i++
			continue
		}
		var spec struct {
			minus, plus, space, alt, zero bool
			width, prec                   int
		}
		spec.prec = -1
		var value any
		haveValue := false
		if format[i] == '(' {
			depth := 1
			j := i + 1
			for j < len(format) && depth > 0 {
				switch format[j] {
				case '(':
					depth++
				case ')':
					depth--
				}
				j++
			}
			if depth > 0 {
				return "", errors.New("incomplete format key")
			}
			key := format[i+1 : j-1]
			i = j
			switch m := f.arg.(type) {
			case *Dict:
				v, ok := m.Get(key)
				if !ok {
					return "", fmt.Errorf("format key %s not found (KeyError)", Repr(key))
				}
				value, haveValue = v, true
			case []any:
				return "", errors.New("list indices must be integers or slices, not str")
			default:
				return "", errors.New("format requires a mapping")
			}
		}
	flags:
		for i < len(format) {
			switch format[i] {
			case '-':
				spec.minus = true
			case '+':
				spec.plus = true
			case ' ':
				spec.space = true
			case '#':
				spec.alt = true
			case '0':
				spec.zero = true
			default:
				break flags
			}
			i++
		}
		readNum := func() (int, error) {
			if i < len(format) && format[i] == '*' {
				i++
				v, err := f.nextArg()
				if err != nil {
					return 0, err
				}
				n, ok := v.(int64)
				if !ok {
					return 0, errors.New("* wants int")
				}
				if n > 1<<20 || n < -(1<<20) {
					return 0, errors.New("width too big")
				}
				return int(n), nil
			}
			n := 0
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				n = n*10 + int(format[i]-'0')
				if n > 1<<20 {
					return 0, errors.New("width too big")
				}
				i++
			}
			return n, nil
		}
		var err error
		if spec.width, err = readNum(); err != nil {
			return "", err
		}
		if spec.width < 0 {
			spec.minus = true
			spec.width = -spec.width
		}
		if i < len(format) && format[i] == '.' {
			i++
			if spec.prec, err = readNum(); err != nil {
				return "", err
			}
			if spec.prec < 0 {
				spec.prec = 0
			}
		}
		for i < len(format) && strings.IndexByte("hlL", format[i]) >= 0 {
			i++
		}
		if i >= len(format) {
			return "", errors.New("incomplete format")
		}
		conv := format[i]
		i++
		if !haveValue {
			if value, err = f.nextArg(); err != nil {
				return "", err
			}
		}
		var body, sign string
		numeric := false
		switch conv {
		case 's':
			body = Str(value)
		case 'r', 'a':
			body = Repr(value)
			if conv == 'a' {
				body = asciiEscape(body)
			}
		case 'd', 'i', 'u', 'o', 'x', 'X':
			n, big, err := intArg(conv, value)
			if err != nil {
				return "", err
			}
			numeric = true
			neg := n < 0
			mag := uint64(n)
			if neg {
				mag = uint64(-n)
			}
			switch {
			case big != "":
				neg = strings.HasPrefix(big, "-")
				body = strings.TrimPrefix(big, "-")
			case conv == 'o':
				body = strconv.FormatUint(mag, 8)
			case conv == 'x':
				body = strconv.FormatUint(mag, 16)
			case conv == 'X':
				body = strings.ToUpper(strconv.FormatUint(mag, 16))
			default:
				body = strconv.FormatUint(mag, 10)
			}
			if spec.prec > len(body) {
				body = strings.Repeat("0", spec.prec-len(body)) + body
			}
			if spec.alt {
				switch conv {
				case 'o':
					body = "0o" + body
				case 'x':
					body = "0x" + body
				case 'X':
					body = "0X" + body
				}
			}
			sign = signOf(neg, spec.plus, spec.space)
		case 'e', 'E', 'f', 'F', 'g', 'G':
			x, err := floatArg(value)
			if err != nil {
				return "", err
			}
			numeric = true
			prec := spec.prec
			if prec < 0 {
				prec = 6
			}
			neg := math.Signbit(x) && !math.IsNaN(x)
			body = formatFloat(math.Abs(x), conv, prec, spec.alt)
			sign = signOf(neg, spec.plus, spec.space)
		case 'c':
			switch v := value.(type) {
			case bool:
				body = "\x00"
				if v {
					body = "\x01"
				}
			case int64:
				if v < 0 || v > 0x10ffff {
					return "", errors.New("%c arg not in range(0x110000)")
				}
				body = string(rune(v))
			case string:
				if utf8.RuneCountInString(v) != 1 {
					return "", errors.New("%c requires int or char")
				}
				body = v
			default:
				return "", errors.New("%c requires int or char")
			}
		default:
			r, _ := utf8.DecodeRuneInString(format[i-1:])
			return "", fmt.Errorf("unsupported format character '%c' (0x%x) at index %d", r, r, i-1)
		}
		if !numeric && spec.prec >= 0 && (conv == 's' || conv == 'r' || conv == 'a') {
			if utf8.RuneCountInString(body) > spec.prec {
				body = string([]rune(body)[:spec.prec])
			}
		}
		n := utf8.RuneCountInString(sign + body)
		pad := spec.width - n
		switch {
		case pad <= 0:
			out.WriteString(sign + body)
		case spec.minus:
			out.WriteString(sign + body + strings.Repeat(" ", pad))
		case spec.zero && numeric:
			// zeros go after the sign and any 0x prefix
			prefix := ""
			if spec.alt && len(body) > 2 && body[0] == '0' && strings.IndexByte("oxX", body[1]) >= 0 {
				prefix, body = body[:2], body[2:]
			}
			out.WriteString(sign + prefix + strings.Repeat("0", pad) + body)
		default:
			out.WriteString(strings.Repeat(" ", pad) + sign + body)
		}
	}
	if f.next < len(f.args) && !f.mapping {
		return "", errors.New("not all arguments converted during string formatting")
	}
	return out.String(), nil
}

func signOf(neg, plus, space bool) string {
	switch {
	case neg:
		return "-"
	case plus:
		return "+"
	case space:
		return " "
	}
	return ""
}

// intArg returns the integer for %d and friends; floats beyond 64 bits come
// back as decimal text (Python's ints are unbounded).
func intArg(conv byte, v any) (int64, string, error) {
	switch x := v.(type) {
	case int64:
		return x, "", nil
	case BigInt:
		switch conv {
		case 'o':
			return 0, x.Text(8), nil
		case 'x':
			return 0, x.Text(16), nil
		case 'X':
			return 0, strings.ToUpper(x.Text(16)), nil
		}
		return 0, x.String(), nil
	case bool:
		if x {
			return 1, "", nil
		}
		return 0, "", nil
	case float64:
		if conv == 'o' || conv == 'x' || conv == 'X' {
			return 0, "", fmt.Errorf("%%%c format: an integer is required, not float", conv)
		}
		if math.IsInf(x, 0) {
			return 0, "", errors.New("cannot convert float infinity to integer")
		}
		if math.IsNaN(x) {
			return 0, "", errors.New("cannot convert float NaN to integer")
		}
		if math.Abs(x) >= 1<<63 {
			b, _ := new(big.Float).SetFloat64(math.Trunc(x)).Int(nil)
			return 0, b.String(), nil
		}
		return int64(x), "", nil
	}
	if conv == 'o' || conv == 'x' || conv == 'X' {
		return 0, "", fmt.Errorf("%%%c format: an integer is required, not %s", conv, TypeName(v))
	}
	return 0, "", fmt.Errorf("%%%c format: a real number is required, not %s", conv, TypeName(v))
}

func floatArg(v any) (float64, error) {
	switch x := v.(type) {
	case int64:
		return float64(x), nil
	case BigInt:
		f := x.Float()
		if math.IsInf(f, 0) {
			return 0, errors.New("int too large to convert to float")
		}
		return f, nil
	case float64:
		return x, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("must be real number, not %s", TypeName(v))
}

// formatFloat renders a non-negative float like C's printf for e, f and g.
func formatFloat(x float64, conv byte, prec int, alt bool) string {
	upper := conv == 'E' || conv == 'F' || conv == 'G'
	if math.IsInf(x, 0) || math.IsNaN(x) {
		s := "inf"
		if math.IsNaN(x) {
			s = "nan"
		}
		if upper {
			s = strings.ToUpper(s)
		}
		return s
	}
	var s string
	switch conv {
	case 'e', 'E':
		s = strconv.FormatFloat(x, 'e', prec, 64)
		if alt && prec == 0 {
			m, e, _ := strings.Cut(s, "e")
			s = m + ".e" + e
		}
	case 'f', 'F':
		s = strconv.FormatFloat(x, 'f', prec, 64)
		if alt && prec == 0 {
			s += "."
		}
	default: // g: precision is significant digits; %e style when exp < -4 or >= prec
		if prec == 0 {
			prec = 1
		}
		e := strconv.FormatFloat(x, 'e', prec-1, 64)
		_, expText, _ := strings.Cut(e, "e")
		exp, _ := strconv.Atoi(expText)
		if exp < -4 || exp >= prec {
			m, ex, _ := strings.Cut(e, "e")
			switch {
			case alt && !strings.Contains(m, "."):
				m += "."
			case !alt && strings.Contains(m, "."):
				m = strings.TrimRight(strings.TrimRight(m, "0"), ".")
			}
			s = m + "e" + ex
		} else {
			s = strconv.FormatFloat(x, 'f', prec-1-exp, 64)
			switch {
			case alt && !strings.Contains(s, "."):
				s += "."
			case !alt && strings.Contains(s, "."):
				s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
			}
		}
	}
	if upper {
		s = strings.ToUpper(s)
	}
	return s
}

func asciiEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	return b.String()
}
