package depsolve

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/modulemd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

const modulesYAML = `---
document: modulemd
version: 2
data:
  name: nodejs
  stream: "18"
  version: 1
  context: x
  arch: x86_64
  dependencies:
  - requires:
      platform: [el9]
  artifacts:
    rpms:
    - nodejs-1:18.1-1.module_x.src
    - nodejs-1:18.1-1.module_x.x86_64
...
---
document: modulemd
version: 2
data:
    name: nodejs
    stream: "20"
    version: 2
    context: y
    arch: x86_64
    artifacts:
        rpms: [nodejs-1:20.1-1.module_y.x86_64, npm-1:9-1.module_y.x86_64]
...
---
document: modulemd-defaults
version: 1
data:
  module: nodejs
  stream: "18"
  profiles:
    18: [common]
...
`

func modulesTestPool(t *testing.T) *Pool {
	return newTestPool(t, &Repo{ID: "r", Packages: []*repomd.Package{
		pkg("nodejs-1:18.1-1.module_x.x86_64"),
		pkg("nodejs-1:20.1-1.module_y.x86_64"),
		pkg("npm-1:9-1.module_y.x86_64"),
		pkg("nodejs-16-1.el9.x86_64"),
		pkg("npm-8-1.el9.x86_64"),
		pkg("app-1-1.x86_64", "R:npm", "R:nodejs"),
	}})
}

// The three views of one modular repository: nothing hidden (Pungi's gather,
// module_hotfixes), dnf's default streams, and hybrid's enabled streams.
func TestModuleViews(t *testing.T) {
	x, err := modulemd.Parse([]byte(modulesYAML), "modules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		enable   []string
		defaults bool
		hotfix   bool
		hidden   int
		want     []string
		module   string // ModuleOf the gathered nodejs
	}{
		{"hotfixes", nil, false, true, 0,
			[]string{"app-1-1.x86_64@r[input]", "nodejs-1:20.1-1.module_y.x86_64@r", "npm-1:9-1.module_y.x86_64@r"}, ""},
		{"dnf defaults", nil, true, false, 3,
			[]string{"app-1-1.x86_64@r[input]", "nodejs-1:18.1-1.module_x.x86_64@r", "npm-8-1.el9.x86_64@r"}, "nodejs:18:1:x"},
		{"hybrid nodejs:20", []string{"nodejs:20"}, false, false, 3,
			[]string{"app-1-1.x86_64@r[input]", "nodejs-1:20.1-1.module_y.x86_64@r", "npm-1:9-1.module_y.x86_64@r"}, "nodejs:20:2:y"},
		{"hybrid without streams", []string{}, false, false, 3,
			[]string{"app-1-1.x86_64@r[input]", "nodejs-16-1.el9.x86_64@r", "npm-8-1.el9.x86_64@r"}, ""},
		{"enabled beats default", []string{"nodejs:20"}, true, false, 3,
			[]string{"app-1-1.x86_64@r[input]", "nodejs-1:20.1-1.module_y.x86_64@r", "npm-1:9-1.module_y.x86_64@r"}, "nodejs:20:2:y"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := modulesTestPool(t)
			if !c.hotfix {
				n, err := p.ApplyModules(x, c.enable, c.defaults)
				if err != nil {
					t.Fatal(err)
				}
				if n != c.hidden {
					t.Errorf("hid %d packages, want %d", n, c.hidden)
				}
			}
			res, err := Gather(p, []string{"app"}, Options{Arch: "x86_64", ExcludeSource: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(res); !reflect.DeepEqual(got, c.want) {
				t.Errorf("gather: %v, want %v", got, c.want)
			}
			for _, it := range res.RPM {
				if it.Pkg.Name == "nodejs" {
					if got := p.ModuleOf(it.ID); got != c.module {
						t.Errorf("ModuleOf(%s) = %q, want %q", it.Pkg.NEVRA(), got, c.module)
					}
				}
			}
		})
	}
	if _, err := modulesTestPool(t).ApplyModules(x, []string{"nodejs:99"}, false); err == nil || !strings.Contains(err.Error(), "nodejs:99") {
		t.Errorf("unknown stream: %v", err)
	}
}

// TestHideInactiveModulesRealdata checks dnf's view on CentOS Stream 9's
// AppStream, whose defaults name no stream: dnf hides every modular
// package there, and pungo repoclosure then matches dnf repoclosure.
func TestHideInactiveModulesRealdata(t *testing.T) {
	dir := toolcheck.Shared(t, "realdata/cs9-appstream")
	r, err := repomd.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := newTestPool(t, RepoFrom("appstream", r, false))
	n, err := p.HideInactiveModules()
	if err != nil {
		t.Fatal(err)
	}
	modular := 0
	for i := 0; i < p.Len(); i++ {
		if strings.Contains(p.Pkg(PkgID(i)).Release, ".module_") {
			modular++
			if !p.Hidden(PkgID(i)) {
				t.Fatalf("%s is modular but visible", p.Pkg(PkgID(i)).NEVRA())
			}
		}
	}
	if n < modular || modular == 0 {
		t.Errorf("hid %d packages, %d have a module release", n, modular)
	}
}

// HiddenWhy names the stream behind each exclusion: an inactive stream's
// artifact, or a non-modular package shadowed by an active stream.
func TestHiddenWhy(t *testing.T) {
	x, err := modulemd.Parse([]byte(modulesYAML), "modules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		enable   []string
		defaults bool
		want     map[string]string // hidden NEVRA → reason
	}{
		{"dnf defaults", nil, true, map[string]string{
			"nodejs-1:20.1-1.module_y.x86_64": "artifact of nodejs:20:2:y, a stream that is not active",
			"npm-1:9-1.module_y.x86_64":       "artifact of nodejs:20:2:y, a stream that is not active",
			"nodejs-16-1.el9.x86_64":          "shadowed by module nodejs:18:1:x, an active stream with a package of that name",
		}},
		{"nodejs:20 enabled", []string{"nodejs:20"}, false, map[string]string{
			"nodejs-1:18.1-1.module_x.x86_64": "artifact of nodejs:18:1:x, a stream that is not active",
			"nodejs-16-1.el9.x86_64":          "shadowed by module nodejs:20:2:y, an active stream with a package of that name",
			"npm-8-1.el9.x86_64":              "shadowed by module nodejs:20:2:y, an active stream with a package of that name",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := modulesTestPool(t)
			if _, err := p.ApplyModules(x, c.enable, c.defaults); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, id := range p.HiddenPackages() {
				got[p.Pkg(id).NEVRA()] = p.HiddenWhy(id)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("hidden: %v, want %v", got, c.want)
			}
			var named []string
			for _, id := range p.HiddenNamed("nodejs") {
				named = append(named, p.Pkg(id).NEVRA())
			}
			if len(named) != 2 {
				t.Errorf("HiddenNamed(nodejs) = %v", named)
			}
		})
	}
}
