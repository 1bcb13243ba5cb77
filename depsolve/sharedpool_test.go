package depsolve

import (
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/pungo/pungo/repomd"
)

// sharedPoolRepo is a repository whose gathers fill the pool's lazy state:
// a file requirement primary.xml cannot answer (loads the filelists), rich
// requirements (parsed into the cache) and multilib runtime candidates
// (whose libraries are only in the filelists).
func sharedPoolRepo() *Repo {
	pkgs := []*repomd.Package{
		pkg("app-1-1.x86_64", "R:/usr/share/data/words", "R:(libx or liby)"),
		pkg("tool-1-1.x86_64", "R:(liby and libz)", "R:/usr/share/data/words"),
		pkg("data-1-1.noarch"),
		pkg("libx-1-1.x86_64", "P:libx"),
		pkg("libx-1-1.i686", "P:libx"),
		pkg("liby-1-1.x86_64", "P:liby"),
		pkg("liby-1-1.i686", "P:liby"),
		pkg("libz-1-1.x86_64", "P:libz"),
		pkg("app-1-1.src"), pkg("tool-1-1.src"), pkg("data-1-1.src"), pkg("libx-1-1.src"), pkg("liby-1-1.src"), pkg("libz-1-1.src"),
	}
	files := map[string][]repomd.File{
		"data-1-1.noarch": {{Path: "/usr/share/data/words"}},
		"libx-1-1.x86_64": {{Path: "/usr/lib64/libx.so.1"}},
		"libx-1-1.i686":   {{Path: "/usr/lib/libx.so.1"}},
		"liby-1-1.x86_64": {{Path: "/usr/lib64/liby.so.1"}},
		"liby-1-1.i686":   {{Path: "/usr/lib/liby.so.1"}},
		"libz-1-1.x86_64": {{Path: "/usr/lib64/libz.so.1"}},
	}
	for _, p := range pkgs {
		p.FilesComplete = false
	}
	var once sync.Once
	return &Repo{ID: "r", Packages: pkgs, LoadFiles: func() error {
		once.Do(func() {
			for _, p := range pkgs {
				p.Files = files[p.NEVRA()]
				p.FilesComplete = true
			}
		})
		return nil
	}}
}

// TestGatherSharedPool runs gathers of different inputs and options at the
// same time over one pool, as the gather phase runs a tree arch's
// variants, and wants each to give what it gives alone on a fresh pool.
// Under -race it fails when a lazily filled part of the pool (file index,
// filelists, rich cache) is written without the pool's lock.
func TestGatherSharedPool(t *testing.T) {
	jobs := []struct {
		patterns []string
		opts     Options
	}{
		{[]string{"app"}, Options{Arch: "x86_64", MultilibMethods: []string{"runtime"}}},
		{[]string{"tool"}, Options{Arch: "x86_64"}},
		{[]string{"app", "tool"}, Options{Arch: "x86_64", Fulltree: true}},
		{[]string{"tool"}, Options{Arch: "x86_64", MultilibMethods: []string{"devel", "runtime"}}},
	}
	want := make([][]string, len(jobs))
	for i, j := range jobs {
		res, err := Gather(newTestPool(t, sharedPoolRepo()), j.patterns, j.opts)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = summary(res)
	}
	// The runs differ: a shared pool answering one job's lookups for
	// another would show.
	if reflect.DeepEqual(want[0], want[1]) || !slices.Contains(want[0], "libx-1-1.i686@r[multilib]") || !slices.Contains(want[1], "data-1-1.noarch@r") {
		t.Fatalf("fixture does not exercise the lazy state: %v / %v", want[0], want[1])
	}
	shared := newTestPool(t, sharedPoolRepo())
	const rounds = 4
	got := make([][]string, len(jobs)*rounds)
	errs := make([]error, len(got))
	var wg sync.WaitGroup
	for k := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j := jobs[k%len(jobs)]
			res, err := Gather(shared, j.patterns, j.opts)
			if err != nil {
				errs[k] = err
				return
			}
			got[k] = summary(res)
		}()
	}
	wg.Wait()
	for k := range got {
		if errs[k] != nil {
			t.Fatalf("run %d: %v", k, errs[k])
		}
		if w := want[k%len(jobs)]; !reflect.DeepEqual(got[k], w) {
			t.Errorf("run %d on the shared pool: %v\nalone: %v", k, got[k], w)
		}
	}
}

// TestPoolIndexesOnFirstLookup: NewPool leaves the whatprovides and file
// indexes to the first lookup (a query that never asks, repoquery
// --count, pays for neither), and the lazily built indexes answer as an
// eager build would.
func TestPoolIndexesOnFirstLookup(t *testing.T) {
	p := newTestPool(t, sharedPoolRepo())
	if p.prov.heads != nil || p.files.ready {
		t.Fatalf("NewPool built its indexes: whatprovides %v, files %v", p.prov.heads != nil, p.files.ready)
	}
	for _, tc := range []struct {
		dep  string
		want []string
	}{
		{"libx", []string{"libx-1-1.x86_64", "libx-1-1.i686"}},
		{"data", []string{"data-1-1.noarch"}},
		{"nothing", nil},
	} {
		var got []string
		for _, id := range p.WhatProvides(&repomd.Dep{Name: tc.dep}) {
			got = append(got, p.Pkg(id).NEVRA())
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("WhatProvides(%s) = %v, want %v", tc.dep, got, tc.want)
		}
	}
	if p.prov.heads == nil {
		t.Error("whatprovides index not built by the lookup")
	}
	if p.files.ready {
		t.Error("a provides lookup built the file index")
	}
	if ids := p.FileProviders("/usr/share/data/words"); len(ids) != 1 || p.Pkg(ids[0]).Name != "data" || !p.files.ready {
		t.Errorf("FileProviders = %v (file index ready %v)", ids, p.files.ready)
	}
}
