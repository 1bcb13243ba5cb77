package pkgset

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/compose/composetest"
	"github.com/pungo/pungo/phases/koji/kojitest"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/createrepo"
	"github.com/pungo/pungo/repomd/rpmtest"
)

var (
	exclRepoOnce sync.Once
	exclRepo     string
	exclRepoErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if exclRepo != "" && exclRepoErr == nil {
		os.RemoveAll(filepath.Dir(exclRepo))
	}
	os.Exit(code)
}

// exclusiveRepo makes one repository, once per test binary, of the
// packages built from testdata/exclusivearch/*.spec (noarch packages
// whose source packages carry ExclusiveArch/ExcludeArch), binaries and
// sources, built once per machine (rpmtest.Build).
func exclusiveRepo(t *testing.T) string {
	t.Helper()
	specs, _ := filepath.Glob(filepath.Join("testdata", "exclusivearch", "*.spec"))
	var build []rpmtest.Spec
	for _, s := range specs {
		text, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		build = append(build, rpmtest.Spec{Name: filepath.Base(s), Text: string(text)})
	}
	rpms := rpmtest.Build(t, "pungo-exclusivearch", build...)
	exclRepoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pungo-exclusivearch-")
		if err != nil {
			exclRepoErr = err
			return
		}
		repo := filepath.Join(dir, "repo")
		os.MkdirAll(repo, 0o755)
		for _, f := range rpms {
			if err := os.Link(f, filepath.Join(repo, filepath.Base(f))); err != nil {
				exclRepoErr = err
				return
			}
		}
		if _, err := createrepo.Run(repo, createrepo.Options{}); err != nil {
			exclRepoErr = err
			return
		}
		exclRepo = repo
	})
	if exclRepoErr != nil {
		t.Fatalf("the ExclusiveArch repository: %v", exclRepoErr)
	}
	return exclRepo
}

// reposCompose is a repos-source compose of one variant over arches.
func reposCompose(t *testing.T, repo string, arches []string, conf map[string]any) *compose.Compose {
	t.Helper()
	repos := map[string]any{}
	for _, a := range arches {
		repos[a] = []any{repo}
	}
	base := map[string]any{"release_name": "D", "release_short": "D", "release_version": "1",
		"pkgset_source": "repos", "pkgset_repos": repos}
	for k, v := range conf {
		base[k] = v
	}
	c := composetest.New(t, base)
	c.Variants = []*compose.Variant{{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: arches}}
	return c
}

func names(pkgs []*Package, arch string) []string {
	var out []string
	for _, p := range pkgs {
		if p.Arch == arch {
			out = append(out, p.Name)
		}
	}
	sort.Strings(out)
	return out
}

// TestExclusiveArchRepos: the source packages' ExclusiveArch/ExcludeArch
// keep their noarch packages out of aarch64 as the two options say; x86_64
// keeps everything.
func TestExclusiveArchRepos(t *testing.T) {
	repo := exclusiveRepo(t)
	all := "xa-noaarch xa-plain xa-sub-data xa-x86"
	for _, tc := range []struct {
		name                     string
		considersNoarch, inherit any
		aarch64                  string
	}{
		// Defaults: both True. xa-x86 is "ExclusiveArch: x86_64 noarch":
		// noarch counts, so it stays.
		{"defaults", nil, nil, "xa-plain xa-x86"},
		{"considers noarch, inherit", true, true, "xa-plain xa-x86"},
		{"noarch not considered", false, true, "xa-plain"},
		// rpmbuild writes the tags into the source package only: without
		// inheritance no noarch package is excluded.
		{"no inheritance", true, false, all},
		{"neither", false, false, all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf := map[string]any{}
			if tc.considersNoarch != nil {
				conf["pkgset_exclusive_arch_considers_noarch"] = tc.considersNoarch
			}
			if tc.inherit != nil {
				conf["pkgset_inherit_exclusive_arch_to_noarch"] = tc.inherit
			}
			c := reposCompose(t, repo, []string{"aarch64", "x86_64"}, conf)
			set, err := Load(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(names(set.Arch("aarch64"), "noarch"), " "); got != tc.aarch64 {
				t.Errorf("aarch64 noarch packages: %q, want %q", got, tc.aarch64)
			}
			if got := strings.Join(names(set.Arch("x86_64"), "noarch"), " "); got != all {
				t.Errorf("x86_64 noarch packages: %q, want %q", got, all)
			}
			if got := strings.Join(names(set.Arch("x86_64"), "x86_64"), " "); got != "xa-sub" {
				t.Errorf("x86_64 binary packages: %q", got)
			}
		})
	}
}

// TestExclusiveArchPhase runs the pkgset phase of a compose and checks the
// package set repository it writes for each arch.
func TestExclusiveArchPhase(t *testing.T) {
	repo := exclusiveRepo(t)
	c := reposCompose(t, repo, []string{"aarch64", "x86_64"}, nil)
	ph := &Phase{}
	if err := compose.ValidateConfig(c, ph); err != nil {
		t.Fatal(err)
	}
	if err := ph.Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	set, err := ph.Loaded(c)
	if err != nil {
		t.Fatal(err)
	}
	// No image phase is configured, so Run wrote no repository; write
	// them as it would.
	if err := writeArchRepos(context.Background(), c, set); err != nil {
		t.Fatal(err)
	}
	for arch, want := range map[string]string{"aarch64": "xa-plain xa-x86", "x86_64": "xa-noaarch xa-plain xa-sub-data xa-x86"} {
		r, err := repomd.Open(c.Paths.Work.PkgsetRepo(arch, "repos"))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range r.Packages {
			if p.Arch == "noarch" {
				got = append(got, p.Name)
			}
		}
		sort.Strings(got)
		if strings.Join(got, " ") != want {
			t.Errorf("work/%s/repo noarch packages: %v, want %s", arch, got, want)
		}
	}
}

// TestExclusionRules covers what rpmbuild cannot produce: tags in a noarch
// binary's own header, and SRPMs missing from the set.
func TestExclusionRules(t *testing.T) {
	tags := map[string]archTags{
		"/own-i686.noarch.rpm":  {exclusive: []string{"i686", "noarch"}},
		"/own-s390x.noarch.rpm": {exclude: []string{"s390x"}},
		"/src-clean.src.rpm":    {},
		"/src-x86.src.rpm":      {exclusive: []string{"x86_64"}},
	}
	old := readArchTags
	var mu sync.Mutex
	var read []string
	readArchTags = func(path string) ([]string, []string, error) {
		mu.Lock()
		read = append(read, path)
		mu.Unlock()
		t := tags[path]
		return t.exclusive, t.exclude, nil
	}
	t.Cleanup(func() { readArchTags = old })
	pkg := func(path, name, arch, srpm string) *Package {
		return &Package{Package: &repomd.Package{Name: name, Arch: arch, SourceRPM: srpm,
			EVR: repomd.EVR{Version: "1", Release: "1"}}, Path: path}
	}
	// own-i686's SRPM has no tags; own-s390x's SRPM is not in the set;
	// bin-x86 inherits its SRPM's ExclusiveArch.
	pkgs := []*Package{
		pkg("/own-i686.noarch.rpm", "own-i686", "noarch", "src-clean-1-1.src.rpm"),
		pkg("/own-s390x.noarch.rpm", "own-s390x", "noarch", "gone-1-1.src.rpm"),
		pkg("/bin-x86.noarch.rpm", "bin-x86", "noarch", "src-x86-1-1.src.rpm"),
		pkg("/src-clean.src.rpm", "src-clean", "src", ""),
		pkg("/src-x86.src.rpm", "src-x86", "src", ""),
	}
	for _, tc := range []struct {
		considersNoarch, inherit bool
		treeArch                 string
		want                     string
	}{
		// i686 is multilib on x86_64 and does not count: only noarch
		// matches, and only when considered.
		{true, false, "x86_64", "bin-x86 own-i686 own-s390x"},
		{false, false, "x86_64", "bin-x86 own-s390x"},
		// On i686 itself the arch matches.
		{false, false, "i686", "bin-x86 own-i686 own-s390x"},
		{true, false, "s390x", "bin-x86 own-i686"},
		// Inheriting: src-clean's empty tags replace own-i686's; own-s390x
		// has no SRPM in the set and keeps its own; bin-x86 takes x86_64.
		{false, true, "x86_64", "bin-x86 own-i686 own-s390x"},
		{false, true, "s390x", "own-i686"},
		{true, true, "aarch64", "own-i686 own-s390x"},
	} {
		conf := map[string]any{"pkgset_exclusive_arch_considers_noarch": tc.considersNoarch,
			"pkgset_inherit_exclusive_arch_to_noarch": tc.inherit}
		c := reposCompose(t, "/nowhere", []string{tc.treeArch}, conf)
		read = nil
		x, err := loadExclusion(context.Background(), c, pkgs)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(names(split(pkgs, []string{tc.treeArch}, x)[tc.treeArch], "noarch"), " ")
		if got != tc.want {
			t.Errorf("considers noarch %v, inherit %v, %s: %q, want %q", tc.considersNoarch, tc.inherit, tc.treeArch, got, tc.want)
		}
		sort.Strings(read)
		wantRead := "/bin-x86.noarch.rpm /own-i686.noarch.rpm /own-s390x.noarch.rpm"
		if tc.inherit {
			wantRead = "/own-s390x.noarch.rpm /src-clean.src.rpm /src-x86.src.rpm"
		}
		if strings.Join(read, " ") != wantRead {
			t.Errorf("inherit %v: headers read %v, want %s", tc.inherit, read, wantRead)
		}
	}
}

// exclusiveKojiHub lays exclusiveRepo's packages out as Koji's topdir
// (xa-sub's signed by abcd1234 beside the unsigned copy), starts a test
// hub over it and points the koji profile at it.
func exclusiveKojiHub(t *testing.T) *kojitest.Hub {
	t.Helper()
	repoDir := exclusiveRepo(t)
	repo, err := repomd.Open(repoDir)
	if err != nil {
		t.Fatal(err)
	}
	top := t.TempDir()
	for _, p := range repo.Packages {
		src := p.SourceName()
		if p.IsSource() {
			src = p.Name
		}
		rel := filepath.Join("packages", src, p.Version, p.Release)
		if src == "xa-sub" {
			rel = filepath.Join(rel, "data", "signed", "abcd1234")
		}
		d := filepath.Join(top, rel, p.Arch)
		os.MkdirAll(d, 0o755)
		data, err := os.ReadFile(repo.PackagePath(p))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, p.FileName()), data, 0o644)
		if src == "xa-sub" { // the unsigned copy Koji always has
			d = filepath.Join(top, "packages", src, p.Version, p.Release, p.Arch)
			os.MkdirAll(d, 0o755)
			os.WriteFile(filepath.Join(d, p.FileName()), data, 0o644)
		}
	}
	hub := kojitest.New(t, top)
	if err := hub.ScanPackages(); err != nil {
		t.Fatal(err)
	}
	prof := filepath.Join(t.TempDir(), "koji.conf")
	os.WriteFile(prof, []byte("[koji]\nserver = "+hub.URL()+"\ntopdir = "+top+"\n"), 0o644)
	t.Setenv("PUNGO_KOJI_CONFIG", prof)
	return hub
}

// TestExclusiveArchKoji: the Koji source reads the tags from the copies it
// takes (here the signed ones of xa-sub), with the same outcome.
func TestExclusiveArchKoji(t *testing.T) {
	hub := exclusiveKojiHub(t)
	hub.AddTag("xa", "x86_64", "aarch64")
	for _, nvr := range []string{"xa-noaarch-1-1", "xa-plain-1-1", "xa-sub-1-1", "xa-x86-1-1"} {
		hub.TagBuild("xa", nvr)
	}
	for _, tc := range []struct {
		considersNoarch bool
		aarch64         string
	}{
		{true, "xa-plain xa-x86"},
		{false, "xa-plain"},
	} {
		c := kojiCompose(t, map[string]any{"pkgset_koji_tag": "xa", "sigkeys": []any{"abcd1234", nil},
			"pkgset_exclusive_arch_considers_noarch": tc.considersNoarch}, 0)
		c.Variants[0].Arches = []string{"aarch64", "x86_64"}
		set, err := Load(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(names(set.Arch("aarch64"), "noarch"), " "); got != tc.aarch64 {
			t.Errorf("considers noarch %v: aarch64 noarch packages %q, want %q", tc.considersNoarch, got, tc.aarch64)
		}
		if got := strings.Join(names(set.Arch("x86_64"), "noarch"), " "); got != "xa-noaarch xa-plain xa-sub-data xa-x86" {
			t.Errorf("considers noarch %v: x86_64 noarch packages %q", tc.considersNoarch, got)
		}
		for _, p := range set.Arch("x86_64") {
			if p.Name == "xa-sub-data" && p.Sigkey != "abcd1234" {
				t.Errorf("xa-sub-data not taken signed: %s", p.Path)
			}
		}
	}
}

// xaModule is a stream whose artifacts are xa-noaarch (noarch, its source
// ExcludeArch aarch64) and xa-sub with its noarch xa-sub-data (source
// ExclusiveArch x86_64), with their sources.
const xaModule = `---
document: modulemd
version: 2
data:
  name: xa
  stream: "1"
  version: 1
  context: c0ffee
  arch: %s
  summary: ExclusiveArch test module
  description: Modular noarch packages whose sources restrict their arches.
  license:
    module: [MIT]
  artifacts:
    rpms:
    - xa-noaarch-0:1-1.noarch
    - xa-noaarch-0:1-1.src
    - xa-sub-0:1-1.src
    - xa-sub-0:1-1.x86_64
    - xa-sub-data-0:1-1.noarch
...
`

// TestExclusiveArchModules: a module stream's noarch packages are kept out
// of an arch by their sources' ExclusiveArch/ExcludeArch exactly as the
// main set's, as Pungi subsets a module content tag's package set with
// the same rules; from repositories and from Koji.
func TestExclusiveArchModules(t *testing.T) {
	const nsvc = "xa:1:1:c0ffee"
	check := func(t *testing.T, set *Set) {
		t.Helper()
		for arch, want := range map[string]string{"aarch64": "", "x86_64": "xa-noaarch xa-sub-data"} {
			ms := set.Modules[arch][nsvc]
			if ms == nil {
				t.Fatalf("%s: no stream %s in %v", arch, nsvc, set.Modules[arch])
			}
			if got := strings.Join(names(ms.Packages, "noarch"), " "); got != want {
				t.Errorf("%s: the stream's noarch packages %q, want %q", arch, got, want)
			}
			if got := strings.Join(names(ms.Packages, "src"), " "); got != "xa-noaarch xa-sub" {
				t.Errorf("%s: the stream's sources %q", arch, got)
			}
		}
		if got := strings.Join(names(set.Arch("aarch64"), "noarch"), " "); got != "xa-plain xa-x86" {
			t.Errorf("aarch64 main set: noarch packages %q", got)
		}
	}
	t.Run("repos", func(t *testing.T) {
		repo := filepath.Join(t.TempDir(), "repo")
		os.MkdirAll(repo, 0o755)
		rpms, _ := filepath.Glob(filepath.Join(exclusiveRepo(t), "*.rpm"))
		for _, f := range rpms {
			if err := os.Link(f, filepath.Join(repo, filepath.Base(f))); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := createrepo.Run(repo, createrepo.Options{}); err != nil {
			t.Fatal(err)
		}
		yaml := filepath.Join(t.TempDir(), "modules.yaml")
		os.WriteFile(yaml, []byte(fmt.Sprintf(xaModule, "x86_64")), 0o644)
		if _, err := createrepo.AddMetadata(yaml, filepath.Join(repo, "repodata"), createrepo.ModifyOptions{MDType: "modules", Compress: true}); err != nil {
			t.Fatal(err)
		}
		c := reposCompose(t, repo, []string{"aarch64", "x86_64"}, nil)
		set, err := Load(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		check(t, set)
	})
	t.Run("koji", func(t *testing.T) {
		hub := exclusiveKojiHub(t)
		hub.AddTag("xa", "x86_64", "aarch64")
		for _, nvr := range []string{"xa-plain-1-1", "xa-x86-1-1"} {
			hub.TagBuild("xa", nvr)
		}
		hub.AddTag("module-xa-1")
		for _, nvr := range []string{"xa-noaarch-1-1", "xa-sub-1-1"} {
			hub.TagBuild("module-xa-1", nvr)
		}
		archives := map[string]string{}
		for _, a := range []string{"x86_64", "aarch64", "src"} {
			archives["modulemd."+a+".txt"] = fmt.Sprintf(xaModule, a)
		}
		archives["modulemd.txt"] = archives["modulemd.x86_64.txt"]
		nvr, err := hub.AddModuleBuild(kojitest.ModuleBuild{Name: "xa", Stream: "1", Version: 1, Context: "c0ffee", ContentTag: "module-xa-1", Archives: archives})
		if err != nil {
			t.Fatal(err)
		}
		hub.AddTag("xa-modular")
		hub.TagBuild("xa-modular", nvr)
		c := kojiCompose(t, map[string]any{"pkgset_koji_tag": "xa", "sigkeys": []any{"abcd1234", nil}, "pkgset_koji_module_tag": "xa-modular"}, 0)
		c.Variants[0].Arches = []string{"aarch64", "x86_64"}
		c.Variants[0].Modules = []string{"xa:1"}
		set, err := Load(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		check(t, set)
	})
}
