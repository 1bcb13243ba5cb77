package depsolve

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
)

// summary renders a result as "nevra@repo[flags]" strings, sorted.
func summary(r *Result) []string {
	out := []string{}
	for _, list := range [][]Item{r.RPM, r.SRPM, r.Debuginfo} {
		for _, it := range list {
			s := it.Pkg.NEVRA() + "@" + it.Repo.ID
			if f := it.Flags.String(); f != "" {
				s += "[" + f + "]"
			}
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func mailRepo() []*repomd.Package {
	return []*repomd.Package{
		pkg("vacation-1-1.x86_64", "R:smtpdaemon"),
		pkg("sendmail-8-1.x86_64", "P:smtpdaemon"),
		pkg("postfix-2-1.x86_64", "P:smtpdaemon"),
		pkg("exim-7-1.i686", "P:smtpdaemon"),
		pkg("vacation-1-1.src"),
		pkg("sendmail-8-1.src"),
		pkg("postfix-2-1.src"),
	}
}

func TestGatherBestProvider(t *testing.T) {
	tests := []struct {
		name      string
		main      []*repomd.Package
		lookaside []*repomd.Package
		patterns  []string
		opts      Options
		want      []string
	}{
		{
			name:     "shortest native name wins, multilib only as fallback",
			main:     mailRepo(),
			patterns: []string{"vacation"},
			want: []string{"postfix-2-1.src@main", "postfix-2-1.x86_64@main",
				"vacation-1-1.src@main", "vacation-1-1.x86_64@main[input]"},
		},
		{
			name:     "a provider already in the result wins",
			main:     mailRepo(),
			patterns: []string{"sendmail", "vacation"},
			want: []string{"sendmail-8-1.src@main", "sendmail-8-1.x86_64@main[input]",
				"vacation-1-1.src@main", "vacation-1-1.x86_64@main[input]"},
		},
		{
			name: "with a lookaside the highest EVR across names wins",
			main: mailRepo(),
			lookaside: []*repomd.Package{
				pkg("unrelated-1-1.noarch"),
			},
			patterns: []string{"vacation"},
			want: []string{"sendmail-8-1.src@main", "sendmail-8-1.x86_64@main",
				"vacation-1-1.src@main", "vacation-1-1.x86_64@main[input]"},
		},
		{
			name: "excludes leave lookaside copies alone",
			main: []*repomd.Package{pkg("foo-1-1.x86_64"), pkg("bar-1-1.x86_64", "R:foo")},
			lookaside: []*repomd.Package{
				pkg("foo-1-1.x86_64"),
			},
			patterns: []string{"bar", "-foo"},
			opts:     Options{ExcludeSource: true},
			want:     []string{"bar-1-1.x86_64@main[input]", "foo-1-1.x86_64@lookaside[lookaside]"},
		},
		{
			name: "greedy build takes every provider of the best one's source",
			main: []*repomd.Package{
				pkg("app-1-1.x86_64", "R:font"),
				pkg("font-a-1-1.noarch", "P:font", "S:fonts-1-1.src.rpm"),
				pkg("font-bb-1-1.noarch", "P:font", "S:fonts-1-1.src.rpm"),
				pkg("other-font-1-1.noarch", "P:font"),
			},
			patterns: []string{"app"},
			opts:     Options{Greedy: GreedyBuild, ExcludeSource: true},
			want:     []string{"app-1-1.x86_64@main[input]", "font-a-1-1.noarch@main", "font-bb-1-1.noarch@main"},
		},
		{
			name: "latest version per name.arch, but a versioned requirement may pull an older one",
			main: []*repomd.Package{
				pkg("app-1-1.x86_64", "R:lib < 2"),
				pkg("lib-1-1.x86_64"),
				pkg("lib-2-1.x86_64"),
				pkg("tool-1-1.x86_64", "R:lib"),
			},
			patterns: []string{"app", "tool"},
			opts:     Options{ExcludeSource: true},
			want:     []string{"app-1-1.x86_64@main[input]", "lib-1-1.x86_64@main", "lib-2-1.x86_64@main", "tool-1-1.x86_64@main[input]"},
		},
		{
			name: "weak dependencies are ignored, lookaside requirements never resolved",
			main: []*repomd.Package{
				pkg("app-1-1.x86_64", "R:base"),
				pkg("extra-1-1.x86_64"),
				pkg("deep-1-1.x86_64"),
			},
			lookaside: []*repomd.Package{
				pkg("base-1-1.x86_64", "R:deep"),
			},
			patterns: []string{"app"},
			opts:     Options{ExcludeSource: true},
			want:     []string{"app-1-1.x86_64@main[input]", "base-1-1.x86_64@lookaside[lookaside]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var repos []*Repo
			if tt.lookaside != nil {
				repos = append(repos, &Repo{ID: "lookaside", Lookaside: true, Packages: tt.lookaside})
			}
			repos = append(repos, &Repo{ID: "main", Packages: tt.main})
			if tt.name == "weak dependencies are ignored, lookaside requirements never resolved" {
				tt.main[0].Recommends = repomd.MakeDepList([]repomd.Dep{{Name: "extra"}})
			}
			p := newTestPool(t, repos...)
			tt.opts.Arch = "x86_64"
			res, err := Gather(p, tt.patterns, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(res); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestGatherBrokenAndWhy(t *testing.T) {
	main := []*repomd.Package{
		pkg("top-1-1.x86_64", "R:mid >= 1", "R:missing(x86-64) = 3"),
		pkg("mid-1-1.noarch", "R:/usr/bin/low"),
		pkg("low-1-1.x86_64", "F:/usr/bin/low"),
	}
	p := newTestPool(t, &Repo{ID: "main", Packages: main})
	res, err := Gather(p, []string{"top"}, Options{Arch: "x86_64", ExcludeSource: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmtBroken(res.Broken), []string{"top.x86_64: missing(x86-64) = 3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("broken = %v, want %v", got, want)
	}
	chains := res.Why("low")
	if len(chains) != 1 {
		t.Fatalf("Why(low) gave %d chains", len(chains))
	}
	var steps []string
	for _, it := range chains[0] {
		steps = append(steps, it.Pkg.Name+":"+it.Reason.StepName()+":"+it.Reason.Dep)
	}
	want := []string{"low:binary-dep:/usr/bin/low", "mid:binary-dep:mid >= 1", "top:input:"}
	if !reflect.DeepEqual(steps, want) {
		t.Errorf("why chain = %v, want %v", steps, want)
	}
	if res.Why("absent") != nil {
		t.Error("Why of a package outside the result returned a chain")
	}
}

func fmtBroken(b []BrokenDep) []string {
	var out []string
	for _, x := range b {
		out = append(out, x.String())
	}
	return out
}

func TestGatherOptionsErrors(t *testing.T) {
	p := newTestPool(t, &Repo{ID: "main", Packages: mailRepo()})
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{Arch: "x86_64", Greedy: "some"}, "greedy"},
		{Options{}, "arch"},
		{Options{Arch: "x86_64", MultilibMethods: []string{"bogus"}}, "bogus"},
		{Options{Arch: "x86_64", Prepopulate: []string{"noarchsuffix"}}, "NAME.ARCH"},
	} {
		if _, err := Gather(p, []string{"vacation"}, tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Gather(%+v) error = %v, want one mentioning %q", tt.opts, err, tt.want)
		}
	}
}

func TestRepoclosure(t *testing.T) {
	main := []*repomd.Package{
		pkg("a-1-1.x86_64", "R:b", "R:rpmlib(PayloadIsZstd) <= 5.4.18-1", "R:c >= 2"),
		pkg("b-1-1.x86_64", "R:(c or d)"),
		pkg("c-1-1.x86_64"),
		pkg("c-2-1.x86_64"),
		pkg("e-1-1.s390x", "R:nothing"),
		pkg("f-1-1.x86_64", "R:ppconly"),
		pkg("g-1-1.ppc64", "P:ppconly"),
		pkg("a-1-1.src", "R:gcc"),
	}
	p := newTestPool(t, &Repo{ID: "main", Packages: main})
	render := func(u []Unresolved) []string {
		out := []string{}
		for _, x := range u {
			out = append(out, x.Pkg.NEVRA()+": "+strings.Join(x.Deps, ", "))
		}
		return out
	}
	all, err := Repoclosure(p, ClosureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a-1-1.src: gcc", "e-1-1.s390x: nothing", "f-1-1.x86_64: ppconly"}
	if got := render(all); !reflect.DeepEqual(got, want) {
		t.Errorf("all arches: %v, want %v", got, want)
	}
	only, _ := Repoclosure(p, ClosureOptions{Arches: []string{"x86_64"}})
	if got := render(only); !reflect.DeepEqual(got, []string{"f-1-1.x86_64: ppconly"}) {
		t.Errorf("--arch x86_64: %v", got)
	}
	// With best, only c-2 provides c, which still satisfies c >= 2.
	best, _ := Repoclosure(p, ClosureOptions{Arches: []string{"x86_64"}, Best: true})
	if got := render(best); !reflect.DeepEqual(got, []string{"f-1-1.x86_64: ppconly"}) {
		t.Errorf("--best: %v", got)
	}
	ppc, _ := Repoclosure(p, ClosureOptions{Arches: []string{"x86_64"}, PoolArch: "ppc64"})
	if got := render(ppc); !reflect.DeepEqual(got, []string{"a-1-1.x86_64: b, c >= 2", "b-1-1.x86_64: (c or d)"}) {
		t.Errorf("ppc64 providers: %v", got)
	}
}

// TestRepoclosureManyStores checks Repoclosure's per-requirement memo when
// every package's lists are a store of their own (as packages read from
// rpm headers are), more stores than byNameNumber keeps slices for: the
// same name in different stores, and past the limit, must still get its
// own answer.
func TestRepoclosureManyStores(t *testing.T) {
	const n = 2*maxNameStores + 10
	var pkgs []*repomd.Package
	for i := range n {
		deps := []string{fmt.Sprintf("P:cap%d", i), fmt.Sprintf("R:cap%d", i+1), "R:shared", "R:/usr/bin/shared"}
		switch i {
		case 0:
			deps = append(deps, "P:shared = 1", "P:/usr/bin/shared")
		case n / 2, n - 3:
			deps = append(deps, "R:shared >= 2", "R:/usr/bin/none")
		}
		pkgs = append(pkgs, pkg(fmt.Sprintf("p%d-1-1.x86_64", i), deps...))
	}
	p := newTestPool(t, &Repo{ID: "main", Packages: pkgs})
	got, err := Repoclosure(p, ClosureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var render []string
	for _, u := range got {
		render = append(render, u.Pkg.NEVRA()+": "+strings.Join(u.Deps, ", "))
	}
	want := []string{
		fmt.Sprintf("p%d-1-1.x86_64: /usr/bin/none, shared >= 2", n-3),
		fmt.Sprintf("p%d-1-1.x86_64: cap%d", n-1, n),
		fmt.Sprintf("p%d-1-1.x86_64: /usr/bin/none, shared >= 2", n/2),
	}
	if !reflect.DeepEqual(render, want) {
		t.Errorf("got %q\nwant %q", render, want)
	}
}
