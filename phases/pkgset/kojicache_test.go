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
	"time"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/koji/kojitest"
)

// cacheFixture is the demo topdir with every build also signed by
// abcd1234, a hub serving it as topurl, and a Koji profile whose topdir
// does not exist on this host: packages can only be downloaded.
func cacheFixture(t *testing.T) *kojiFixture {
	t.Helper()
	top := kojiTopdir(t)
	unsigned, _ := filepath.Glob(filepath.Join(top, "packages", "*", "*", "*", "*", "*.rpm"))
	for _, f := range unsigned {
		arch := filepath.Dir(f)
		signed := filepath.Join(filepath.Dir(arch), "data", "signed", "abcd1234", filepath.Base(arch), filepath.Base(f))
		if _, err := os.Stat(signed); err == nil {
			continue
		}
		os.MkdirAll(filepath.Dir(signed), 0o755)
		// A signed copy differs from the unsigned file (another signature
		// header); an appended byte is enough to tell them apart here.
		data, _ := os.ReadFile(f)
		if err := os.WriteFile(signed, append(data, 0), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hub := kojitest.New(t, top)
	if err := hub.ScanPackages(); err != nil {
		t.Fatal(err)
	}
	hub.AddTag("demo-1.0", "x86_64")
	for _, nvr := range []string{"demo-filesystem-1.0-1", "demo-libc-2.1-3", "demo-shell-5.2-1", "demo-httpd-2.4-7"} {
		hub.TagBuild("demo-1.0", nvr)
	}
	prof := filepath.Join(t.TempDir(), "koji.conf")
	os.WriteFile(prof, []byte(fmt.Sprintf("[koji]\nserver = %s\ntopdir = %s\ntopurl = %s\n", hub.URL(), filepath.Join(t.TempDir(), "not-mounted"), hub.TopURL())), 0o644)
	t.Setenv("PUNGO_KOJI_CONFIG", prof)
	return &kojiFixture{hub: hub, event: hub.LastEvent()}
}

func TestKojiCacheDownloads(t *testing.T) {
	f := cacheFixture(t)
	cache := t.TempDir()
	conf := map[string]any{"sigkeys": []any{"abcd1234"}, "koji_cache": cache}

	// Topdir unreadable: everything is downloaded, signed copies, into the
	// cache, and the package set points there.
	set, err := Load(context.Background(), kojiCompose(t, conf, f.event))
	if err != nil {
		t.Fatal(err)
	}
	pkgs := set.Arch("x86_64")
	first := f.hub.Downloads()
	if len(pkgs) == 0 || len(first) != len(pkgs) {
		t.Fatalf("%d packages, %d downloads: %v", len(pkgs), len(first), first)
	}
	for _, p := range pkgs {
		if !strings.HasPrefix(p.Path, cache+"/packages/") || !strings.Contains(p.Path, "/data/signed/abcd1234/") || p.Sigkey != "abcd1234" {
			t.Errorf("%s: path %s sigkey %q", p.Name, p.Path, p.Sigkey)
		}
	}
	if len(f.hub.CallsTo("getRPMChecksums")) == 0 {
		t.Error("downloads not checked against getRPMChecksums")
	}

	// A second compose sharing the cache downloads nothing.
	if _, err := Load(context.Background(), kojiCompose(t, conf, f.event)); err != nil {
		t.Fatal(err)
	}
	if n := len(f.hub.Downloads()); n != len(first) {
		t.Errorf("second compose downloaded %d files again", n-len(first))
	}

	// A corrupted cached file is detected and fetched again, alone.
	victim := pkgs[0].Path
	good, _ := os.ReadFile(victim)
	bad := append([]byte(nil), good...)
	bad[len(bad)/2] ^= 0xff
	os.WriteFile(victim, bad, 0o644)
	if _, err := Load(context.Background(), kojiCompose(t, conf, f.event)); err != nil {
		t.Fatal(err)
	}
	after := f.hub.Downloads()
	if len(after) != len(first)+1 || !strings.HasSuffix(victim, filepath.FromSlash(after[len(after)-1])) {
		t.Errorf("after corrupting %s: downloads %v", victim, after[len(first):])
	}
	if now, _ := os.ReadFile(victim); string(now) != string(good) {
		t.Error("corrupt cached file not replaced by the good one")
	}

	// Without koji_cache an unreadable topdir is an error saying what to do.
	_, err = Load(context.Background(), kojiCompose(t, map[string]any{"sigkeys": []any{"abcd1234"}}, f.event))
	if err == nil || !strings.Contains(err.Error(), "is not readable; set koji_cache") {
		t.Errorf("no koji_cache: %v", err)
	}
}

func TestKojiCacheConcurrentComposes(t *testing.T) {
	f := cacheFixture(t)
	cache := t.TempDir()
	conf := map[string]any{"sigkeys": []any{"abcd1234", nil}, "koji_cache": cache}
	// Two composes at once over an empty cache, through a flaky server:
	// the first GET of every file breaks halfway (resumed on retry).
	f.hub.BreakDownloads(func(rel string, n int) int {
		if n == 0 {
			return -1
		}
		return 0
	})
	comps := []*compose.Compose{kojiCompose(t, conf, f.event), kojiCompose(t, conf, f.event)}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	sets := make([]*Set, 2)
	for i := range comps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sets[i], errs[i] = Load(context.Background(), comps[i])
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("compose %d: %v", i, err)
		}
	}
	got := f.hub.Downloads()
	sort.Strings(got)
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Errorf("%s downloaded twice", got[i])
		}
	}
	if len(got) != len(sets[0].Arch("x86_64")) {
		t.Errorf("%d files downloaded for %d packages", len(got), len(sets[0].Arch("x86_64")))
	}
	for _, p := range sets[1].Arch("x86_64") {
		if st, err := os.Stat(p.Path); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", p.Path, err)
		}
	}
	left, _ := filepath.Glob(filepath.Join(cache, "packages", "*", "*", "*", "data", "signed", "*", "*", "*.tmp-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left in the cache: %v", left)
	}
}

func TestSignedPackagesWait(t *testing.T) {
	f := cacheFixture(t)
	cache := t.TempDir()
	// demo-shell's signed copies "appear" only on the third look.
	shell := func(rel string) bool {
		return strings.HasPrefix(rel, "packages/demo-shell/") && strings.Contains(rel, "/signed/")
	}
	f.hub.BreakDownloads(func(rel string, n int) int {
		if shell(rel) && n < 2 {
			return 404
		}
		return 0
	})
	conf := map[string]any{"sigkeys": []any{"abcd1234"}, "koji_cache": cache,
		"signed_packages_retries": int64(3), "signed_packages_wait": 0.05}
	set, err := Load(context.Background(), kojiCompose(t, conf, f.event))
	if err != nil {
		t.Fatal(err)
	}
	if s := byName(set)["demo-shell.x86_64"]; s == nil || s.Sigkey != "abcd1234" {
		t.Errorf("demo-shell after waiting: %+v", s)
	}

	// Never signed within the retries: the error names every rpm missing
	// its signed copy, and says how long it waited.
	f.hub.BreakDownloads(func(rel string, n int) int {
		if shell(rel) || (strings.HasPrefix(rel, "packages/demo-libc/") && strings.Contains(rel, "/signed/")) {
			return 404
		}
		return 0
	})
	start := time.Now()
	conf = map[string]any{"sigkeys": []any{"abcd1234"}, "koji_cache": t.TempDir(),
		"signed_packages_retries": int64(2), "signed_packages_wait": 0.1}
	_, err = Load(context.Background(), kojiCompose(t, conf, f.event))
	if err == nil {
		t.Fatal("missing signed copies accepted")
	}
	if time.Since(start) < 200*time.Millisecond {
		t.Errorf("gave up after %s, before waiting twice 100ms", time.Since(start))
	}
	msg := err.Error()
	for _, want := range []string{"RPM(s) not found for sigs: [abcd1234]", "(after waiting 2 times 100ms)",
		"demo-shell-5.2-1.x86_64.rpm", "demo-shell-5.2-1.src.rpm", "demo-libc-2.1-3.x86_64.rpm", "demo-libc-devel-2.1-3.x86_64.rpm"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "demo-httpd") {
		t.Errorf("error names an rpm that has its signed copy:\n%s", msg)
	}
}

func TestKojiScratchTasks(t *testing.T) {
	f := newKojiFixture(t)
	// demo-games is not tagged at the event: a scratch build brings it.
	files, _ := filepath.Glob(filepath.Join(f.hub.TopDir, "packages", "demo-games", "*", "*", "*", "demo-games-*.rpm"))
	id, err := f.hub.AddScratchTask(files...)
	if err != nil {
		t.Fatal(err)
	}
	set, err := Load(context.Background(), kojiCompose(t, map[string]any{"sigkeys": []any{"abcd1234", nil},
		"pkgset_koji_scratch_tasks": []any{fmt.Sprint(id)}}, f.event))
	if err != nil {
		t.Fatal(err)
	}
	g := byName(set)["demo-games.x86_64"]
	if g == nil || !strings.Contains(g.Path, filepath.Join(f.hub.TopDir, "work", "tasks")) || g.Sigkey != "" {
		t.Fatalf("scratch rpm: %+v", g)
	}
	if byName(set)["demo-httpd.x86_64"] == nil {
		t.Error("tagged builds lost beside the scratch task")
	}
	if len(f.hub.CallsTo("getTaskChildren")) != 1 || len(f.hub.CallsTo("getTaskResult")) != 1 {
		t.Errorf("calls: children %d, results %d", len(f.hub.CallsTo("getTaskChildren")), len(f.hub.CallsTo("getTaskResult")))
	}
	_, err = Load(context.Background(), kojiCompose(t, map[string]any{"pkgset_koji_scratch_tasks": []any{"99999"}}, f.event))
	if err == nil || !strings.Contains(err.Error(), "task 99999 has no child tasks") {
		t.Errorf("unknown task: %v", err)
	}
}
