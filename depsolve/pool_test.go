package depsolve

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pungo/pungo/internal/glob"
	"github.com/pungo/pungo/repomd"
)

// pkg builds a package from a compact spec: "name-version-release.arch",
// then fields "P:provide", "R:require", "F:/file" (F marks files as
// complete), "S:sourcerpm".
func pkg(spec string, fields ...string) *repomd.Package {
	nevra, err := repomd.ParseNEVRA(spec)
	if err != nil {
		panic(err)
	}
	p := &repomd.Package{Name: nevra.Name, Arch: nevra.Arch, EVR: nevra.EVR, FilesComplete: true}
	p.Location = spec + ".rpm"
	if !p.IsSource() {
		p.SourceRPM = nevra.Name + "-" + nevra.Version + "-" + nevra.Release + ".src.rpm"
	}
	for _, f := range fields {
		kind, val, _ := strings.Cut(f, ":")
		switch kind {
		case "P", "R":
			d, err := repomd.ParseDep(val)
			if err != nil {
				panic(err)
			}
			if kind == "P" {
				p.Provides = p.Provides.Append(d)
			} else {
				p.Requires = p.Requires.Append(d)
			}
		case "F":
			p.Files = append(p.Files, repomd.File{Path: val})
		case "S":
			p.SourceRPM = val
		default:
			panic("bad field " + f)
		}
	}
	return p
}

func newTestPool(t *testing.T, repos ...*Repo) *Pool {
	t.Helper()
	p, err := NewPool(repos)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func names(p *Pool, ids []PkgID) []string {
	out := []string{}
	for _, i := range ids {
		out = append(out, p.Pkg(i).NEVRA())
	}
	return out
}

func TestWhatProvides(t *testing.T) {
	repo := &Repo{ID: "r", Packages: []*repomd.Package{
		pkg("foo-1.0-1.x86_64", "P:libfoo.so.1()(64bit)", "F:/usr/bin/foo"),
		pkg("foo-2.0-1.x86_64", "P:libfoo.so.2()(64bit)", "F:/usr/bin/foo"),
		pkg("bar-1.5-1.noarch", "P:foo", "P:webserver = 3"),
		pkg("baz-1-1.noarch", "P:/usr/bin/foo", "P:webserver = 2:1"),
		pkg("foo-2.0-1.src"),
	}}
	p := newTestPool(t, repo)
	tests := []struct {
		dep  string
		want []string
	}{
		{"foo", []string{"foo-1.0-1.x86_64", "foo-2.0-1.x86_64", "bar-1.5-1.noarch"}},
		// bar's unversioned provide of foo satisfies every version.
		{"foo >= 2.0", []string{"foo-2.0-1.x86_64", "bar-1.5-1.noarch"}},
		{"foo < 2", []string{"foo-1.0-1.x86_64", "bar-1.5-1.noarch"}},
		{"foo = 1.0", []string{"foo-1.0-1.x86_64", "bar-1.5-1.noarch"}},
		{"foo = 1.0-2", []string{"bar-1.5-1.noarch"}},
		{"libfoo.so.2()(64bit)", []string{"foo-2.0-1.x86_64"}},
		{"webserver >= 4", []string{"baz-1-1.noarch"}}, // epoch 2 beats any epoch-0 version
		{"webserver < 2", nil},
		{"webserver >= 1:0", []string{"baz-1-1.noarch"}},
		{"/usr/bin/foo", []string{"foo-1.0-1.x86_64", "foo-2.0-1.x86_64", "baz-1-1.noarch"}},
		{"(foo < 2 and webserver)", []string{"foo-1.0-1.x86_64", "bar-1.5-1.noarch", "baz-1-1.noarch"}},
		{"(libfoo.so.1()(64bit) or libfoo.so.2()(64bit))", []string{"foo-1.0-1.x86_64", "foo-2.0-1.x86_64"}},
		{"(foo with libfoo.so.2()(64bit))", []string{"foo-2.0-1.x86_64"}},
		{"(foo without libfoo.so.2()(64bit))", []string{"foo-1.0-1.x86_64", "bar-1.5-1.noarch"}},
		{"(webserver if foo)", []string{"bar-1.5-1.noarch", "baz-1-1.noarch"}},
		{"(libfoo.so.1()(64bit) if foo else libfoo.so.2()(64bit))", []string{"foo-1.0-1.x86_64", "foo-2.0-1.x86_64"}},
		{"(nothing or", nil},
		// chains longer than three operands (real Java requirements)
		{"(nothing or nothing2 or libfoo.so.2()(64bit) or webserver > 2)", []string{"foo-2.0-1.x86_64", "bar-1.5-1.noarch", "baz-1-1.noarch"}},
		{"(foo and (webserver < 3 or nothing) and baz)", []string{"foo-1.0-1.x86_64", "foo-2.0-1.x86_64", "bar-1.5-1.noarch", "baz-1-1.noarch"}},
	}
	for _, tt := range tests {
		d, err := repomd.ParseDep(tt.dep)
		if err != nil {
			d = repomd.Dep{Name: tt.dep}
		}
		got := names(p, p.WhatProvides(&d))
		if tt.want == nil {
			tt.want = []string{}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("WhatProvides(%q) = %v, want %v", tt.dep, got, tt.want)
		}
	}
}

// TestFilelistsLoadedOnlyWhenNeeded checks that paths primary.xml lists
// completely never load filelists, and that another path loads them once.
func TestFilelistsLoadedOnlyWhenNeeded(t *testing.T) {
	a := pkg("a-1-1.x86_64", "F:/usr/bin/a", "R:/usr/share/b/data")
	b := pkg("b-1-1.noarch")
	a.FilesComplete, b.FilesComplete = false, false
	loads := 0
	repo := &Repo{ID: "r", Packages: []*repomd.Package{a, b}, LoadFiles: func() error {
		loads++
		b.Files = []repomd.File{{Path: "/usr/share/b/data"}}
		a.FilesComplete, b.FilesComplete = true, true
		return nil
	}}
	p := newTestPool(t, repo)
	if got := names(p, p.WhatProvides(&repomd.Dep{Name: "/usr/bin/a"})); !reflect.DeepEqual(got, []string{"a-1-1.x86_64"}) || loads != 0 {
		t.Fatalf("/usr/bin/a: %v, %d loads; want a and no load", got, loads)
	}
	if got := names(p, p.WhatProvides(&repomd.Dep{Name: "/usr/share/b/data"})); !reflect.DeepEqual(got, []string{"b-1-1.noarch"}) || loads != 1 {
		t.Fatalf("/usr/share/b/data: %v, %d loads; want b and one load", got, loads)
	}
	p.WhatProvides(&repomd.Dep{Name: "/usr/share/other"})
	if loads != 1 {
		t.Fatalf("filelists loaded %d times, want once", loads)
	}
}

func TestLoadFilesError(t *testing.T) {
	a := pkg("a-1-1.x86_64", "R:/opt/x")
	a.FilesComplete = false
	repo := &Repo{ID: "r", Packages: []*repomd.Package{a}, LoadFiles: func() error { return fmt.Errorf("r/repodata/filelists.xml.gz: truncated") }}
	p := newTestPool(t, repo)
	if _, err := Gather(p, []string{"a"}, Options{Arch: "x86_64"}); err == nil || !strings.Contains(err.Error(), "filelists") {
		t.Fatalf("Gather error = %v, want the filelists error", err)
	}
}

func TestDuplicateRepoID(t *testing.T) {
	if _, err := NewPool([]*Repo{{ID: "a"}, {ID: "a"}}); err == nil {
		t.Fatal("NewPool accepted a repeated repository id")
	}
}

// TestRichChain: long and/or/with chains, which real repositories carry
// ("(java-headless or java-17-headless or …)"), parse through repomd's
// parser; malformed ones have no providers rather than failing.
func TestRichChain(t *testing.T) {
	p := newTestPool(t, &Repo{ID: "r"})
	for _, tt := range []struct{ in, want string }{
		{"(a or b or c or d)", "(a or b or c or d)"},
		{"(a >= 1.0 and (b if c else d) and e)", "(a >= 1.0 and (b if c else d) and e)"},
		{"(libc.so.6()(64bit) with x = 2:1-3)", "(libc.so.6()(64bit) with x = 2:1-3)"},
	} {
		r := p.rich(tt.in)
		if r == nil {
			t.Errorf("rich(%q) rejected", tt.in)
			continue
		}
		if got := r.String(); got != tt.want {
			t.Errorf("rich(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"(a or b and c)", "(a or)", "(a foo b)", "(a or b"} {
		if r := p.rich(bad); r != nil {
			t.Errorf("rich(%q) accepted as %q", bad, r)
		}
	}
}

func TestFnmatch(t *testing.T) {
	tests := []struct {
		pat, name string
		want      bool
	}{
		{"foo", "foo", true},
		{"foo", "foobar", false},
		{"foo*", "foobar", true},
		{"*-devel", "glibc-devel", true},
		{"*-devel", "glibc-devel-x", false},
		{"f?o", "fxo", true},
		{"f?o", "fo", false},
		{"lib[abc]x", "libbx", true},
		{"lib[!abc]x", "libbx", false},
		{"lib[a-c]x", "libcx", true},
		{"lib[x", "lib[x", true},
		{"*a*b*", "xxaxxbxx", true},
		{"*a*b", "xxaxxbxxc", false},
		{"", "", true},
		{"*", "", true},
	}
	for _, tt := range tests {
		if got := glob.DNF(tt.pat, tt.name); got != tt.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", tt.pat, tt.name, got, tt.want)
		}
	}
}

func TestPatternHelpers(t *testing.T) {
	for _, tt := range []struct {
		s            string
		input, debug bool
	}{
		{"foo-debuginfo", true, true},
		{"foo-debuginfo-common", true, true},
		{"foo-debugsource", true, true},
		{"foo-debuginfo.+", true, false},
		{"-debuginfo", false, true},
		{"foo", false, false},
		{"foo-debug", false, false},
	} {
		if got := isDebugInput(tt.s); got != tt.input {
			t.Errorf("isDebugInput(%q) = %v, want %v", tt.s, got, tt.input)
		}
		if got := isDebugName(tt.s); got != tt.debug {
			t.Errorf("isDebugName(%q) = %v, want %v", tt.s, got, tt.debug)
		}
	}
	if got := sourceName("glibc-2.34-60.el9.src.rpm"); got != "glibc" {
		t.Errorf("sourceName = %q", got)
	}
	if got := parseSourceNVR("python-foo-1.2-3.fc40.nosrc.rpm"); got != (nvr{"python-foo", "1.2", "3.fc40"}) {
		t.Errorf("parseSourceNVR = %+v", got)
	}
}

func TestFlagNames(t *testing.T) {
	f := FlagLookaside | FlagSelfHosting | FlagInput
	if got := f.Names(); !reflect.DeepEqual(got, []string{"input", "lookaside", "self_hosting"}) {
		t.Errorf("Names = %v", got)
	}
	if got := Flags(0).Names(); len(got) != 0 {
		t.Errorf("no flags: %v", got)
	}
}

// TestFilteredFilelistsFirst: a required path outside primary's reach
// loads filtered lists that keep the wanted paths, primary's and
// multilib's and nothing else; a path nobody requires loads the lists
// whole; a repository without a filtered loader is loaded whole.
func TestFilteredFilelistsFirst(t *testing.T) {
	complete := []repomd.File{{Path: "/usr/share/b/data"}, {Path: "/usr/share/b/other"}, {Path: "/usr/lib64/libb.so.1"}, {Path: "/etc/b.conf"}}
	a := pkg("a-1-1.x86_64", "R:/usr/share/b/data")
	b := pkg("b-1-1.x86_64")
	a.FilesComplete, b.FilesComplete = false, false
	var filtered, whole int
	repo := &Repo{ID: "r", Packages: []*repomd.Package{a, b},
		LoadFiles: func() error { whole++; b.Files, b.FilesComplete = complete, true; return nil },
		LoadFilesFiltered: func(keep func(string) bool) error {
			filtered++
			b.Files = nil
			for _, f := range complete {
				if keep(f.Path) {
					b.Files = append(b.Files, f)
				}
			}
			return nil
		}}
	p := newTestPool(t, repo)
	if got := names(p, p.WhatProvides(&repomd.Dep{Name: "/usr/share/b/data"})); !reflect.DeepEqual(got, []string{"b-1-1.x86_64"}) || filtered != 1 || whole != 0 {
		t.Fatalf("/usr/share/b/data: %v after %d filtered and %d whole loads; want b after one filtered load", got, filtered, whole)
	}
	var kept []string
	for _, f := range b.Files {
		kept = append(kept, f.Path)
	}
	if want := []string{"/usr/share/b/data", "/usr/lib64/libb.so.1", "/etc/b.conf"}; !reflect.DeepEqual(kept, want) {
		t.Fatalf("filtered list %v, want %v", kept, want)
	}
	if got := names(p, p.WhatProvides(&repomd.Dep{Name: "/usr/share/b/other"})); !reflect.DeepEqual(got, []string{"b-1-1.x86_64"}) || filtered != 1 || whole != 1 {
		t.Fatalf("/usr/share/b/other: %v after %d filtered and %d whole loads; want b after one whole load", got, filtered, whole)
	}

	b.Files, b.FilesComplete, whole = nil, false, 0
	repo.LoadFilesFiltered = nil
	p = newTestPool(t, repo)
	if got := names(p, p.WhatProvides(&repomd.Dep{Name: "/usr/share/b/data"})); !reflect.DeepEqual(got, []string{"b-1-1.x86_64"}) || whole != 1 {
		t.Fatalf("without a filtered loader: %v after %d whole loads; want b after one", got, whole)
	}
}
