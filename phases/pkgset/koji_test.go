package pkgset

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/config"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/compose/composetest"
	"github.com/pungo/pungo/phases/koji/kojitest"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// kojiTopdir lays the demo packages out as Koji's packages/ tree (build =
// source package), with copies of demo-httpd signed by abcd1234.
func kojiTopdir(t *testing.T) string {
	t.Helper()
	top := t.TempDir()
	kojitest.LayoutRepo(t, top, filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo", "rpms"), "abcd1234", "demo-httpd")
	return top
}

type kojiFixture struct {
	hub   *kojitest.Hub
	event int64 // before demo-games was tagged
}

func newKojiFixture(t *testing.T) *kojiFixture {
	top := kojiTopdir(t)
	hub := kojitest.New(t, top)
	if err := hub.ScanPackages(); err != nil {
		t.Fatal(err)
	}
	hub.AddTag("demo-base", "x86_64")
	hub.AddTag("demo-1.0", "x86_64")
	hub.AddInheritance("demo-1.0", "demo-base", kojitest.Inherit{})
	for _, nvr := range []string{"demo-filesystem-1.0-1", "demo-libc-2.1-3", "demo-shell-5.2-1"} {
		hub.TagBuild("demo-base", nvr)
	}
	hub.TagBuild("demo-1.0", "demo-httpd-2.4-7")
	ev := hub.LastEvent()
	hub.TagBuild("demo-1.0", "demo-games-0.9-1")
	hub.UseProfile(t, "koji")
	return &kojiFixture{hub: hub, event: ev}
}

func kojiCompose(t *testing.T, conf map[string]any, event int64) *compose.Compose {
	t.Helper()
	base := map[string]any{"release_name": "D", "release_short": "D", "release_version": "1",
		"pkgset_source": "koji", "koji_profile": "koji", "pkgset_koji_tag": "demo-1.0"}
	for k, v := range conf {
		base[k] = v
	}
	c := composetest.NewWith(t, base, compose.Options{Type: "test", Date: "20240101"}, compose.Options{KojiEvent: event})
	c.Variants = []*compose.Variant{{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}}
	return c
}

func byName(set *Set) map[string]*Package {
	m := map[string]*Package{}
	for _, p := range set.Arch("x86_64") {
		m[p.Name+"."+p.Arch] = p
	}
	return m
}

func TestKojiPackageSet(t *testing.T) {
	f := newKojiFixture(t)
	sig := []any{"ABCD1234", nil}

	c := kojiCompose(t, map[string]any{"sigkeys": sig}, f.event)
	set, err := Load(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	got := byName(set)
	for _, want := range []string{"demo-filesystem.noarch", "demo-libc.x86_64", "demo-shell.x86_64", "demo-httpd.x86_64", "demo-httpd.src", "demo-shell.src"} {
		if got[want] == nil {
			t.Errorf("%s missing from the package set", want)
		}
	}
	if got["demo-games.x86_64"] != nil {
		t.Error("a build tagged after the event is in the set")
	}
	if h := got["demo-httpd.x86_64"]; h == nil || h.Sigkey != "abcd1234" || !strings.Contains(h.Path, "/data/signed/abcd1234/x86_64/") {
		t.Errorf("demo-httpd not taken from its signed copy: %+v", h)
	}
	if s := got["demo-shell.x86_64"]; s == nil || s.Sigkey != "" || strings.Contains(s.Path, "/signed/") {
		t.Errorf("unsigned demo-shell: %+v", s)
	}
	if s := got["demo-shell.x86_64"]; s != nil && (s.Requires.Len() == 0 || s.SourceRPM != "demo-shell-5.2-1.src.rpm") {
		t.Errorf("package headers not read: %+v", s.Package)
	}
	if set.Event != f.event {
		t.Errorf("event %d want %d", set.Event, f.event)
	}
	if data, err := os.ReadFile(filepath.Join(c.Topdir, "work/global/koji-event")); err != nil || !strings.Contains(string(data), fmt.Sprintf(`"id":%d`, f.event)) {
		t.Errorf("koji-event file: %s %v", data, err)
	}

	// Without an event: the latest state, demo-games included.
	set, err = Load(context.Background(), kojiCompose(t, map[string]any{"sigkeys": sig}, 0))
	if err != nil {
		t.Fatal(err)
	}
	if byName(set)["demo-games.x86_64"] == nil {
		t.Error("latest event misses demo-games")
	}

	// No inheritance: only the child tag's builds.
	set, err = Load(context.Background(), kojiCompose(t, map[string]any{"sigkeys": sig, "pkgset_koji_inherit": false}, f.event))
	if err != nil {
		t.Fatal(err)
	}
	if g := byName(set); g["demo-shell.x86_64"] != nil || g["demo-httpd.x86_64"] == nil {
		t.Errorf("without inheritance: %v", keys(g))
	}

	// Explicit builds join the set.
	set, err = Load(context.Background(), kojiCompose(t, map[string]any{"sigkeys": sig, "pkgset_koji_builds": []any{"demo-editor-9.1-1"}}, f.event))
	if err != nil {
		t.Fatal(err)
	}
	if byName(set)["demo-editor.x86_64"] == nil {
		t.Error("pkgset_koji_builds build missing")
	}

	// Only signed copies allowed: the unsigned builds are reported.
	_, err = Load(context.Background(), kojiCompose(t, map[string]any{"sigkeys": []any{"abcd1234"}}, f.event))
	if err == nil || !strings.Contains(err.Error(), "RPM(s) not found for sigs: [abcd1234]") || !strings.Contains(err.Error(), "demo-shell-5.2-1.x86_64.rpm") {
		t.Errorf("missing signed copy: %v", err)
	}
	// As Pungi's get_package_path: signed copies first whatever None's
	// position, the unsigned copy only when no key has one.
	set, err = Load(context.Background(), kojiCompose(t, map[string]any{"sigkeys": []any{nil, "abcd1234"}}, f.event))
	if err != nil {
		t.Fatal(err)
	}
	if h := byName(set)["demo-httpd.x86_64"]; h.Sigkey != "abcd1234" {
		t.Errorf("signed copy not preferred over the unsigned one: %q", h.Sigkey)
	}
	if s := byName(set)["demo-shell.x86_64"]; s.Sigkey != "" {
		t.Errorf("unsigned fallback: %q", s.Sigkey)
	}
	if n := len(f.hub.CallsTo("listTaggedRPMS")); n == 0 {
		t.Error("hub saw no listTaggedRPMS call")
	}
}

func keys(m map[string]*Package) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestArchRepo(t *testing.T) {
	f := newKojiFixture(t)
	c := kojiCompose(t, map[string]any{"sigkeys": []any{"abcd1234", nil}}, f.event)
	set, err := Load(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeArchRepos(context.Background(), c, set); err != nil {
		t.Fatal(err)
	}
	repo, err := repomd.Open(c.Paths.Work.PkgsetRepo("x86_64", "demo-1.0"))
	if err != nil {
		t.Fatal(err)
	}
	if len(repo.Packages) != len(set.Arch("x86_64")) {
		t.Fatalf("%d packages in the repository, %d in the set", len(repo.Packages), len(set.Arch("x86_64")))
	}
	signed := 0
	for _, p := range repo.Packages {
		path := repo.PackagePath(p)
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: %v", p.NEVRA(), err)
		}
		if strings.Contains(path, "/data/signed/abcd1234/") {
			signed++
		}
	}
	if signed == 0 {
		t.Error("the repository does not point at the signed copies")
	}
}

func TestKojiHeaderReuse(t *testing.T) {
	f := newKojiFixture(t)
	target := t.TempDir()
	mk := func(extra ...any) *compose.Compose {
		base := map[string]any{"release_name": "D", "release_short": "D", "release_version": "1", "sigkeys": []any{"abcd1234", nil},
			"pkgset_source": "koji", "koji_profile": "koji", "pkgset_koji_tag": "demo-1.0"}
		for i := 0; i+1 < len(extra); i += 2 {
			base[extra[i].(string)] = extra[i+1]
		}
		dir, _, err := compose.CreateDir(target, config.NewWithDefaults(base), compose.Options{Type: "test", Date: "20240101"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := compose.New(config.NewWithDefaults(base), dir, compose.Options{KojiEvent: f.event, OldComposes: []string{target}}, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Log.Close() })
		c.Variants = []*compose.Variant{{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}}
		return c
	}
	first := mk()
	a, err := Load(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(first.Topdir, "STATUS"), []byte("FINISHED\n"), 0o644)
	second := mk()
	b, err := Load(context.Background(), second)
	if err != nil {
		t.Fatal(err)
	}
	log, _ := os.ReadFile(second.Paths.Log.LogFile("", "pungi"))
	n := len(a.Arch("x86_64"))
	if !strings.Contains(string(log), fmt.Sprintf("pkgset: reusing %d of %d package headers read by old compose %s", n, n, first.Topdir)) {
		t.Errorf("log:\n%s", log)
	}
	ga, gb := byName(a), byName(b)
	for k, p := range ga {
		q := gb[k]
		if q == nil || q.NEVRA() != p.NEVRA() || q.Requires.Len() != p.Requires.Len() || q.Checksum != p.Checksum || q.Sigkey != p.Sigkey {
			t.Errorf("%s differs after reuse", k)
		}
	}
	os.WriteFile(filepath.Join(second.Topdir, "STATUS"), []byte("FINISHED\n"), 0o644)
	third := mk("pkgset_allow_reuse", false)
	if _, err := Load(context.Background(), third); err != nil {
		t.Fatal(err)
	}
	log, _ = os.ReadFile(third.Paths.Log.LogFile("", "pungi"))
	if strings.Contains(string(log), "pkgset: reusing") || !strings.Contains(string(log), "pkgset_allow_reuse is False") {
		t.Errorf("pkgset_allow_reuse = False: log:\n%s", log)
	}
}
