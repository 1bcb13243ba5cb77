package kobo

import (
	"strings"
	"testing"
)

// TestUnboundedNumbersAndTupleKeys: kobo reads Python's unbounded
// integers, floats that overflow to inf (or underflow to zero) and dict
// keys that are tuples (through a variable: only names and scalars may be
// written as keys), and refuses what Python cannot hash.
func TestUnboundedNumbersAndTupleKeys(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      map[string]string // variable → Python repr
		err       string
	}{
		{name: "big integers", src: "a = 123456789012345678901234567890\nb = -99999999999999999999\nc = 9223372036854775807\n",
			want: map[string]string{"a": "123456789012345678901234567890", "b": "-99999999999999999999", "c": "9223372036854775807"}},
		{name: "float overflow and underflow", src: "a = 1.0e999\nb = -1.0e999\nc = 1.0e-999\nd = 1.5e308\n",
			want: map[string]string{"a": "inf", "b": "-inf", "c": "0.0", "d": "1.5e+308"}},
		{name: "1e999 has no point: int() refuses it", src: "a = 1e999\n", err: "invalid literal for int() with base 10: '1e999'"},
		{name: "tuple key through a variable", src: "k = ('a', 1)\nn = (k, None)\nd = {k: 'x', n: 'y', 'k': 'z'}\n",
			want: map[string]string{"d": "{('a', 1): 'x', (('a', 1), None): 'y', 'k': 'z'}"}},
		{name: "equal tuple keys are one key", src: "k = ('a', 1)\nj = ('a', True)\nd = {k: 'x', j: 'y'}\n", err: "duplicate dict key ('a', True)"},
		{name: "unhashable tuple key", src: "k = ('a', [1])\nd = {k: 'x'}\n", err: "unhashable dict key of type list"},
		{name: "big integer key", src: "d = {99999999999999999999: 'x', 1: 'y'}\n",
			want: map[string]string{"d": "{99999999999999999999: 'x', 1: 'y'}"}},
		{name: "formatting big integers", src: "a = '%d %s %x %X %o %.1f' % (18446744073709551616, 18446744073709551616, 18446744073709551616, 18446744073709551617, 9999999999999999999999, 18446744073709551616)\n",
			want: map[string]string{"a": "'18446744073709551616 18446744073709551616 10000000000000000 10000000000000001 2074147406233526217777777 18446744073709551616.0'"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars, err := ParseString("main.conf", tc.src)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tc.want {
				if got := Repr(vars.Values[name].Value); got != want {
					t.Errorf("%s = %s, want %s", name, got, want)
				}
			}
		})
	}
}
