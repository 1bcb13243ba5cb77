package depsolve

import (
	"reflect"
	"slices"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/modulemd"
)

const hybridYAML = `---
document: modulemd
version: 2
data:
  name: libm
  stream: "1"
  version: 1
  context: c
  arch: x86_64
  artifacts:
    rpms: [libm-0:1-1.module_c.x86_64, libm-0:1-1.module_c.i686, libm-debuginfo-0:1-1.module_c.x86_64, libm-0:1-1.module_c.src]
...
`

// Each rule of Options.HybridModules, named after the Pungi code it
// follows: with the option the modular package is treated as Pungi's
// hybrid method treats a package fus flags modular; without it as
// pungi-gather treats any package. Non-modular packages (app) are
// unaffected either way.
func TestHybridModuleRules(t *testing.T) {
	pool := func(t *testing.T) *Pool {
		p := newTestPool(t, &Repo{ID: "r", Packages: []*repomd.Package{
			pkg("libm-1-1.module_c.x86_64", "P:libm"),
			pkg("libm-1-1.module_c.i686", "P:libm"),
			pkg("libm-debuginfo-1-1.module_c.x86_64", "S:libm-1-1.module_c.src.rpm"),
			pkg("libm-1-1.module_c.src"),
			pkg("libm-langpack-en-1-1.noarch", "S:libm-1-1.module_c.src.rpm"),
			pkg("libx-1-1.x86_64"),
			pkg("libx-1-1.src"),
			pkg("app-1-1.x86_64", "R:libm"),
			pkg("app-1-1.i686", "R:libm"),
			pkg("app-debuginfo-1-1.x86_64", "S:app-1-1.src.rpm"),
			pkg("app-langpack-en-1-1.noarch"),
			pkg("app-1-1.src"),
		}})
		x, err := modulemd.Parse([]byte(hybridYAML), "modules.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.ApplyModules(x, []string{"libm:1"}, false); err != nil {
			t.Fatal(err)
		}
		return p
	}
	langpacks := []Langpack{{Name: "libm", Install: "libm-langpack-%s"}, {Name: "app", Install: "app-langpack-%s"}}
	cases := []struct {
		rule     string
		patterns []string
		opts     Options
		pungi    []string // with HybridModules
		gather   []string // without
	}{
		{"add_multilib skips modular packages", []string{"libm", "app"}, Options{MultilibMethods: []string{"all"}, ExcludeDebug: true, ExcludeSource: true},
			[]string{"app-1-1.i686@r[multilib]", "app-1-1.x86_64@r[input]", "libm-1-1.module_c.x86_64@r[input]"},
			[]string{"app-1-1.i686@r[multilib]", "app-1-1.x86_64@r[input]", "libm-1-1.module_c.i686@r[multilib]", "libm-1-1.module_c.x86_64@r[input]"}},
		{"add_debuginfo skips modular packages", []string{"libm", "app"}, Options{ExcludeSource: true},
			[]string{"app-1-1.x86_64@r[input]", "app-debuginfo-1-1.x86_64@r", "libm-1-1.module_c.x86_64@r[input]"},
			[]string{"app-1-1.x86_64@r[input]", "app-debuginfo-1-1.x86_64@r", "libm-1-1.module_c.x86_64@r[input]", "libm-debuginfo-1-1.module_c.x86_64@r"}},
		{"add_langpacks skips modular packages", []string{"libm", "app"}, Options{Langpacks: langpacks, ExcludeDebug: true, ExcludeSource: true},
			[]string{"app-1-1.x86_64@r[input]", "app-langpack-en-1-1.noarch@r[langpack]", "libm-1-1.module_c.x86_64@r[input]"},
			[]string{"app-1-1.x86_64@r[input]", "app-langpack-en-1-1.noarch@r[langpack]", "libm-1-1.module_c.x86_64@r[input]", "libm-langpack-en-1-1.noarch@r[langpack]"}},
		{"fus apply_excludes spares modular packages", []string{"libm", "libx", "-libm", "-libx"}, Options{ExcludeDebug: true, ExcludeSource: true},
			[]string{"libm-1-1.module_c.x86_64@r[input]"},
			[]string{}},
		{"_expand_wildcard: only * makes a wildcard", []string{"lib?"}, Options{ExcludeDebug: true, ExcludeSource: true},
			[]string{"libm-1-1.module_c.x86_64@r[input]", "libx-1-1.x86_64@r[input]"},
			[]string{"libm-1-1.module_c.x86_64@r[input]", "libx-1-1.x86_64@r[input]"}},
		{"_expand_wildcard does not match modular packages ('*')", []string{"lib*"}, Options{ExcludeDebug: true, ExcludeSource: true},
			[]string{"libm-langpack-en-1-1.noarch@r[input]", "libx-1-1.x86_64@r[input]"},
			[]string{"libm-1-1.module_c.x86_64@r[input]", "libm-langpack-en-1-1.noarch@r[input]", "libx-1-1.x86_64@r[input]"}},
		{"a named modular package is an input", []string{"libm.i686"}, Options{ExcludeDebug: true, ExcludeSource: true},
			[]string{"libm-1-1.module_c.i686@r[input]"},
			[]string{"libm-1-1.module_c.i686@r[input]"}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			for _, hybrid := range []bool{true, false} {
				opts := c.opts
				opts.Arch = "x86_64"
				opts.HybridModules = hybrid
				res, err := Gather(pool(t), c.patterns, opts)
				if err != nil {
					t.Fatal(err)
				}
				want := map[bool][]string{true: c.pungi, false: c.gather}[hybrid]
				if got := summary(res); !reflect.DeepEqual(got, want) {
					t.Errorf("HybridModules=%v: %v, want %v", hybrid, got, want)
				}
			}
		})
	}
}

// GatherHybrid solves as fus does for module(name:stream) inputs: the
// stream's artifacts are in the result; the patterns resolve with only
// default streams active, so with a non-default stream enabled app still
// gets the bare nodejs and npm (fus disable_module), while with the
// default stream enabled the stream's nodejs shadows the bare one
// (mask_bare_rpms).
func TestGatherHybrid(t *testing.T) {
	x, err := modulemd.Parse([]byte(modulesYAML), "modules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		streams  []string
		patterns []string
		want     []string
		module   map[string]string // NEVRA → ModuleOf
	}{
		{"non-default stream", []string{"nodejs:20"}, []string{"app"},
			[]string{"app-1-1.x86_64@r[input]", "nodejs-16-1.el9.x86_64@r", "nodejs-1:20.1-1.module_y.x86_64@r[input]", "npm-1:9-1.module_y.x86_64@r[input]", "npm-8-1.el9.x86_64@r"},
			map[string]string{"nodejs-1:20.1-1.module_y.x86_64": "nodejs:20:2:y", "nodejs-16-1.el9.x86_64": ""}},
		{"default stream", []string{"nodejs:18"}, []string{"app"},
			[]string{"app-1-1.x86_64@r[input]", "nodejs-1:18.1-1.module_x.x86_64@r[input]", "npm-8-1.el9.x86_64@r"},
			map[string]string{"nodejs-1:18.1-1.module_x.x86_64": "nodejs:18:1:x"}},
		{"artifacts only", []string{"nodejs:20"}, nil,
			[]string{"nodejs-1:20.1-1.module_y.x86_64@r[input]", "npm-1:9-1.module_y.x86_64@r[input]"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := modulesTestPool(t)
			res, err := GatherHybrid(p, x, c.streams, c.patterns, Options{Arch: "x86_64", ExcludeSource: true, ExcludeDebug: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(res); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %v\nwant %v", got, c.want)
			}
			for _, it := range res.RPM {
				if want, ok := c.module[it.Pkg.NEVRA()]; ok && p.ModuleOf(it.ID) != want {
					t.Errorf("ModuleOf(%s) = %q, want %q", it.Pkg.NEVRA(), p.ModuleOf(it.ID), want)
				}
			}
		})
	}
	if _, err := GatherHybrid(modulesTestPool(t), x, []string{"nodejs:99"}, []string{"app"}, Options{Arch: "x86_64"}); err == nil {
		t.Error("an unknown stream is not an error")
	}
}

// An input naming an artifact of an enabled non-default stream matches
// nothing in the default-streams view, but the artifacts' view gathers it:
// GatherHybrid warns only for inputs nothing gathers.
func TestGatherHybridNoFalseNoMatch(t *testing.T) {
	x, err := modulemd.Parse([]byte(modulesYAML), "modules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := newTestPool(t, &Repo{ID: "r", Packages: []*repomd.Package{
		pkg("nodejs-1:18.1-1.module_x.x86_64"),
		pkg("nodejs-1:20.1-1.module_y.x86_64"),
		pkg("npm-1:9-1.module_y.x86_64"),
	}})
	res, err := GatherHybrid(p, x, []string{"nodejs:20"}, []string{"npm", "npm.x86_64", "nosuch"}, Options{Arch: "x86_64", ExcludeSource: true, ExcludeDebug: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Could not find a match for nosuch in any configured repo"}
	if !reflect.DeepEqual(res.Warnings, want) {
		t.Errorf("warnings %q, want %q", res.Warnings, want)
	}
	if got := summary(res); !slices.Contains(got, "npm-1:9-1.module_y.x86_64@r[input]") {
		t.Errorf("npm of nodejs:20 not gathered: %v", got)
	}
}
