package depsolve

import (
	"context"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/modulemd"
	"github.com/pungo/pungo/repomd/modulemd/modtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// depStream is a stream NAME:STREAM with one context per dependency
// block given as "mod:s1,s2 mod2:" (empty list: any stream).
func depStream(ns string, blocks ...string) *modulemd.Stream {
	name, stream, _ := strings.Cut(ns, ":")
	s := &modulemd.Stream{Name: name, Stream: stream, Version: 1, Context: "c", Arch: "x86_64"}
	for _, b := range blocks {
		req := map[string][]string{}
		for _, f := range strings.Fields(b) {
			n, l, _ := strings.Cut(f, ":")
			req[n] = []string{}
			if l != "" {
				req[n] = strings.Split(l, ",")
			}
		}
		s.Dependencies = append(s.Dependencies, modulemd.Dependencies{Requires: req})
	}
	return s
}

// ResolveModuleDeps follows fus's module solvables: a block is an AND of
// module(NAME) with one of its streams ("-S" excludes S, [] any), blocks
// are alternatives, one stream per module in a transaction, platform
// only the one installed; every stream of every transaction counts.
func TestResolveModuleDeps(t *testing.T) {
	avail := []*modulemd.Stream{
		depStream("B:1", "platform:el9"),
		depStream("B:2", "platform:el9"),
		depStream("C:1", "B:2"),
		depStream("D:1", "E:1"), // E is nowhere
	}
	cases := []struct {
		name     string
		root     *modulemd.Stream
		platform string
		want     []string
		unmet    string
	}{
		{"no dependencies", depStream("A:1"), "", []string{"A:1:1:c"}, ""},
		{"platform installed", depStream("A:1", "platform:el9"), "el9", []string{"A:1:1:c"}, ""},
		{"other platform", depStream("A:1", "platform:el8"), "el9", nil, "platform:[el8]"},
		{"any platform", depStream("A:1", "platform:el8"), AnyPlatform, []string{"A:1:1:c"}, ""},
		{"no platform installed", depStream("A:1", "platform:"), "", nil, "platform:[]"},
		{"one stream", depStream("A:1", "B:1 platform:el9"), "el9", []string{"A:1:1:c", "B:1:1:c"}, ""},
		{"any stream: every alternative", depStream("A:1", "B:"), "el9", []string{"A:1:1:c", "B:1:1:c", "B:2:1:c"}, ""},
		{"excluded stream", depStream("A:1", "B:-1"), "el9", []string{"A:1:1:c", "B:2:1:c"}, ""},
		{"missing stream", depStream("A:1", "B:3"), "el9", nil, "B:[3]"},
		{"missing module", depStream("A:1", "E:1"), "el9", nil, "E:[1]"},
		{"alternative blocks", depStream("A:1", "E:1", "B:2"), "el9", []string{"A:1:1:c", "B:2:1:c"}, ""},
		{"transitive", depStream("A:1", "C:1"), "el9", []string{"A:1:1:c", "B:2:1:c", "C:1:1:c"}, ""},
		{"transitive unmet", depStream("A:1", "D:1"), "el9", nil, "a consistent choice"},
		{"conflicting streams", depStream("A:1", "B:1 C:1"), "el9", nil, "a consistent choice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ResolveModuleDeps(c.root, avail, c.platform)
			if !reflect.DeepEqual(got.Streams, c.want) {
				t.Errorf("streams %v, want %v", got.Streams, c.want)
			}
			if (got.Unmet == "") != (c.unmet == "") || !strings.Contains(got.Unmet, c.unmet) {
				t.Errorf("unmet %q, want %q", got.Unmet, c.unmet)
			}
		})
	}
}

const moduleDepsYAML = `---
document: modulemd
version: 2
data:
  name: app
  stream: "1"
  version: 1
  context: a
  arch: x86_64
  summary: s
  description: d
  license:
    module: [MIT]
  dependencies:
  - requires:
      platform: [el9]
      runtime: [old]
  artifacts:
    rpms: [appm-0:1-1.module_a.x86_64]
...
---
document: modulemd
version: 2
data:
  name: tool
  stream: "1"
  version: 1
  context: t
  arch: x86_64
  summary: s
  description: d
  license:
    module: [MIT]
  dependencies:
  - requires:
      platform: [el9]
      nosuch: []
  artifacts:
    rpms: [toolm-0:1-1.module_t.x86_64]
...
`

const runtimeYAML = `---
document: modulemd
version: 2
data:
  name: runtime
  stream: new
  version: 1
  context: n
  arch: x86_64
  summary: s
  description: d
  license:
    module: [MIT]
  dependencies:
  - requires:
      platform: [el9]
  artifacts:
    rpms: [rt-0:2-1.module_n.x86_64]
...
---
document: modulemd
version: 2
data:
  name: runtime
  stream: old
  version: 1
  context: o
  arch: x86_64
  summary: s
  description: d
  license:
    module: [MIT]
  dependencies:
  - requires:
      platform: [el9]
  artifacts:
    rpms: [rt-0:1-1.module_o.x86_64]
...
---
document: modulemd-defaults
version: 1
data:
  module: runtime
  stream: new
...
`

// GatherHybrid with module dependencies: app:1 requires runtime:old, a
// non-default stream of a lookaside repository, which is active while
// app's artifacts resolve (fus installs the transaction's streams), so
// appm gets rt 1 from the lookaside; tool:1 requires a module nothing
// provides, so its artifact is included without its dependencies and a
// warning says why.
func TestGatherHybridModuleDeps(t *testing.T) {
	lk := modtest.WriteRepo(t, t.TempDir(), []modtest.Package{
		{NEVRA: "rt-2-1.module_n.x86_64", Deps: []string{"P:rt"}},
		{NEVRA: "rt-1-1.module_o.x86_64", Deps: []string{"P:rt"}},
	}, runtimeYAML)
	main := modtest.WriteRepo(t, t.TempDir(), []modtest.Package{
		{NEVRA: "appm-1-1.module_a.x86_64", Deps: []string{"R:rt"}},
		{NEVRA: "toolm-1-1.module_t.x86_64", Deps: []string{"R:libtool"}},
		{NEVRA: "libtool-1-1.x86_64"},
	}, moduleDepsYAML)
	rs, err := OpenReposContext(context.Background(), []string{"r=" + main}, []string{"lk=" + lk})
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPool(rs)
	if err != nil {
		t.Fatal(err)
	}
	x, err := p.ModuleIndex()
	if err != nil {
		t.Fatal(err)
	}
	res, err := GatherHybrid(p, x, []string{"app:1", "tool:1"}, nil, Options{Arch: "x86_64", ExcludeSource: true, ExcludeDebug: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"appm-1-1.module_a.x86_64@r[input]", "rt-1-1.module_o.x86_64@lk[lookaside]", "toolm-1-1.module_t.x86_64@r[input]"}
	if got := summary(res); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "module tool:1:1:t requires nosuch:[]") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

// dnf's module solver is the oracle for ResolveModuleDeps: in an empty
// installroot (platform:el9), "dnf module enable" of each stream enables
// exactly the stream and the streams ResolveModuleDeps adds (app:1 a
// non-default stream of another repository), and fails for the stream
// whose requirement nothing provides (tool:1).
func TestResolveModuleDepsAgainstDnf(t *testing.T) {
	dnf := toolcheck.Need(t, "dnf")[0]
	lk := modtest.WriteRepo(t, t.TempDir(), []modtest.Package{{NEVRA: "rt-2-1.module_n.x86_64"}, {NEVRA: "rt-1-1.module_o.x86_64"}}, runtimeYAML)
	main := modtest.WriteRepo(t, t.TempDir(), []modtest.Package{{NEVRA: "appm-1-1.module_a.x86_64"}, {NEVRA: "toolm-1-1.module_t.x86_64"}}, moduleDepsYAML)
	var avail []*modulemd.Stream
	for _, y := range []string{moduleDepsYAML, runtimeYAML} {
		x, err := modulemd.Parse([]byte(y), "modules.yaml")
		if err != nil {
			t.Fatal(err)
		}
		avail = append(avail, x.Streams...)
	}
	for _, root := range avail[:2] { // app:1 and tool:1
		t.Run(root.NS(), func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"--installroot", dir, "--releasever", "1", "--setopt=reposdir=/dev/null", "--setopt=cachedir=" + filepath.Join(dir, "cache"),
				"--setopt=module_platform_id=platform:el9", "--repofrompath", "m,file://" + main, "--repofrompath", "l,file://" + lk, "--repo", "m", "--repo", "l", "-q"}
			out, err := exec.Command(dnf, append(args, "-y", "module", "enable", root.NS())...).CombinedOutput()
			d := ResolveModuleDeps(root, avail, "el9")
			if (err != nil) != (d.Unmet != "") {
				t.Fatalf("dnf module enable: %v\n%s\nResolveModuleDeps: %+v", err, out, d)
			}
			if err != nil {
				return
			}
			list, err := exec.Command(dnf, append(args, "module", "list", "--enabled")...).CombinedOutput()
			if err != nil {
				t.Fatalf("dnf module list: %v\n%s", err, list)
			}
			var enabled []string
			for _, line := range strings.Split(string(list), "\n") {
				if f := strings.Fields(line); len(f) >= 3 && f[0] != "Hint:" && strings.Contains(f[1]+f[2], "[e]") {
					enabled = append(enabled, f[0]+":"+f[1])
				}
			}
			slices.Sort(enabled)
			var want []string
			for _, nsvc := range d.Streams {
				parts := strings.Split(nsvc, ":")
				want = append(want, parts[0]+":"+parts[1])
			}
			if !reflect.DeepEqual(enabled, want) {
				t.Errorf("dnf enables %v, ResolveModuleDeps %v", enabled, want)
			}
		})
	}
}
