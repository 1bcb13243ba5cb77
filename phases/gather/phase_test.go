package gather

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/productmd"
)

// linkFixture is TestVariantRules' compose (Server with an addon and an
// optional variant, Workstation on its own) whose packages are files in a
// temporary directory; missing names packages left without a file.
func linkFixture(t *testing.T, missing ...string) *fixture {
	t.Helper()
	pkgs := basePkgs()
	dir := t.TempDir()
	for _, p := range pkgs {
		p.Path = filepath.Join(dir, p.Location)
		if !strings.Contains(strings.Join(missing, " "), p.Location) {
			if err := os.WriteFile(p.Path, []byte(p.Location), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return newFixture(t, map[string]any{"link_type": "hardlink"}, map[string][]string{
		"Server":          {"base:app"},
		"Server-HA":       {"ha:cluster"},
		"Server-optional": {"devel:lib-devel,?docs"},
		"Workstation":     {"ws:tool"},
	}, pkgs)
}

// TestEarlyLinks: the gather phase links a variant.arch while the others
// gather only when no later step changes its list (Workstation here;
// Server gets a package from its addon, the addon and the optional
// variant are trimmed), and the compose gets the same trees and rpms.json
// as linking everything at the end.
func TestEarlyLinks(t *testing.T) {
	f := linkFixture(t)
	var mu sync.Mutex
	handed := map[string]string{} // uid.arch → rpm names when handed over
	l := newLinker(context.Background(), f.c)
	final := func(arch string, v *compose.Variant, pm PkgMap) {
		mu.Lock()
		handed[v.UID+"."+arch] = names(pm, TypeRPM)
		mu.Unlock()
		l.start(arch, v, pm)
	}
	res, err := plan(l.ctx, f.c, f.set, f.comps, final)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.rest(res); err != nil {
		t.Fatal(err)
	}
	if len(handed) != 1 || handed["Workstation.x86_64"] == "" {
		t.Fatalf("linked early: %v, want Workstation.x86_64 only", handed)
	}
	if got, want := handed["Workstation.x86_64"], names(res.Get("x86_64", "Workstation"), TypeRPM); got != want {
		t.Errorf("Workstation list changed after it was linked: %s, finally %s", got, want)
	}
	for uid, file := range map[string]string{"Workstation": "tool-3-1.x86_64.rpm", "Server": "cluster-libs-1-1.x86_64.rpm"} {
		if _, err := os.Stat(filepath.Join(f.c.Paths.Compose.Packages("x86_64", f.c.Variant(uid)), file)); err != nil {
			t.Errorf("%s: %v", uid, err)
		}
	}
	// The same rpms.json as Link of the finished result.
	all, err := Link(context.Background(), f.c, res)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "early.json"), filepath.Join(dir, "all.json")
	if err := productmd.WriteJSON(a, l.rpms); err != nil {
		t.Fatal(err)
	}
	if err := productmd.WriteJSON(b, all); err != nil {
		t.Fatal(err)
	}
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if string(da) != string(db) || !strings.Contains(string(da), "tool-0:3-1.x86_64") {
		t.Errorf("rpms.json with early links:\n%s\nlinking at the end:\n%s", da, db)
	}
}

// TestEarlyLinkFailure: a link that fails while the others still gather
// fails the phase with its own error, not the cancellation it causes.
func TestEarlyLinkFailure(t *testing.T) {
	f := linkFixture(t, "tool-3-1.x86_64.rpm")
	l := newLinker(context.Background(), f.c)
	res, err := plan(l.ctx, f.c, f.set, f.comps, l.start)
	if err != nil {
		err = l.fail(err)
	} else {
		err = l.rest(res)
	}
	if err == nil || !strings.Contains(err.Error(), "tool-3-1.x86_64.rpm") || strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("error = %v, want the failed link of tool", err)
	}
}

// TestLinkerRestWaitsForStarted: a link still running when the gather
// ends is waited for, not cancelled.
func TestLinkerRestWaitsForStarted(t *testing.T) {
	f := linkFixture(t)
	full, err := Plan(context.Background(), f.c, f.set, f.comps)
	if err != nil {
		t.Fatal(err)
	}
	ws := f.c.Variant("Workstation")
	// Nothing left to link but the one started.
	res := &Result{ByArch: map[string]map[string]PkgMap{"x86_64": {"Workstation": full.Get("x86_64", "Workstation")}}}
	l := newLinker(context.Background(), f.c)
	l.hold = make(chan struct{})
	l.start("x86_64", ws, res.Get("x86_64", "Workstation"))
	done := make(chan error, 1)
	go func() { done <- l.rest(res) }()
	select {
	case err := <-done:
		t.Fatalf("rest returned (%v) while a started link was held", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(l.hold)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(f.c.Paths.Compose.Packages("x86_64", ws), "tool-3-1.x86_64.rpm")); err != nil {
		t.Error(err)
	}
}

// TestLinkFailureNotHiddenByCancel: when the links of the gather's end
// fail (Server's package is missing) while a link started earlier
// (Workstation's) is still waiting, that link sees only the cancellation;
// the error names the failure, not "context canceled" (TestDiskFull saw
// a full disk reported so).
func TestLinkFailureNotHiddenByCancel(t *testing.T) {
	f := linkFixture(t, "app-2-1.x86_64.rpm")
	full, err := Plan(context.Background(), f.c, f.set, f.comps)
	if err != nil {
		t.Fatal(err)
	}
	l := newLinker(context.Background(), f.c)
	l.hold = make(chan struct{})
	l.start("x86_64", f.c.Variant("Workstation"), full.Get("x86_64", "Workstation"))
	done := make(chan error, 1)
	go func() { done <- l.rest(full) }()
	// Let Server's link fail and cancel before the started one runs.
	time.Sleep(200 * time.Millisecond)
	close(l.hold)
	err = <-done
	if err == nil || !strings.Contains(err.Error(), "app-2-1.x86_64.rpm") || strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("error = %v, want Server's failed link of app", err)
	}
}

func TestCauseOf(t *testing.T) {
	real, other := errors.New("no space left on device"), errors.New("other")
	cancelled := fmt.Errorf("Workstation.x86_64: %w", context.Canceled)
	for _, tc := range []struct {
		earlier, later, want error
	}{
		{nil, nil, nil},
		{nil, real, real},
		{real, nil, real},
		{real, other, real},
		{cancelled, real, real},
		{real, cancelled, real},
		{cancelled, nil, cancelled},
		{cancelled, context.Canceled, cancelled},
	} {
		if got := causeOf(tc.earlier, tc.later); got != tc.want {
			t.Errorf("causeOf(%v, %v) = %v, want %v", tc.earlier, tc.later, got, tc.want)
		}
	}
}
