package kobo

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary text to the tokenizer and reader: they must not
// panic, and every error must carry a position inside the input.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"a = 1\n",
		"a = [1 2 (3,) {\"k\": -4.5}]\n",
		"a = \"%s-%(x)d\" % {\"x\": 1}\n",
		"global g\ng = 'x'\nb = r'''q'''\n",
		"a =\n    5\n  b = 6\n",
		"a = \"abc\\\ndef\" \\\n % ()\n",
		"from nowhere import *\n",
		"x = {1: 2, 1: 3}\n",
		"\ufeffa = 0x10 b = 1e3 c = 1_0\n",
		"a = [1, 2)\n",
		"a = f'x'\n",
		"a = '%*.*f' % (5, 2, 3.14159)\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src string) {
		// Imports resolve next to the (nonexistent) file, in an empty
		// directory, so they can only fail.
		name := filepath.Join(dir, "fuzz.conf")
		_, err := ParseString(name, src)
		if err == nil {
			return
		}
		var pe *Error
		if !errors.As(err, &pe) {
			t.Fatalf("error without position: %v", err)
		}
		if pe.Pos.Line < 1 || pe.Pos.Col < 1 {
			t.Fatalf("error with bad position %v: %v", pe.Pos, err)
		}
		lines := strings.Count(normalizeNewlines(src), "\n") + 1
		if pe.Pos.File == name && pe.Pos.Line > lines+1 {
			t.Fatalf("error line %d beyond input (%d lines): %v", pe.Pos.Line, lines, err)
		}
	})
}

// FuzzFormat checks that %-formatting never panics.
func FuzzFormat(f *testing.F) {
	f.Add("%s %d %(k)s %5.2f %x %c %r %%", "v", int64(3))
	f.Add("%*d", "", int64(-4))
	f.Fuzz(func(t *testing.T, format, s string, n int64) {
		d := &Dict{}
		d.Set("k", s)
		Format(format, Tuple{s, n, 1.5})
		Format(format, d)
		Format(format, n)
		Format(format, []any{s})
	})
}
