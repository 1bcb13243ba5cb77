package kobo

import "testing"

// TestFormat pins Python's printf-style formatting; every expectation was
// produced by CPython's str % operator.
func TestFormat(t *testing.T) {
	d := &Dict{}
	d.Set("k", int64(5))
	d.Set("s", "abc")
	tests := []struct {
		format string
		arg    any
		want   string
		err    string
	}{
		{"%s-%s", Tuple{"a", int64(1)}, "a-1", ""},
		{"%%", Tuple{}, "%", ""},
		{"%5%", Tuple{int64(1)}, "", "unsupported format character '%' (0x25) at index 2"},
		{"%5%", Tuple{}, "", "not enough arguments for format string"},
		{"%z", Tuple{}, "", "not enough arguments for format string"},
		{"%(k)d|%(s)5s|%(k)05.1f", d, "5|  abc|005.0", ""},
		{"%(k)s", Tuple{int64(1)}, "", "format requires a mapping"},
		{"%(x)s", d, "", "format key 'x' not found (KeyError)"},
		{"%s", d, "{'k': 5, 's': 'abc'}", ""},
		{"abc", d, "abc", ""},
		{"abc", []any{int64(1)}, "abc", ""},
		{"abc", int64(1), "", "not all arguments converted during string formatting"},
		{"%s %s", "ab", "", "not enough arguments for format string"},
		{"%c%c%c", Tuple{int64(65), "b", true}, "Ab\x01", ""},
		{"%c", Tuple{1.0}, "", "%c requires int or char"},
		{"%d", Tuple{1e22}, "10000000000000000000000", ""},
		{"%x", Tuple{2.0}, "", "%x format: an integer is required, not float"},
		{"%#x|%#o|%#X", Tuple{true, int64(8), int64(255)}, "0x1|0o10|0XFF", ""},
		{"%#g|%#g|%#.1g|%#.0e", Tuple{969511.0, 1e6, 5.0, 5.0}, "969511.|1.00000e+06|5.|5.e+00", ""},
		{"%g|%g|%G|%e", Tuple{0.00001, 1234567.0, 1e-10, 0.0}, "1e-05|1.23457e+06|1E-10|0.000000e+00", ""},
		{"%+.3d|% d|%-6d|%06d", Tuple{int64(7), int64(3), int64(-4), int64(-42)}, "+007| 3|-4    |-00042", ""},
		{"%r|%a|%s", Tuple{"é'", "é", 1.5e16}, `"é'"|'\xe9'|1.5e+16`, ""},
		{"%*d|%-*s|%.*f", Tuple{int64(4), int64(1), int64(3), "x", int64(1), 2.25}, "   1|x  |2.2", ""},
		{"%s", Tuple{Tuple{int64(1)}}, "(1,)", ""},
		{"%s %r", Tuple{[]any{nil, true}, 1.0}, "[None, True] 1.0", ""},
		{"%", Tuple{}, "", "incomplete format"},
		{"%(k", d, "", "incomplete format key"},
	}
	for _, tt := range tests {
		got, err := Format(tt.format, tt.arg)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q %% %s: error %v, want %q", tt.format, Repr(tt.arg), err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q %% %s = %q, %v; want %q", tt.format, Repr(tt.arg), got, err, tt.want)
		}
	}
}
