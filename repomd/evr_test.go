package repomd

import (
	"testing"

	rpmversion "github.com/knqyf263/go-rpm-version"
)

// rpmvercmpCases are rpm's own test vectors (tests/rpmvercmp.at).
var rpmvercmpCases = []struct {
	a, b string
	want int
}{
	{"1.0", "1.0", 0}, {"1.0", "2.0", -1}, {"2.0", "1.0", 1},
	{"2.0.1", "2.0.1", 0}, {"2.0", "2.0.1", -1}, {"2.0.1", "2.0", 1},
	{"2.0.1a", "2.0.1a", 0}, {"2.0.1a", "2.0.1", 1}, {"2.0.1", "2.0.1a", -1},
	{"5.5p1", "5.5p1", 0}, {"5.5p1", "5.5p2", -1}, {"5.5p2", "5.5p1", 1},
	{"5.5p10", "5.5p10", 0}, {"5.5p1", "5.5p10", -1}, {"5.5p10", "5.5p1", 1},
	{"10xyz", "10.1xyz", -1}, {"10.1xyz", "10xyz", 1},
	{"xyz10", "xyz10", 0}, {"xyz10", "xyz10.1", -1}, {"xyz10.1", "xyz10", 1},
	{"xyz.4", "xyz.4", 0}, {"xyz.4", "8", -1}, {"8", "xyz.4", 1}, {"xyz.4", "2", -1}, {"2", "xyz.4", 1},
	{"5.5p2", "5.6p1", -1}, {"5.6p1", "5.5p2", 1}, {"5.6p1", "6.5p1", -1}, {"6.5p1", "5.6p1", 1},
	{"6.0.rc1", "6.0", 1}, {"6.0", "6.0.rc1", -1},
	{"10b2", "10a1", 1}, {"10a2", "10b2", -1},
	{"1.0aa", "1.0aa", 0}, {"1.0a", "1.0aa", -1}, {"1.0aa", "1.0a", 1},
	{"10.0001", "10.0001", 0}, {"10.0001", "10.1", 0}, {"10.1", "10.0001", 0},
	{"10.0001", "10.0039", -1}, {"10.0039", "10.0001", 1},
	{"4.999.9", "5.0", -1}, {"5.0", "4.999.9", 1},
	{"20101121", "20101121", 0}, {"20101121", "20101122", -1}, {"20101122", "20101121", 1},
	{"2_0", "2_0", 0}, {"2.0", "2_0", 0}, {"2_0", "2.0", 0},
	{"a", "a", 0}, {"a+", "a+", 0}, {"a+", "a_", 0}, {"a_", "a+", 0},
	{"+a", "+a", 0}, {"+a", "_a", 0}, {"_a", "+a", 0},
	{"+_", "+_", 0}, {"_+", "+_", 0}, {"_+", "_", 0}, {"+", "_", 0},
	{"1.0~rc1", "1.0~rc1", 0}, {"1.0~rc1", "1.0", -1}, {"1.0", "1.0~rc1", 1},
	{"1.0~rc1", "1.0~rc2", -1}, {"1.0~rc2", "1.0~rc1", 1},
	{"1.0~rc1~git123", "1.0~rc1~git123", 0}, {"1.0~rc1~git123", "1.0~rc1", -1}, {"1.0~rc1", "1.0~rc1~git123", 1},
	{"1.0^", "1.0^", 0}, {"1.0^", "1.0", 1}, {"1.0", "1.0^", -1},
	{"1.0^git1", "1.0^git1", 0}, {"1.0^git1", "1.0", 1}, {"1.0", "1.0^git1", -1},
	{"1.0^git1", "1.0^git2", -1}, {"1.0^git2", "1.0^git1", 1},
	{"1.0^git1", "1.01", -1}, {"1.01", "1.0^git1", 1},
	{"1.0^20160101", "1.0^20160101", 0}, {"1.0^20160101", "1.0.1", -1}, {"1.0.1", "1.0^20160101", 1},
	{"1.0^20160101^git1", "1.0^20160101^git1", 0},
	{"1.0^20160102", "1.0^20160101^git1", 1}, {"1.0^20160101^git1", "1.0^20160102", -1},
	{"1.0~rc1^git1", "1.0~rc1^git1", 0}, {"1.0~rc1^git1", "1.0~rc1", 1}, {"1.0~rc1", "1.0~rc1^git1", -1},
	{"1.0^git1~pre", "1.0^git1~pre", 0}, {"1.0^git1", "1.0^git1~pre", 1}, {"1.0^git1~pre", "1.0^git1", -1},
	// dnf's additions to the same table.
	{"1b.fc17", "1b.fc17", 0}, {"1b.fc17", "1.fc17", -1}, {"1.fc17", "1b.fc17", 1},
	{"1g.fc17", "1g.fc17", 0}, {"1g.fc17", "1.fc17", 1}, {"1.fc17", "1g.fc17", -1},
	// Edges: empty strings, non-ASCII bytes act as separators.
	{"", "", 0}, {"", "0", -1}, {"1", "", 1}, {"1.é2", "1.2", 0}, {"~", "", -1}, {"^", "", 1},
}

func TestVercmpRPMCases(t *testing.T) {
	for _, c := range rpmvercmpCases {
		if got := Vercmp(c.a, c.b); got != c.want {
			t.Errorf("Vercmp(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// oracle compares with go-rpm-version, whose parser splits on the first
// '-' and reads the epoch with Atoi; we feed it only dash-free versions.
func oracle(a, b string) int {
	return rpmversion.NewVersion(a).Compare(rpmversion.NewVersion(b))
}

func TestVercmpMatchesOracle(t *testing.T) {
	for _, c := range rpmvercmpCases {
		if !oracleSafe(c.a) || !oracleSafe(c.b) {
			continue
		}
		if got, want := Vercmp(c.a, c.b), oracle(c.a, c.b); got != want {
			t.Errorf("Vercmp(%q, %q) = %d, go-rpm-version says %d", c.a, c.b, got, want)
		}
	}
}

// oracleSafe reports whether go-rpm-version reads s as a plain version:
// no '-' or ':' (it would split them off), ASCII only (its segment regexp
// is ASCII while it tests digits with unicode).
func oracleSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '-' || s[i] == ':' || s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func FuzzVercmp(f *testing.F) {
	for _, c := range rpmvercmpCases {
		f.Add(c.a, c.b)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		got := Vercmp(a, b)
		if rev := Vercmp(b, a); rev != -got {
			t.Fatalf("not antisymmetric: Vercmp(%q,%q)=%d, reverse %d", a, b, got, rev)
		}
		if a == b && got != 0 {
			t.Fatalf("Vercmp(%q,%q) = %d for equal strings", a, b, got)
		}
		if oracleSafe(a) && oracleSafe(b) {
			if want := oracle(a, b); got != want {
				t.Fatalf("Vercmp(%q, %q) = %d, go-rpm-version says %d", a, b, got, want)
			}
		}
	})
}

func TestVercmpDoesNotAllocate(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		Vercmp("1.0^git1~pre", "1.0^git1")
		CompareEVR(EVR{"1", "2.34", "1.el9"}, EVR{"", "2.34", "2.el9"})
	})
	if n != 0 {
		t.Fatalf("Vercmp allocates %v times per call", n)
	}
}

func TestCompareEVR(t *testing.T) {
	cases := []struct {
		a, b EVR
		want int
	}{
		{EVR{"", "1.0", "1"}, EVR{"0", "1.0", "1"}, 0},
		{EVR{"1", "1.0", "1"}, EVR{"", "2.0", "1"}, 1},
		{EVR{"2", "1.0", "1"}, EVR{"10", "1.0", "1"}, -1},
		{EVR{"007", "1.0", "1"}, EVR{"7", "1.0", "1"}, 0},
		{EVR{"", "1.0", "1.el9"}, EVR{"", "1.0", "1.el9_1"}, -1},
		{EVR{"", "1.0", ""}, EVR{"", "1.0", "1"}, -1},
	}
	for _, c := range cases {
		if got := CompareEVR(c.a, c.b); got != c.want {
			t.Errorf("CompareEVR(%v, %v) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestParseEVR(t *testing.T) {
	cases := []struct {
		in   string
		want EVR
		str  string
	}{
		{"1.0", EVR{"", "1.0", ""}, "1.0"},
		{"1.0-1", EVR{"", "1.0", "1"}, "1.0-1"},
		{"2:1.0-1.el9", EVR{"2", "1.0", "1.el9"}, "2:1.0-1.el9"},
		{"0:1.0-1", EVR{"0", "1.0", "1"}, "1.0-1"},
		{":1.0", EVR{"0", "1.0", ""}, "1.0"},
		{"1.0-rc-1", EVR{"", "1.0-rc", "1"}, "1.0-rc-1"},
		{"a:1.0", EVR{"", "a:1.0", ""}, "a:1.0"},
		// Texts that print back only with the separators kept (found by
		// FuzzParseRich): leaving them out would parse as another EVR.
		{"0--", EVR{"", "0-", ""}, "0--"},
		{"1.0-rc-", EVR{"", "1.0-rc", ""}, "1.0-rc-"},
		{":1:2", EVR{"0", "1:2", ""}, "0:1:2"},
		{"0:1:2-3", EVR{"0", "1:2", "3"}, "0:1:2-3"},
	}
	for _, c := range cases {
		got := ParseEVR(c.in)
		if got != c.want {
			t.Errorf("ParseEVR(%q) = %#v, want %#v", c.in, got, c.want)
		}
		if got.String() != c.str {
			t.Errorf("ParseEVR(%q).String() = %q, want %q", c.in, got.String(), c.str)
		}
		// Epoch "" and "0" print alike; everything else must survive.
		if again := ParseEVR(got.String()); again.String() != got.String() || again.Version != got.Version || again.Release != got.Release {
			t.Errorf("ParseEVR(%q) printed as %q parses back as %#v", c.in, got.String(), again)
		}
	}
}

func BenchmarkVercmp(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Vercmp("2.34.0-100.el9_4.2", "2.34.0-100.el9_4.10")
	}
}
