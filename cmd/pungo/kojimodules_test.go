package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/koji/kojitest"
	"github.com/pungo/pungo/repomd/modulemd"
)

// demoKojiHub lays the demo's packages out as Koji's topdir (one build per
// source package; demo-httpd also signed by abcd1234) and starts a test
// hub over it: demo-1.0 inherits demo-base, which hold the non-modular
// builds but demo-games (untagged); the demo-lang module's streams 1 and 2 are module builds as MBS
// leaves them (modulemd.txt, modulemd.x86_64.txt and modulemd.src.txt
// archives; the rpm builds in content tags module-demo-lang-1 and -2),
// tagged in demo-modular. A koji profile "demokoji" points at it.
func demoKojiHub(t *testing.T) (*kojitest.Hub, string) {
	t.Helper()
	top := t.TempDir()
	nvrs := kojitest.LayoutRepo(t, top, filepath.Join(demoDir, "rpms"), "abcd1234", "demo-httpd")
	modular := kojitest.LayoutRepo(t, top, filepath.Join(demoDir, "modular", "rpms"), "")
	hub := kojitest.New(t, top)
	if err := hub.ScanPackages(); err != nil {
		t.Fatal(err)
	}
	hub.AddTag("demo-base", "x86_64")
	hub.AddTag("demo-1.0", "x86_64")
	hub.AddInheritance("demo-1.0", "demo-base", kojitest.Inherit{})
	for _, nvr := range nvrs {
		if strings.HasPrefix(nvr, "demo-games-") {
			continue
		}
		tag := "demo-base"
		if strings.HasPrefix(nvr, "demo-httpd-") || strings.HasPrefix(nvr, "demo-desktop-") {
			tag = "demo-1.0"
		}
		hub.TagBuild(tag, nvr)
	}
	idx, err := modulemd.ReadFile(filepath.Join(demoDir, "modular", "modules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	hub.AddTag("demo-modular")
	for _, s := range idx.Streams {
		content := "module-demo-lang-" + s.Stream
		hub.AddTag(content)
		for _, nvr := range modular {
			if strings.HasSuffix(nvr, ".module_demo+"+s.Stream) {
				hub.TagBuild(content, nvr)
			}
		}
		one := modulemd.NewIndex()
		one.AddStream(s)
		text, err := one.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		nvr, err := hub.AddModuleBuild(kojitest.ModuleBuild{Name: s.Name, Stream: s.Stream, Version: s.Version, Context: s.Context, ContentTag: content,
			Archives: map[string]string{"modulemd.txt": string(text), "modulemd.x86_64.txt": string(text), "modulemd.src.txt": string(text)}})
		if err != nil {
			t.Fatal(err)
		}
		hub.TagBuild("demo-modular", nvr)
	}
	hub.UseProfile(t, "demokoji")
	return hub, top
}

// kojiDemoConfig is the demo config composing from demoKojiHub (its
// module builds from demo-modular) with the extra lines.
func kojiDemoConfig(t *testing.T, extra string) string {
	return demoConfig(t, `pkgset_source = "koji"
koji_profile = "demokoji"
pkgset_koji_tag = "demo-1.0"
pkgset_koji_module_tag = "demo-modular"
`+extra, func(s string) string {
		i := strings.Index(s, "pkgset_repos = {")
		j := strings.Index(s[i:], "}\n")
		return s[:i] + s[i+j+2:]
	})
}

// Issue 11's acceptance for Koji: the demo composed from demoKojiHub, two
// streams of demo-lang as module builds in demo-modular, the defaults
// (stream 2) from module_defaults_dir, and Server listing demo-lang:2.
// checkDemoModules checks the tree exactly as for the repository-based
// compose, with modules.json naming the stream's content tag.
func TestKojiComposeModules(t *testing.T) {
	demoKojiHub(t)
	defaults := t.TempDir()
	idx, err := modulemd.ReadFile(filepath.Join(demoDir, "modular", "modules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	only := modulemd.NewIndex()
	for _, d := range idx.Defaults {
		only.AddDefaults(d)
	}
	data, err := only.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(defaults, "demo-lang.yaml"), data, 0o644)
	// The demo's per-source methods (module nodeps, comps deps), and
	// hybrid, which resolves the module's packages with its stream active.
	for name, method := range map[string]string{"per-source": "", "hybrid": `gather_method = "hybrid"`} {
		t.Run(name, func(t *testing.T) { // a name without '#': dnf reads the tree through a file:// URL
			target := t.TempDir()
			code, out := runPungo(t, t.TempDir(), "--config", kojiDemoConfig(t, `module_defaults_dir = {"scm": "file", "dir": "`+defaults+`"}`+"\n"+method),
				"--target-dir", target, "--quiet")
			if code != 0 {
				t.Fatalf("koji compose exited %d:\n%s", code, out)
			}
			checkDemoModules(t, onlyCompose(t, target), "module-demo-lang-2")
		})
	}
}
