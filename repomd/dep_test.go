package repomd

import "testing"

func dep(t *testing.T, s string) Dep {
	t.Helper()
	d, err := ParseDep(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParseDepAndString(t *testing.T) {
	cases := []struct{ in, out string }{
		{"foo", "foo"},
		{"foo >= 1.2", "foo >= 1.2"},
		{"foo = 0:1.2-3", "foo = 1.2-3"},
		{"foo < 2:1.2-3.el9", "foo < 2:1.2-3.el9"},
		{"libc.so.6(GLIBC_2.34)(64bit)", "libc.so.6(GLIBC_2.34)(64bit)"},
		{"  bar   <=   1  ", "bar <= 1"},
		{"(foo or bar)", "(foo or bar)"},
	}
	for _, c := range cases {
		if got := dep(t, c.in).String(); got != c.out {
			t.Errorf("ParseDep(%q).String() = %q, want %q", c.in, got, c.out)
		}
	}
	for _, bad := range []string{"", "foo >>= 1", "foo >=", "foo bar baz qux", "(foo or"} {
		if _, err := ParseDep(bad); err == nil {
			t.Errorf("ParseDep(%q) succeeded", bad)
		}
	}
}

func TestRangesOverlap(t *testing.T) {
	cases := []struct {
		provide, require string
		want             bool
	}{
		{"foo", "foo >= 1", true},
		{"foo = 1.0-1", "foo", true},
		{"foo = 1.0-1", "bar", false},
		{"foo = 1.0-1", "foo >= 1.0", true},
		{"foo = 1.0-1", "foo = 1.0", true},  // no release: any release
		{"foo = 1.0", "foo = 1.0-5", true},  // provide without release
		{"foo = 1.0-1", "foo > 1.0", false}, // rpm: missing release only helps '='
		{"foo = 1.0-1", "foo < 1.0", false},
		{"foo = 1.0-1", "foo <= 1.0", true},
		{"foo = 1.0-1", "foo = 1.0-2", false},
		{"foo = 1.0-2", "foo > 1.0-1", true},
		{"foo = 1.0-2", "foo < 1.0-1", false},
		{"foo = 1:1.0-1", "foo >= 2.0", true},  // epoch 1 beats a missing one
		{"foo = 1.0-1", "foo >= 1:0.5", false}, // missing epoch is 0
		{"foo = 0:1.0-1", "foo = 1.0-1", true},
		{"foo >= 2.0", "foo < 3.0", true}, // two ranges
		{"foo >= 2.0", "foo < 2.0", false},
		{"foo <= 2.0", "foo >= 2.0", true},
		{"foo > 2.0", "foo > 1.0", true},
		{"foo = 1.0~rc1-1", "foo >= 1.0", false},
		{"foo = 1.0^git1-1", "foo > 1.0", true},
	}
	for _, c := range cases {
		if got := RangesOverlap(dep(t, c.provide), dep(t, c.require)); got != c.want {
			t.Errorf("RangesOverlap(%q, %q) = %v, want %v", c.provide, c.require, got, c.want)
		}
		if got := RangesOverlap(dep(t, c.require), dep(t, c.provide)); got != c.want {
			t.Errorf("RangesOverlap(%q, %q) (swapped) = %v, want %v", c.require, c.provide, got, c.want)
		}
	}
}

func TestRich(t *testing.T) {
	cases := []struct {
		in   string
		op   RichOp
		args int
		out  string
	}{
		{"(foo and bar)", RichAnd, 2, "(foo and bar)"},
		{"(a or b or c >= 1.0)", RichOr, 3, "(a or b or c >= 1.0)"},
		{"(foo if bar)", RichIf, 2, "(foo if bar)"},
		{"(foo if bar else baz)", RichIfElse, 3, "(foo if bar else baz)"},
		{"(foo unless bar)", RichUnless, 2, "(foo unless bar)"},
		{"(foo unless bar else baz)", RichUnlessElse, 3, "(foo unless bar else baz)"},
		{"(foo with bar)", RichWith, 2, "(foo with bar)"},
		{"(foo without bar)", RichWithout, 2, "(foo without bar)"},
		{"((a and b) or (c if d))", RichOr, 2, "((a and b) or (c if d))"},
		{"(libc.so.6()(64bit) and (glibc >= 2:2.34-1 or musl))", RichAnd, 2, "(libc.so.6()(64bit) and (glibc >= 2:2.34-1 or musl))"},
		{"(python3-foo if (python3 with python3-libs))", RichIf, 2, "(python3-foo if (python3 with python3-libs))"},
		{"(foo)", RichLeaf, 0, "foo"},
		// Real CentOS Stream 9 AppStream entry: long chains are fine.
		{"(java-headless or java-17-headless or java-11-headless or java-1.8.0-headless)", RichOr, 4,
			"(java-headless or java-17-headless or java-11-headless or java-1.8.0-headless)"},
		{"(a and b and c and d and e)", RichAnd, 5, "(a and b and c and d and e)"},
	}
	for _, c := range cases {
		r, err := ParseRich(c.in)
		if err != nil {
			t.Errorf("ParseRich(%q): %v", c.in, err)
			continue
		}
		if r.Op != c.op || len(r.Args) != c.args || r.String() != c.out {
			t.Errorf("ParseRich(%q) = op %v, %d args, %q; want %v, %d, %q", c.in, r.Op, len(r.Args), r.String(), c.op, c.args, c.out)
		}
		if !(Dep{Name: c.in}).IsRich() {
			t.Errorf("IsRich(%q) = false", c.in)
		}
	}
	leaf, _ := ParseRich("(a and b >= 1:2-3)")
	if d := leaf.Args[1].Dep; d.Name != "b" || d.Flags != DepGE || d.EVR != (EVR{"1", "2", "3"}) {
		t.Errorf("leaf dep = %#v", d)
	}
	for _, bad := range []string{"foo", "(foo and bar", "(foo and bar or baz)", "(foo if bar else baz else qux)",
		"(foo xor bar)", "(foo without bar without baz)", "(and foo)", "(foo and)", "(foo) bar", "(foo >= )"} {
		if _, err := ParseRich(bad); err == nil {
			t.Errorf("ParseRich(%q) succeeded", bad)
		}
	}
	if (Dep{Name: "foo"}).IsRich() {
		t.Error("IsRich(foo) = true")
	}
}

func FuzzParseRich(f *testing.F) {
	f.Add("(a and (b or c >= 1.0) if d else e)")
	f.Add("(foo with bar)")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRich(s)
		if err != nil || r.Op == RichLeaf {
			return
		}
		// What we print we must read back to the same tree.
		again, err := ParseRich(r.String())
		if err != nil || again.String() != r.String() {
			t.Fatalf("round trip of %q: %q → %v %v", s, r.String(), again, err)
		}
	})
}
